"""Read and check the official decks' data files (pure Python, no Django).

Each exam guide edition has a folder ``cards/content/<folder>/``: ``guide.toml`` holds the edition, its taxonomy
and the rules its deck must meet; each ``section-N.toml`` holds cards as ``[[card]]`` tables. The loader and the
content tests both read the files through this module, so that what the tests check is exactly what gets loaded.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"

MAX_FRONT = 300
MAX_BACK = 1200  # back + explanation together
NEAR_DUPLICATE_RATIO = 0.9
KEY_RE = re.compile(r"^\d\.\d\.\d+-[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINK_RE = re.compile(
    r"^https://(cloud\.google\.com|docs\.cloud\.google\.com|ai\.google\.dev|www\.tensorflow\.org)/\S*$"
)
KINDS = ("scenario", "concept", "comparison", "fact")
CARD_FIELDS = {"key", "consideration", "kind", "tags", "carries", "front", "back", "explanation", "link"}


@dataclass(frozen=True)
class CardData:
    key: str
    consideration: str
    front: str
    back: str
    explanation: str = ""
    link: str = ""
    kind: str = ""
    tags: tuple[str, ...] = ()
    carries: str = ""  # the key of the previous edition's card that taught the same thing
    source: str = ""


@dataclass
class Guide:
    edition: dict = field(default_factory=dict)
    sections: list[dict] = field(default_factory=list)
    rules: dict = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.edition.get("slug", "")

    def consideration_keys(self) -> list[str]:
        return [c["key"] for s in self.sections for o in s["objective"] for c in o["consideration"]]

    def starred_keys(self) -> set[str]:
        """Considerations new in this revision: starred themselves or in a starred objective."""
        return {
            c["key"]
            for s in self.sections
            for o in s["objective"]
            for c in o["consideration"]
            if c.get("starred") or o.get("starred")
        }

    def min_cards(self, key: str) -> int:
        base = self.rules.get("min_cards", 3)
        return max(base, self.rules.get("min_cards_starred", base)) if key in self.starred_keys() else base


def edition_dirs() -> list[Path]:
    """Every edition's folder, oldest first."""
    return sorted(p.parent for p in CONTENT_DIR.glob("*/guide.toml"))


def edition_dir(slug: str) -> Path:
    for path in edition_dirs():
        if read_guide(path).slug == slug:
            return path
    raise KeyError(slug)


def read_guide(deck_dir: Path) -> Guide:
    with open(deck_dir / "guide.toml", "rb") as f:
        data = tomllib.load(f)
    return Guide(edition=data["edition"], sections=data["section"], rules=data.get("rules", {}))


def read_cards(deck_dir: Path) -> list[CardData]:
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
                    kind=raw.get("kind", ""),
                    tags=tuple(raw.get("tags", ())),
                    carries=raw.get("carries", ""),
                    source=path.name,
                )
            )
    return cards


