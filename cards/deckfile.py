"""Read and check the official deck's data files (pure Python, no Django).

The deck lives in ``cards/content/<deck>/``: ``guide.toml`` holds the exam taxonomy and each
``section-N.toml`` holds cards as ``[[card]]`` tables. The loader and the content tests both read the
files through this module, so that what the tests check is exactly what gets loaded.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
OFFICIAL_DECK_DIR = CONTENT_DIR / "pmle2020"

MAX_FRONT = 300
MAX_BACK = 1200  # back + explanation together
MIN_CARDS_PER_CONSIDERATION = 3
NEAR_DUPLICATE_RATIO = 0.9
KEY_RE = re.compile(r"^\d\.\d\.\d+-[a-z0-9]+(?:-[a-z0-9]+)*$")
LINK_RE = re.compile(
    r"^https://(cloud\.google\.com|www\.tensorflow\.org|docs\.cloud\.google\.com|ai\.google)/[^\s<>\"']*$"
)
CARD_FIELDS = {"key", "consideration", "front", "back", "explanation", "link"}


@dataclass(frozen=True)
class CardData:
    key: str
    consideration: str
    front: str
    back: str
    explanation: str = ""
    link: str = ""
    source: str = ""


@dataclass
class Guide:
    sections: list[dict] = field(default_factory=list)

    def consideration_keys(self) -> list[str]:
        return [c["key"] for s in self.sections for o in s["objective"] for c in o["consideration"]]


def read_guide(deck_dir: Path = OFFICIAL_DECK_DIR) -> Guide:
    with open(deck_dir / "guide.toml", "rb") as f:
        return Guide(sections=tomllib.load(f)["section"])


def read_cards(deck_dir: Path = OFFICIAL_DECK_DIR) -> list[CardData]:
    cards: list[CardData] = []
    for path in sorted(deck_dir.glob("section-*.toml")):
        with open(path, "rb") as f:
            data = tomllib.load(f)
        for raw in data.get("card", []):
            unknown = set(raw) - CARD_FIELDS
            if unknown:
                raise ValueError(f"{path.name}: card {raw.get('key')!r} has unknown fields {sorted(unknown)}")
            cards.append(
                CardData(
                    key=raw.get("key", ""),
                    consideration=raw.get("consideration", ""),
                    front=raw.get("front", "").strip(),
                    back=raw.get("back", "").strip(),
                    explanation=raw.get("explanation", "").strip(),
                    link=raw.get("link", "").strip(),
                    source=path.name,
                )
            )
    return cards


def normalise(text: str) -> str:
    """Lower-case words only: what two fronts that ask the same thing have in common."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def check_cards(cards: list[CardData], guide: Guide, *, require_coverage: bool = True) -> list[str]:
    """Every problem in the deck, as readable lines (empty when the deck is sound)."""
    problems: list[str] = []
    known = set(guide.consideration_keys())
    seen_keys: set[str] = set()
    for c in cards:
        where = f"{c.source}: {c.key or '(no key)'}"
        if not KEY_RE.match(c.key):
            problems.append(f"{where}: key must look like '1.2.3-some-words'")
        elif not c.key.startswith(c.consideration + "-"):
            problems.append(f"{where}: key must start with its consideration '{c.consideration}-'")
        if c.key in seen_keys:
            problems.append(f"{where}: duplicate key")
        seen_keys.add(c.key)
        if c.consideration not in known:
            problems.append(f"{where}: consideration {c.consideration!r} is not in the guide")
        if not c.front:
            problems.append(f"{where}: empty front")
        if len(c.front) > MAX_FRONT:
            problems.append(f"{where}: front is {len(c.front)} characters (max {MAX_FRONT})")
        if not c.back:
            problems.append(f"{where}: empty back")
        if len(c.back) + len(c.explanation) > MAX_BACK:
            problems.append(
                f"{where}: back + explanation is {len(c.back) + len(c.explanation)} characters (max {MAX_BACK})"
            )
        if not LINK_RE.match(c.link):
            problems.append(f"{where}: missing or malformed read-next link {c.link!r}")
    fronts = [(normalise(c.front), c) for c in cards]
    by_front: dict[str, CardData] = {}
    for norm, c in fronts:
        if norm in by_front:
            problems.append(f"{c.source}: {c.key}: same front as {by_front[norm].key}")
        by_front[norm] = c
    for i, (a, ca) in enumerate(fronts):
        matcher = difflib.SequenceMatcher(None, b=a)  # caches its analysis of ``a`` for every comparison below
        for b, cb in fronts[i + 1 :]:
            if a == b:
                continue
            matcher.set_seq1(b)
            # real_quick_ratio and quick_ratio are cheap upper bounds of ratio: most pairs stop there.
            if (
                matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO
                and matcher.quick_ratio() >= NEAR_DUPLICATE_RATIO
                and matcher.ratio() >= NEAR_DUPLICATE_RATIO
            ):
                problems.append(f"{ca.source}: {ca.key}: front nearly the same as {cb.key}")
    if require_coverage:
        counts = dict.fromkeys(known, 0)
        for c in cards:
            if c.consideration in counts:
                counts[c.consideration] += 1
        for key in guide.consideration_keys():
            if counts[key] < MIN_CARDS_PER_CONSIDERATION:
                problems.append(f"consideration {key} has {counts[key]} cards (min {MIN_CARDS_PER_CONSIDERATION})")
    return problems


def count_table(cards: list[CardData], guide: Guide) -> str:
    """Cards per section and per objective, as printed by ``python3 cards/deckfile.py --counts``."""
    lines = []
    for s in guide.sections:
        per_objective = {
            o["number"]: sum(c.consideration.rsplit(".", 1)[0] == o["number"] for c in cards) for o in s["objective"]
        }
        lines.append(f"Section {s['number']} {s['title']}: {sum(per_objective.values())} cards")
        for o in s["objective"]:
            lines.append(f"  {o['number']} {o['title']}: {per_objective[o['number']]}")
    lines.append(f"Total: {len(cards)} cards")
    return "\n".join(lines)


if __name__ == "__main__":  # python3 cards/deckfile.py [--counts | section-N.toml ...]: check files by hand
    import sys

    guide = read_guide()
    cards = read_cards()
    if sys.argv[1:] == ["--counts"]:
        print(count_table(cards, guide))
        sys.exit(0)
    only = set(sys.argv[1:])
    problems = check_cards(cards, guide, require_coverage=not only)
    if only:
        problems = [p for p in problems if any(p.startswith(name) for name in only)]
    print("\n".join(problems) or f"{len(cards)} cards, no problems")
    sys.exit(1 if problems else 0)
