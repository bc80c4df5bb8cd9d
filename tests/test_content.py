"""The official deck's content: coverage of the exam guide, card quality, safe Markdown, read-next links."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cards.deckfile import (
    MAX_BACK,
    MAX_FRONT,
    CardData,
    check_all,
    check_cards,
    count_table,
    edition_dirs,
    read_cards,
    read_guide,
)
from cards.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, OWN_IMAGE, class_allowed, markdown_to_html

# The guides as published, kept in the repository so that a clone checks itself (docs/exam-guides/).
GUIDE_FILES = Path(__file__).resolve().parent.parent / "docs" / "exam-guides"
EDITIONS = {path.name: (read_guide(path), read_cards(path)) for path in edition_dirs()}
GUIDE_2020, CARDS_2020 = EDITIONS["pmle2020"]
GUIDE_2024, CARDS_2024 = EDITIONS["pmle2024"]
ALL_CARDS = [(name, card) for name, (_, cards) in EDITIONS.items() for card in cards]


def test_both_editions_are_in_the_repository_and_2024_is_the_current_exam():
    assert list(EDITIONS) == ["pmle2020", "pmle2024"]
    assert (GUIDE_2020.slug, GUIDE_2020.edition["current"]) == ("pmle-2020", False)
    assert (GUIDE_2024.slug, GUIDE_2024.edition["current"]) == ("pmle-2024", True)


@pytest.mark.parametrize(
    ("guide", "shape"), [(GUIDE_2020, (6, 25, 90)), (GUIDE_2024, (6, 16, 66))], ids=["2020", "2024"]
)
def test_the_taxonomy_is_the_whole_guide(guide, shape):
    objectives = [o for s in guide.sections for o in s["objective"]]
    assert (len(guide.sections), len(objectives), len(guide.consideration_keys())) == shape
    assert len(set(guide.consideration_keys())) == shape[2]


@pytest.mark.parametrize(("guide", "year"), [(GUIDE_2020, 2020), (GUIDE_2024, 2024)], ids=["2020", "2024"])
def test_the_taxonomy_titles_match_the_published_guide(guide, year):
    text = (GUIDE_FILES / f"pmle-exam-guide-{year}.md").read_text().replace("★ ", "").replace("★", "")
    for section in guide.sections:
        assert f"### Section {section['number']}: {section['title']}" in text
        for objective in section["objective"]:
            assert f"**{objective['number']} {objective['title']}.**" in text
            for consideration in objective["consideration"]:
                assert f"- {consideration['title']}\n" in text


def test_the_2024_guide_marks_the_starred_considerations_and_weights_add_up():
    assert GUIDE_2024.starred_keys() == {"1.2.1", "1.2.2", "1.2.3", "2.1.6", "2.2.1", "2.2.6", "2.3.2", "3.2.7"}
    assert sum(s["weight"] for s in GUIDE_2024.sections) == 100


def test_every_consideration_has_its_minimum_of_cards():
    for guide, cards in EDITIONS.values():
        counts = Counter(c.consideration for c in cards)
        thin = {k: counts[k] for k in guide.consideration_keys() if counts[k] < guide.min_cards(k)}
        assert thin == {}
    assert min(Counter(c.consideration for c in CARDS_2024).values()) >= 4
    assert len(CARDS_2020) >= 270 and len(CARDS_2024) >= 280


def test_every_card_belongs_to_a_consideration_of_its_guide():
    for guide, cards in EDITIONS.values():
        known = set(guide.consideration_keys())
        assert [c.key for c in cards if c.consideration not in known] == []


def test_both_decks_pass_every_check():
    assert check_all() == {"pmle2020": [], "pmle2024": []}


def test_the_2024_deck_is_mostly_scenarios_and_covers_every_generative_ai_topic():
    kinds = Counter(c.kind for c in CARDS_2024)
    assert kinds["scenario"] >= len(CARDS_2024) / 2
    assert kinds["fact"] <= len(CARDS_2024) / 20
    tags = Counter(t for c in CARDS_2024 for t in c.tags)
    assert {topic: tags[topic] for topic in GUIDE_2024.rules["topics"] if tags[topic] < 6} == {}


def test_carried_cards_name_real_2020_cards_once_each():
    keys_2020 = {c.key for c in CARDS_2020}
    carried = [c.carries for c in CARDS_2024 if c.carries]
    assert set(carried) <= keys_2020
    assert len(carried) == len(set(carried)) > 50


@pytest.mark.parametrize(("edition", "card"), ALL_CARDS, ids=lambda v: v if isinstance(v, str) else v.key)
def test_card_fields_are_present_and_not_too_long(edition, card: CardData):
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
            elif name == "class" and not all(class_allowed(tag, c) for c in (value or "").split()):
                self.problems.append(f"<{tag} class={value}>")
            if name == "href" and not (value or "").startswith("https://"):
                self.problems.append(f"href={value}")
            if tag == "img" and name == "src" and not OWN_IMAGE.fullmatch(value or ""):
                self.problems.append(f"src={value}")  # only the site's own card images are kept


def sanitiser_would_change(markdown_text: str) -> list[str]:
    audit = _Audit()
    audit.feed(markdown_to_html(markdown_text))
    return audit.problems


@pytest.mark.parametrize(("edition", "card"), ALL_CARDS, ids=lambda v: v if isinstance(v, str) else v.key)
def test_markdown_renders_and_the_sanitiser_leaves_it_alone(edition, card: CardData):
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
    problems = check_cards([card], GUIDE_2020, require_coverage=False)
    assert any(problem in p for p in problems), problems


def test_the_checker_reports_duplicate_and_near_duplicate_fronts():
    a = _card(key="1.1.1-a", front="Which service streams IoT events into a pipeline?")
    b = _card(key="1.1.1-b", front="Which service streams IoT events into a pipeline ?!")
    c = _card(key="1.1.1-c", front="Which service streams IoT events into the pipeline?")
    problems = check_cards([a, b, c], GUIDE_2020, require_coverage=False)
    assert any("same front" in p for p in problems)
    assert any("nearly the same" in p for p in problems)


def test_the_checker_reports_thin_considerations():
    problems = check_cards([_card()], GUIDE_2020)
    assert "consideration 1.1.1 has 1 cards (min 3)" in problems
    assert "consideration 6.3.3 has 0 cards (min 3)" in problems
    problems = check_cards([_card(kind="scenario", tags=("rag",))], GUIDE_2024)
    assert "consideration 1.1.1 has 1 cards (min 4)" in problems
    assert "consideration 1.2.3 has 0 cards (min 6)" in problems  # starred
    assert "topic rag has 1 cards (min 6)" in problems


@pytest.mark.parametrize(
    ("card", "problem"),
    [
        (_card(kind="", tags=("rag",)), "kind must be one of"),
        (_card(kind="trivia", tags=("rag",)), "kind must be one of"),
        (_card(kind="scenario"), "needs at least one topic tag"),
        (_card(kind="scenario", tags=("Bad Tag",)), "tag 'Bad Tag'"),
        (_card(kind="scenario", tags=("rag",), link="https://ai.google/responsibility/"), "read-next link"),
    ],
)
def test_the_checker_holds_2024_cards_to_their_rules(card, problem):
    problems = check_cards([card], GUIDE_2024, require_coverage=False)
    assert any(problem in p for p in problems), problems


def test_the_checker_reports_the_shares_of_kinds():
    cards = [_card(key=f"1.1.1-c{i}", front=f"Q{i}: " + "w" * i, kind="fact", tags=("x",)) for i in range(4)]
    problems = check_cards(cards, GUIDE_2024)
    assert "scenario cards are 0% (min 50%)" in problems
    assert "fact cards are 100% (max 5%)" in problems


def test_the_checker_reports_unknown_and_repeated_carries():
    previous = [_card(key="1.1.1-old")]
    cards = [
        _card(key="1.1.1-a", front="A?", carries="1.1.1-old"),
        _card(key="1.1.1-b", front="B?", carries="1.1.1-old"),
        _card(key="1.1.1-c", front="C?", carries="9.9.9-gone"),
    ]
    problems = check_cards(cards, GUIDE_2024, require_coverage=False, previous=previous)
    assert "1.1.1-old is carried by 2 cards (at most 1)" in problems
    assert any("carries '9.9.9-gone', which is not a card of the previous edition" in p for p in problems)


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


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_the_count_table_adds_up(edition):
    guide, cards = EDITIONS[edition]
    table = count_table(cards, guide)
    assert table.endswith(f"Total: {len(cards)} cards")
    section_totals = [int(line.rsplit(": ", 1)[1].split()[0]) for line in table.splitlines() if line.startswith("Sec")]
    assert sum(section_totals) == len(cards)