def normalise(text: str) -> str:
    """Lower-case words only: what two fronts that ask the same thing have in common."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _check_card(c: CardData, guide: Guide, known: set[str]) -> list[str]:
    where = f"{c.source}: {c.key or '(no key)'}"
    problems = []
    if not KEY_RE.match(c.key):
        problems.append(f"{where}: key must look like '1.2.3-some-words'")
    elif not c.key.startswith(c.consideration + "-"):
        problems.append(f"{where}: key must start with its consideration '{c.consideration}-'")
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
    if c.kind and c.kind not in KINDS or guide.rules.get("require_kind") and not c.kind:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
    if guide.rules.get("require_kind") and not c.tags:
        problems.append(f"{where}: needs at least one topic tag")
    problems += [f"{where}: tag {t!r} must be lower-case words joined by '-'" for t in c.tags if not TAG_RE.match(t)]
    return problems


def _near_duplicates(cards: list[CardData]) -> list[str]:
    problems = []
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
    return problems


def check_cards(
    cards: list[CardData], guide: Guide, *, require_coverage: bool = True, previous: list[CardData] | None = None
) -> list[str]:
    """Every problem in the deck, as readable lines (empty when the deck is sound).

    ``previous`` is the previous edition's deck, which ``carries`` refers to. The shares of kinds and the topic
    minimums are deck-wide, so they are checked with the coverage.
    """
    known = set(guide.consideration_keys())
    problems: list[str] = []
    for c in cards:
        problems += _check_card(c, guide, known)
    problems += [f"duplicate key {key}" for key, n in Counter(c.key for c in cards).items() if n > 1]
    problems += _near_duplicates(cards)
    if previous is not None:
        previous_keys = {c.key for c in previous}
        carried = Counter(c.carries for c in cards if c.carries)
        problems += [
            f"{c.source}: {c.key}: carries {c.carries!r}, which is not a card of the previous edition"
            for c in cards
            if c.carries and c.carries not in previous_keys
        ]
        problems += [f"{key} is carried by {n} cards (at most 1)" for key, n in carried.items() if n > 1]
    if require_coverage:
        counts = Counter(c.consideration for c in cards)
        for key in guide.consideration_keys():
            if counts[key] < guide.min_cards(key):
                problems.append(f"consideration {key} has {counts[key]} cards (min {guide.min_cards(key)})")
        kinds = Counter(c.kind for c in cards)
        total = max(len(cards), 1)
        if "min_scenario_share" in guide.rules and kinds["scenario"] / total < guide.rules["min_scenario_share"]:
            problems.append(
                f"scenario cards are {kinds['scenario'] / total:.0%} (min {guide.rules['min_scenario_share']:.0%})"
            )
        if "max_fact_share" in guide.rules and kinds["fact"] / total > guide.rules["max_fact_share"]:
            problems.append(f"fact cards are {kinds['fact'] / total:.0%} (max {guide.rules['max_fact_share']:.0%})")
        tags = Counter(t for c in cards for t in c.tags)
        for topic, minimum in guide.rules.get("topics", {}).items():
            if tags[topic] < minimum:
                problems.append(f"topic {topic} has {tags[topic]} cards (min {minimum})")
    return problems


def count_table(cards: list[CardData], guide: Guide) -> str:
    """Cards per section and per objective, as printed by ``python3 cards/deckfile.py --counts``."""
    lines = [guide.edition.get("title", "")]
    for s in guide.sections:
        per_objective = {
            o["number"]: sum(c.consideration.rsplit(".", 1)[0] == o["number"] for c in cards) for o in s["objective"]
        }
        lines.append(f"Section {s['number']} {s['title']}: {sum(per_objective.values())} cards")
        for o in s["objective"]:
            lines.append(f"  {o['number']} {o['title']}: {per_objective[o['number']]}")
    kinds = Counter(c.kind for c in cards if c.kind)
    if kinds:
        lines.append("Kinds: " + ", ".join(f"{k} {kinds[k]} ({kinds[k] / len(cards):.0%})" for k in KINDS))
    lines.append(f"Total: {len(cards)} cards")
    return "\n".join(lines)


# --- writing (manage.py dump_pmle) -------------------------------------------------------------------------------

TRIPLE = "'" * 3


def _basic(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _literal(text: str, multiline: bool) -> str:
    """A literal string where the text allows one (no triple quote, no control character, no quote at either end),
    as the files are written by hand; a basic string with escapes otherwise."""
    safe = TRIPLE not in text and not text.startswith("'") and not text.endswith("'")
    safe = safe and all(c in "\n\t" or (ord(c) >= 32 and ord(c) != 127) for c in text)
    if not safe:
        return _basic(text)
    if multiline or "\n" in text:
        return f"{TRIPLE}\n{text}\n{TRIPLE}"
    return f"{TRIPLE}{text}{TRIPLE}"


def write_section(header: str, cards: list[tuple[str, CardData]]) -> str:
    """A section file: ``header`` (comment lines), then each card, with a comment line where an objective starts.
    ``cards`` are (objective heading, card) pairs in order."""
    lines = [header.rstrip("\n"), ""]
    objective = None
    for heading, card in cards:
        if heading != objective:
            lines += [f"# {heading}", ""]
            objective = heading
        lines += ["[[card]]", f"key = {_basic(card.key)}", f"consideration = {_basic(card.consideration)}"]
        if card.kind:
            lines.append(f"kind = {_basic(card.kind)}")
        if card.tags:
            lines.append("tags = [" + ", ".join(_basic(t) for t in card.tags) + "]")
        if card.carries:
            lines.append(f"carries = {_basic(card.carries)}")
        lines += [f"front = {_literal(card.front, False)}", f"back = {_literal(card.back, False)}"]
        if card.explanation:
            lines.append(f"explanation = {_literal(card.explanation, True)}")
        if card.link:
            lines.append(f"link = {_basic(card.link)}")
        lines.append("")
    return "\n".join(lines)


def check_all() -> dict[str, list[str]]:
    """Problems per edition folder, each edition's ``carries`` checked against the edition before it."""
    result = {}
    previous = None
    for path in edition_dirs():
        cards = read_cards(path)
        result[path.name] = check_cards(cards, read_guide(path), previous=previous)
        previous = cards
    return result


if __name__ == "__main__":  # python3 cards/deckfile.py [--counts] [pmle2024 [section-N.toml ...]]
    import sys

    args = sys.argv[1:]
    counts = "--counts" in args
    args = [a for a in args if a != "--counts"]
    folders = [p.name for p in edition_dirs()]
    chosen = [args.pop(0)] if args and args[0] in folders else folders
    failed = False
    for name in chosen:
        path = CONTENT_DIR / name
        guide, cards = read_guide(path), read_cards(path)
        if counts:
            print(count_table(cards, guide), end="\n\n")
            continue
        index = folders.index(name)
        previous = read_cards(CONTENT_DIR / folders[index - 1]) if index else None
        problems = check_cards(cards, guide, require_coverage=not args, previous=previous)
        if args:  # only the named section files
            problems = [p for p in problems if any(p.startswith(file) for file in args)]
        print(f"{name}: " + ("\n".join(problems) or f"{len(cards)} cards, no problems"))
        failed |= bool(problems)
    sys.exit(1 if failed else 0)
