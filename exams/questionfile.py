"""Read and check the official question bank's data files (pure Python, no Django).

Each exam guide edition has a folder ``exams/content/<folder>/`` (the same names as ``cards/content/``) of
``section-N.toml`` files holding ``[[question]]`` tables, each with its ``[[question.option]]`` tables. The loader
and the tests read the files through this module, so that what the tests check is exactly what gets loaded.
"""

from __future__ import annotations

import difflib
import re
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python3 exams/questionfile.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cards.deckfile import KEY_RE, LINK_RE, Guide, normalise, read_guide  # noqa: E402

QUESTIONS_DIR = Path(__file__).resolve().parent / "content"
CARDS_DIR = Path(__file__).resolve().parent.parent / "cards" / "content"
MAX_STEM = 1000
MAX_OPTION = 300
MAX_WHY = 600
NEAR_DUPLICATE_RATIO = 0.85
# Options are shuffled per attempt, so an explanation may never point at a letter or a position.
LETTER_RE = re.compile(
    r"\b(?:options?|answers?|choices?)\s+\(?[A-F1-6]\)?(?![\w-])|\([A-F]\)|^[A-F][.):]\s|\b(?:first|second|third|fourth|"
    r"last|other two|above|below)\s+(?:option|answer|choice)s?\b",
    re.IGNORECASE | re.MULTILINE,
)
QUESTION_FIELDS = {"key", "consideration", "stem", "choose", "link", "option"}
OPTION_FIELDS = {"text", "correct", "why"}


@dataclass(frozen=True)
class OptionData:
    text: str
    correct: bool
    why: str


@dataclass(frozen=True)
class QuestionData:
    key: str
    consideration: str
    stem: str
    choose: int  # how many options are correct: 1, or 2 for "choose two"
    link: str
    options: tuple[OptionData, ...] = ()
    source: str = ""


@dataclass
class Bank:
    guide: Guide
    questions: list[QuestionData] = field(default_factory=list)


def edition_folders() -> list[str]:
    return sorted(p.name for p in QUESTIONS_DIR.iterdir() if p.is_dir() and (CARDS_DIR / p.name).is_dir())


def read_questions(folder: str) -> list[QuestionData]:
    questions = []
    for path in sorted((QUESTIONS_DIR / folder).glob("section-*.toml")):
        with open(path, "rb") as f:
            data = tomllib.load(f)
        for raw in data.get("question", []):
            unknown = set(raw) - QUESTION_FIELDS
            if unknown:
                raise ValueError(f"{path.name}: question {raw.get('key')!r} has unknown fields {sorted(unknown)}")
            options = []
            for opt in raw.get("option", []):
                if set(opt) - OPTION_FIELDS:
                    raise ValueError(f"{path.name}: question {raw.get('key')!r}: unknown option fields")
                options.append(
                    OptionData(
                        text=opt.get("text", "").strip(),
                        correct=opt.get("correct", False),
                        why=opt.get("why", "").strip(),
                    )
                )
            questions.append(
                QuestionData(
                    key=raw.get("key", ""),
                    consideration=raw.get("consideration", ""),
                    stem=raw.get("stem", "").strip(),
                    choose=raw.get("choose", 1),
                    link=raw.get("link", "").strip(),
                    options=tuple(options),
                    source=path.name,
                )
            )
    return questions


def read_bank(folder: str) -> Bank:
    return Bank(guide=read_guide(CARDS_DIR / folder), questions=read_questions(folder))


