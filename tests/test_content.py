"""The official deck's content: coverage of the exam guide, card quality, safe Markdown, read-next links."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cards.deckfile import (
    MAX_BACK,
    MAX_FRONT,
    MIN_CARDS_PER_CONSIDERATION,
    CardData,
    check_cards,
    count_table,
    read_cards,
    read_guide,
)
from cards.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, markdown_to_html

GUIDE_FILE = Path(__file__).resolve().parent.parent.parent / "shared" / "content" / "pmle-exam-guide-2020.md"
GUIDE = read_guide()
CARDS = read_cards()


def test_the_taxonomy_is_the_whole_2020_guide():
    objectives = [o for s in GUIDE.sections for o in s["objective"]]
    assert (len(GUIDE.sections), len(objectives), len(GUIDE.consideration_keys())) == (6, 25, 90)


@pytest.mark.skipif(not GUIDE_FILE.exists(), reason="the shared guide is beside the repository in CI and dev")
def test_the_taxonomy_titles_match_the_shared_guide():
    text = GUIDE_FILE.read_text()
    for section in GUIDE.sections:
        assert f"### Section {section['number']}: {section['title']}" in text
        for objective in section["objective"]:
            assert f"**{objective['number']} {objective['title']}.**" in text
            for consideration in objective["consideration"]:
                assert f"- {consideration['title']}\n" in text


def test_every_consideration_has_at_least_three_cards():
    counts = Counter(c.consideration for c in CARDS)
    thin = {k: counts[k] for k in GUIDE.consideration_keys() if counts[k] < MIN_CARDS_PER_CONSIDERATION}
    assert thin == {}
    assert len(CARDS) >= 270


def test_every_card_belongs_to_a_consideration_of_the_guide():
    known = set(GUIDE.consideration_keys())
    assert [c.key for c in CARDS if c.consideration not in known] == []


def test_the_deck_passes_every_check():
    assert check_cards(CARDS, GUIDE) == []


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.key)
def test_card_fields_are_present_and_not_too_long(card: CardData):
    assert card.front and card.back
    assert len(card.front) <= MAX_FRONT
    assert len(card.back) + len(card.explanation) <= MAX_BACK


class _Audit(HTMLParser):
    """Collects whatever the sanitiser would remove: tags, attributes or link schemes outside the allow-list."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"<{tag} {name}>")
            if name == "href" and not (value or "").startswith("https://"):
                self.problems.append(f"href={value}")


def sanitiser_would_change(markdown_text: str) -> list[str]:
    audit = _Audit()
    audit.feed(markdown_to_html(markdown_text))
    return audit.problems


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.key)
def test_markdown_renders_and_the_sanitiser_leaves_it_alone(card: CardData):
    for text in (card.front, card.back, card.explanation):
        assert sanitiser_would_change(text) == []


# The checks themselves must catch what they claim to catch.


def _card(**overrides) -> CardData:
    base = {
        "key": "1.1.1-example",
        "consideration": "1.1.1",
        "front": "What is an example question?",
        "back": "An answer.",
        "link": "https://cloud.google.com/vertex-ai/docs",
        "source": "section-1.toml",
    }
    return CardData(**(base | overrides))


@pytest.mark.parametrize(
    ("card", "problem"),
    [
        (_card(consideration="9.9.9", key="9.9.9-x"), "not in the guide"),
        (_card(front=""), "empty front"),
        (_card(back=""), "empty back"),
        (_card(front="Why? " * 70), "front is"),
        (_card(explanation="x" * 1300), "back + explanation"),
        (_card(link=""), "read-next link"),
        (_card(link="http://cloud.google.com/x"), "read-next link"),
        (_card(link="https://example.com/x"), "read-next link"),
        (_card(key="Bad Key"), "key must"),
    ],
)
def test_the_checker_reports_a_bad_card(card, problem):
    problems = check_cards([card], GUIDE, require_coverage=False)
    assert any(problem in p for p in problems), problems


def test_the_checker_reports_duplicate_and_near_duplicate_fronts():
    a = _card(key="1.1.1-a", front="Which service streams IoT events into a pipeline?")
    b = _card(key="1.1.1-b", front="Which service streams IoT events into a pipeline ?!")
    c = _card(key="1.1.1-c", front="Which service streams IoT events into the pipeline?")
    problems = check_cards([a, b, c], GUIDE, require_coverage=False)
    assert any("same front" in p for p in problems)
    assert any("nearly the same" in p for p in problems)


def test_the_checker_reports_thin_considerations():
    problems = check_cards([_card()], GUIDE)
    assert "consideration 1.1.1 has 1 cards (min 3)" in problems
    assert "consideration 6.3.3 has 0 cards (min 3)" in problems


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src="x">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="#" onclick="x">y</a>',
    ],
)
def test_the_markdown_audit_catches_what_the_sanitiser_would_remove(text):
    assert sanitiser_would_change(text) != []


def test_fenced_code_tables_and_lists_pass_the_audit():
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n```sql\nSELECT 1\n```\n\n- one\n- [two](https://cloud.google.com/)"
    assert sanitiser_would_change(text) == []


def test_the_count_table_adds_up():
    table = count_table(CARDS, GUIDE)
    assert table.endswith(f"Total: {len(CARDS)} cards")
    section_totals = [int(line.rsplit(": ", 1)[1].split()[0]) for line in table.splitlines() if line.startswith("Sec")]
    assert sum(section_totals) == len(CARDS)