def check_question(q: QuestionData, known: set[str], *, official: bool = True) -> list[str]:
    """One question's problems. ``official`` questions also need a stable key (editors' questions have none)."""
    where = f"{q.source}: {q.key or '(no key)'}"
    problems = []
    if official and (not KEY_RE.match(q.key) or not q.key.startswith(q.consideration + "-")):
        problems.append(f"{where}: key must look like '<consideration>-some-words'")
    if q.consideration not in known:
        problems.append(f"{where}: consideration {q.consideration!r} is not in the guide")
    if not q.stem or len(q.stem) > MAX_STEM:
        problems.append(f"{where}: the stem must have 1 to {MAX_STEM} characters")
    if not LINK_RE.match(q.link):
        problems.append(f"{where}: missing or malformed link {q.link!r}")
    expected_options = {1: (4, 4), 2: (5, 6)}.get(q.choose)
    if expected_options is None:
        problems.append(f"{where}: choose must be 1 or 2")
    elif not expected_options[0] <= len(q.options) <= expected_options[1]:
        problems.append(f"{where}: choose {q.choose} needs {expected_options[0]}-{expected_options[1]} options")
    correct = sum(o.correct for o in q.options)
    if correct != q.choose:
        problems.append(f"{where}: declares choose = {q.choose} but marks {correct} option(s) correct")
    texts = [normalise(o.text) for o in q.options]
    if len(set(texts)) != len(texts):
        problems.append(f"{where}: two options say the same")
    if q.choose == 2 and "two" not in q.stem.lower():
        problems.append(f"{where}: a choose-two stem must say so ('Choose two')")
    for n, o in enumerate(q.options, start=1):
        if not o.text or len(o.text) > MAX_OPTION:
            problems.append(f"{where}: option {n} must have 1 to {MAX_OPTION} characters")
        if not o.why or len(o.why) > MAX_WHY:
            problems.append(f"{where}: option {n} needs an explanation of 1 to {MAX_WHY} characters")
        if LETTER_RE.search(o.why) or LETTER_RE.search(o.text):
            problems.append(f"{where}: option {n} refers to an option by letter or position (options are shuffled)")
    return problems


def check_bank(bank: Bank, *, require_coverage: bool = True) -> list[str]:
    """Every problem in an edition's question bank, as readable lines (empty when it is sound)."""
    guide, questions = bank.guide, bank.questions
    known = set(guide.consideration_keys())
    problems = [p for q in questions for p in check_question(q, known)]
    problems += [f"duplicate key {key}" for key, n in Counter(q.key for q in questions).items() if n > 1]
    stems = [(normalise(q.stem), q) for q in questions]
    for i, (a, qa) in enumerate(stems):
        matcher = difflib.SequenceMatcher(None, b=a)
        for b, qb in stems[i + 1 :]:
            matcher.set_seq1(b)
            if (
                matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO
                and matcher.quick_ratio() >= NEAR_DUPLICATE_RATIO
                and matcher.ratio() >= NEAR_DUPLICATE_RATIO
            ):
                problems.append(f"{qa.source}: {qa.key}: stem nearly the same as {qb.key}")
    if require_coverage:
        rules = guide.rules.get("questions", {})
        per = rules.get("min_per_consideration", 1)
        counts = Counter(q.consideration for q in questions)
        problems += [
            f"consideration {key} has {counts[key]} questions (min {per})"
            for key in guide.consideration_keys()
            if counts[key] < per
        ]
        if len(questions) < rules.get("min_total", 0):
            problems.append(f"the bank has {len(questions)} questions (min {rules['min_total']})")
        if "max_weight_gap" in rules:
            total = max(len(questions), 1)
            for s in guide.sections:
                n = sum(q.consideration.split(".")[0] == str(s["number"]) for q in questions)
                share = 100 * n / total
                if abs(share - s["weight"]) > rules["max_weight_gap"]:
                    problems.append(
                        f"section {s['number']} has {share:.1f}% of the questions; its exam weight is {s['weight']}%"
                    )
    return problems


def count_table(bank: Bank) -> str:
    lines = [bank.guide.edition.get("title", "")]
    total = max(len(bank.questions), 1)
    for s in bank.guide.sections:
        mine = [q for q in bank.questions if q.consideration.split(".")[0] == str(s["number"])]
        weight = f", exam weight {s['weight']}%" if "weight" in s else ""
        multi = sum(q.choose > 1 for q in mine)
        lines.append(
            f"Section {s['number']}: {len(mine)} questions ({100 * len(mine) / total:.1f}%{weight}), {multi} choose-two"
        )
    multi = sum(q.choose > 1 for q in bank.questions)
    lines.append(f"Total: {len(bank.questions)} questions, {multi} choose-two ({100 * multi / total:.0f}%)")
    return "\n".join(lines)


if __name__ == "__main__":  # python3 exams/questionfile.py [--counts] [pmle2024 [section-N.toml ...]]
    args = sys.argv[1:]
    counts = "--counts" in args
    args = [a for a in args if a != "--counts"]
    folders = edition_folders()
    chosen = [args.pop(0)] if args and args[0] in folders else folders
    failed = False
    for name in chosen:
        bank = read_bank(name)
        if counts:
            print(count_table(bank), end="\n\n")
            continue
        problems = check_bank(bank, require_coverage=not args)
        if args:
            problems = [p for p in problems if any(p.startswith(file) for file in args)]
        print(f"{name}: " + ("\n".join(problems) or f"{len(bank.questions)} questions, no problems"))
        failed |= bool(problems)
    sys.exit(1 if failed else 0)
