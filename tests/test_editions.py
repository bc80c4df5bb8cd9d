"""Exam guide editions: both official decks load, each learner and group prepares for one edition, switching carries
memory over once and loses nothing, and exam figures count the chosen edition's official deck, each card once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts.models import User
from cards import group_stats, stats
from cards.carry import choose_edition
from cards.deckfile import edition_dirs, read_cards
from cards.decks import clone_deck
from cards.loader import load_all_editions
from cards.models import Card, Consideration, Deck, Edition, Progress, Review, Section
from cards.replay import check_user
from cards.reviews import Scope, build_queue, record_review, undo_last_review
from tests.factories import DeckShareFactory, MembershipFactory, StudyGroupFactory, UserFactory

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def editions(official_deck) -> dict[str, Edition]:
    return {e.year: e for e in Edition.objects.all()}


def official(year: int) -> Deck:
    return Deck.objects.get(owner__isnull=True, edition__year=year)


def carried_pairs() -> list[tuple[Card, Card]]:
    """(2020 card, the 2024 card that carries it), in the 2024 deck's order."""
    rows = Card.objects.filter(deck__edition__year=2024, carried_from__isnull=False).select_related("carried_from")
    return [(card.carried_from, card) for card in rows.order_by("position")]


# --- loading ---------------------------------------------------------------------------------------------------


def test_both_editions_load_with_their_own_taxonomy_and_deck(editions):
    assert [(e.slug, e.is_current) for e in Edition.objects.order_by("year")] == [
        ("pmle-2020", False),
        ("pmle-2024", True),
    ]
    for year, shape in ((2020, (6, 25, 90)), (2024, (6, 16, 66))):
        e = editions[year]
        considerations = Consideration.objects.filter(objective__section__edition=e)
        assert (e.sections.count(), considerations.values("objective").distinct().count(), considerations.count()) == (
            shape
        )
    # The same key names one consideration in each edition.
    assert Consideration.objects.filter(key="1.1.1").count() == 2
    for folder in edition_dirs():
        deck = Deck.objects.get(owner__isnull=True, slug=f"pmle-{folder.name[-4:]}")
        assert deck.cards.filter(retired=False).count() == len(read_cards(folder))


def test_every_carries_line_of_the_files_links_the_two_cards(editions):
    in_files = {c.key: c.carries for c in read_cards(edition_dirs()[1]) if c.carries}
    assert {new.key: old.key for old, new in carried_pairs()} == in_files
    assert all(old.deck.edition.year == 2020 for old, _ in carried_pairs())


def test_loading_every_edition_twice_changes_nothing(editions):
    before = list(Card.objects.order_by("id").values())
    reports = load_all_editions()
    assert [(r.edition, r.added, r.updated, r.retired, r.taxonomy_changes) for r in reports] == [
        ("pmle-2020", 0, 0, 0, 0),
        ("pmle-2024", 0, 0, 0, 0),
    ]
    assert list(Card.objects.order_by("id").values()) == before


# --- who studies what ------------------------------------------------------------------------------------------


def test_a_new_account_starts_on_the_current_exam_and_studies_only_its_deck(client, editions):
    response = client.post(
        reverse("signup"),
        {"username": "newbie", "email": "n@example.com", "password1": "a-long-pass-9!", "password2": "a-long-pass-9!"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.exam_edition is None  # follows the current exam
    user.new_cards_per_day = 500
    queue = build_queue(user, Scope(), NOW)
    decks = Counter(Card.objects.filter(id__in=queue.new_ids).values_list("deck__slug", flat=True))
    assert decks == {"pmle-2024": official(2024).cards.filter(retired=False).count()}
    html = client.get(reverse("home")).content.decode()
    assert "You prepare for the PMLE exam guide (2024)" in html
    assert "Architecting low-code AI solutions" in html and "ML Problem Framing" not in html
    assert "The exam has a new guide" not in html


def test_a_learner_of_2020_studies_only_the_2020_deck_and_is_invited_once(client, editions):
    user = UserFactory(username="veteran", exam_edition=editions[2020], new_cards_per_day=500)
    queue = build_queue(user, Scope(), NOW)
    assert set(Card.objects.filter(id__in=queue.new_ids).values_list("deck__slug", flat=True)) == {"pmle-2020"}
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert "The exam has a new guide" in html and "ML Problem Framing" in html
    response = client.post(reverse("dismiss_edition_invite"))
    assert response.status_code == 302
    assert "The exam has a new guide" not in client.get(reverse("home")).content.decode()
    user.refresh_from_db()
    assert user.exam_edition == editions[2020]  # dismissing changes nothing else


def test_the_invitation_switches_to_the_current_exam(client, editions):
    user = UserFactory(username="veteran", exam_edition=editions[2020])
    client.force_login(user)
    response = client.post(reverse("choose_edition"), {"edition": "pmle-2024"}, follow=True)
    assert "You now prepare for the PMLE exam guide (2024)" in response.content.decode()
    user.refresh_from_db()
    assert (user.exam_edition, user.edition_invite_dismissed) == (editions[2024], True)


@pytest.mark.parametrize("value", ["pmle-1999", "", "1"])
def test_an_unknown_edition_is_refused_and_changes_nothing(client, editions, value):
    user = UserFactory(username="veteran", exam_edition=editions[2020])
    client.force_login(user)
    response = client.post(reverse("choose_edition"), {"edition": value}, follow=True)
    assert (
        "Choose one of the exam guide editions" in response.content.decode() or "required" in response.content.decode()
    )
    user.refresh_from_db()
    assert user.exam_edition == editions[2020]


def test_the_settings_page_offers_every_edition_with_the_current_one_chosen(client, editions):
    client.force_login(UserFactory(username="fresh"))
    html = client.get(reverse("preferences")).content.decode()
    assert '<option value="pmle-2024" selected>PMLE exam guide (2024) (the exam as taken now)</option>' in html
    assert '<option value="pmle-2020">PMLE exam guide (2020)</option>' in html


def test_the_other_editions_official_deck_can_be_seen_but_not_studied(client, editions):
    client.force_login(UserFactory(username="fresh"))
    assert client.get(reverse("deck_detail", args=["pmle-2020"])).status_code == 200
    response = client.get(reverse("deck_review", args=["pmle-2020"]))
    assert response.status_code == 403
    assert "choose that exam in Settings" in response.content.decode()
    assert client.get(reverse("deck_review", args=["pmle-2024"])).status_code == 200


# --- old URLs --------------------------------------------------------------------------------------------------


def test_section_urls_of_the_chosen_edition_work_and_others_send_home_with_a_word(client, editions):
    veteran = UserFactory(username="veteran", exam_edition=editions[2020])
    client.force_login(veteran)
    for name in ("section_dashboard", "section_review", "section_practice"):
        assert client.get(reverse(name, args=["ml-problem-framing"])).status_code == 200
    client.force_login(UserFactory(username="fresh"))
    response = client.get(reverse("section_dashboard", args=["ml-problem-framing"]))
    assert (response.status_code, response.url) == (302, reverse("home"))
    home = client.get(response.url).content.decode()
    assert "is a section of the PMLE exam guide (2020), and you prepare for another exam" in home
    assert client.get(reverse("section_dashboard", args=["architecting-low-code-ai-solutions"])).status_code == 200
    assert client.get(reverse("section_dashboard", args=["no-such-section"])).status_code == 404


def test_grading_in_a_section_of_another_edition_changes_nothing(client, editions):
    fresh = UserFactory(username="fresh")
    client.force_login(fresh)
    card = official(2020).cards.first()
    url = reverse("section_grade", args=["ml-problem-framing"])
    response = client.post(url, {"card": card.id, "version": 0, "quality": 4})
    assert response.status_code == 302
    assert not Review.objects.exists() and not Progress.objects.exists()


# --- switching and carrying over -------------------------------------------------------------------------------


def _learn(user: User, card: Card, grades: list[int], start: date) -> None:
    """Grade ``card`` on consecutive due days, as the learner would have (whole queue, open limits)."""
    for n, quality in enumerate(grades):
        progress = Progress.objects.filter(user=user, card=card).first()
        day = max(progress.due, start) if progress and progress.due else start
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC) + timedelta(minutes=n)
        with time_machine.travel(at, tick=False):
            outcome = record_review(
                user=user, scope=Scope(deck=card.deck), card_id=card.id, quality=quality,
                version=progress.version if progress else 0, now=at,
            )  # fmt: skip
        assert outcome.recorded, outcome.notice


@pytest.fixture
def veteran(editions):
    """A 2020 learner with progress on three cards that 2024 cards carry, and on one card nobody carries."""
    user = UserFactory(username="veteran", exam_edition=editions[2020], new_cards_per_day=500)
    pairs = carried_pairs()
    for old, _ in pairs[:3]:
        _learn(user, old, [5, 4, 5], date(2026, 5, 1))
    uncarried = official(2020).cards.exclude(carried_to__isnull=False).first()
    _learn(user, uncarried, [3], date(2026, 6, 1))
    return user


def test_switching_carries_each_earned_state_over_once_and_logs_it(veteran, editions):
    pairs = carried_pairs()[:3]
    old_before = {p.card_id: p.__dict__.copy() for p in Progress.objects.filter(user=veteran)}
    carried = choose_edition(user=veteran, edition=editions[2024], now=NOW)
    assert carried == 3
    for old, new in pairs:
        source = Progress.objects.get(user=veteran, card=old)
        target = Progress.objects.get(user=veteran, card=new)
        assert (target.repetitions, target.easiness, target.interval, target.due) == (
            source.repetitions, source.easiness, source.interval, source.due,
        )  # fmt: skip
        log = Review.objects.get(user=veteran, card=new)
        assert (log.kind, log.grade, log.study_day, log.after_due) == ("carried", None, TODAY, source.due)
    # The old cards' progress is exactly as it was.
    for p in Progress.objects.filter(user=veteran, card__deck__edition__year=2020):
        fields = {k: v for k, v in p.__dict__.items() if not k.startswith("_")}
        assert fields == {k: v for k, v in old_before[p.card_id].items() if not k.startswith("_")}
    assert check_user(veteran.id) == []


def test_switching_back_and_forth_loses_nothing_and_carries_nothing_twice(veteran, editions):
    choose_edition(user=veteran, edition=editions[2024], now=NOW)
    _, new = carried_pairs()[0]
    target = Progress.objects.get(user=veteran, card=new)
    assert target.due < TODAY  # overdue: graded tomorrow, after the switch
    _learn(veteran, new, [2], TODAY + timedelta(days=1))  # a lapse on the 2024 card, which must survive what follows
    after_lapse = Progress.objects.get(user=veteran, card=new)
    snapshot = {
        (p.card_id, p.repetitions, p.easiness, p.interval, p.due) for p in Progress.objects.filter(user=veteran)
    }
    assert choose_edition(user=veteran, edition=editions[2020], now=NOW + timedelta(days=2)) == 0
    due_decks = Card.objects.filter(id__in=build_queue(veteran, Scope(), NOW).due_ids).values_list("deck", flat=True)
    assert set(due_decks) == {official(2020).id}  # never two official decks at once
    assert choose_edition(user=veteran, edition=editions[2024], now=NOW + timedelta(days=3)) == 0
    assert {
        (p.card_id, p.repetitions, p.easiness, p.interval, p.due) for p in Progress.objects.filter(user=veteran)
    } == snapshot
    assert Progress.objects.get(user=veteran, card=new).interval == after_lapse.interval == 1
    assert Review.objects.filter(user=veteran, kind="carried").count() == 3
    assert check_user(veteran.id) == []


def test_a_card_already_started_in_the_new_edition_is_never_overwritten(veteran, editions):
    _, new = carried_pairs()[1]
    mine = Progress.objects.create(user=veteran, card=new, suspended=True)
    assert choose_edition(user=veteran, edition=editions[2024], now=NOW) == 2
    mine.refresh_from_db()
    assert (mine.due, mine.repetitions, mine.suspended) == (None, 0, True)


def test_carried_entries_are_not_reviews_for_undo_counts_or_the_drill(client, veteran, editions):
    reviews_before = stats.activity_by_day(veteran, TODAY)
    choose_edition(user=veteran, edition=editions[2024], now=NOW)
    assert undo_last_review(user=veteran, now=NOW) is None  # nothing graded today: undo walks past carried rows
    assert stats.activity_by_day(veteran, TODAY) == reviews_before
    queue = build_queue(veteran, Scope(), NOW)
    assert queue.drill_ids == []
    client.force_login(veteran)
    html = client.get(reverse("home")).content.decode()
    assert "<strong>0</strong> reviews done today" in html


def test_check_progress_replays_every_log_and_reports_a_tampered_row(veteran, editions):
    choose_edition(user=veteran, edition=editions[2024], now=NOW)
    out = StringIO()
    call_command("check_progress", stdout=out)
    assert "every progress row is what its log replays to" in out.getvalue()
    _, new = carried_pairs()[0]
    Progress.objects.filter(user=veteran, card=new).update(interval=99)
    with pytest.raises(CommandError, match="1 mismatch"):
        call_command("check_progress", stdout=StringIO())


# --- exact section figures -------------------------------------------------------------------------------------


def _section_totals(user: User) -> dict[str, int]:
    return {row.section.slug: row.counts.total for row in stats.home_overview(user, NOW).sections}


def test_cloning_the_official_deck_never_changes_exam_figures(client, editions):
    user = UserFactory(username="cloner")
    deck = official(2024)
    expected = Counter(
        deck.cards.filter(retired=False).values_list("consideration__objective__section__slug", flat=True)
    )
    assert _section_totals(user) == expected
    clone_deck(deck=deck, owner=user)
    clone_deck(deck=deck, owner=user)
    overview = stats.home_overview(user, NOW)
    assert _section_totals(user) == expected  # not 2x or 3x
    assert overview.totals.total == overview.overall.coverage.whole == sum(expected.values())
    assert {row.section.slug: row.own_cards for row in overview.sections} == {k: 2 * v for k, v in expected.items()}
    client.force_login(user)
    for section in Section.objects.filter(edition=editions[2024]):
        response = client.get(reverse("section_dashboard", args=[section.slug]))
        dash = response.context["dash"]
        assert dash.counts.total == expected[section.slug]  # never more than the deck holds
        assert sum(row.counts.total for row in dash.rows) == expected[section.slug]
        assert f"Your own cards on this section: {2 * expected[section.slug]}" in response.content.decode()
    home = client.get(reverse("home")).content.decode()
    assert f"Your own cards on this section: {2 * expected['serving-and-scaling-models']}" in home


def test_a_shared_deck_filed_under_sections_counts_for_activity_not_for_group_mastery(editions):
    owner, other = UserFactory(username="owner"), UserFactory(username="other", exam_edition=editions[2020])
    group = StudyGroupFactory()
    MembershipFactory(group=group, user=owner, role="owner")
    MembershipFactory(group=group, user=other)
    DeckShareFactory(deck=clone_deck(deck=official(2024), owner=owner), group=group)
    dashboard = group_stats.group_dashboard(group, owner, NOW)
    assert dashboard.edition == editions[2024]
    expected = Counter(official(2024).cards.values_list("consideration__objective__section_id", flat=True))
    assert {cell.section.id: cell.total for cell in dashboard.members[0].mastery} == expected
    assert [(row.membership.user.username, row.other_edition) for row in dashboard.members] == [
        ("owner", None),
        ("other", editions[2020]),
    ]


def test_a_group_prepares_for_the_edition_its_owner_sets(client, editions):
    owner = UserFactory(username="owner")
    client.force_login(owner)
    client.post(reverse("group_create"), {"name": "Old guard", "edition": "pmle-2020"})
    group = owner.study_groups.get()
    assert group.edition == editions[2020]
    html = client.get(reverse("group_detail", args=[group.slug])).content.decode()
    assert "Mastery per exam section of the PMLE exam guide (2020)" in html
    assert "prepares for the 2024 exam" in html  # the owner follows the current exam
    client.post(reverse("group_edit", args=[group.slug]), {"name": "Old guard", "edition": ""})
    group.refresh_from_db()
    assert group.edition is None
    assert "prepares for the" not in client.get(reverse("group_detail", args=[group.slug])).content.decode()


def test_a_member_on_the_groups_own_edition_is_not_flagged_as_preparing_for_another(client, db):
    from tests.factories import SectionFactory, current_edition, edition_2020

    current_edition()
    old = edition_2020()
    SectionFactory(edition=old, number=1)
    group = StudyGroupFactory(slug="old-guard", edition=old)
    owner = UserFactory(username="owner", exam_edition=old)
    MembershipFactory(group=group, user=owner, role="owner")
    MembershipFactory(group=group, user=UserFactory(username="newer"))  # follows the current exam
    assert [row.other_edition for row in group_stats.group_dashboard(group, owner, NOW).members] == [
        None,
        current_edition(),
    ]
    client.force_login(owner)
    html = client.get(reverse("group_detail", args=["old-guard"])).content.decode()
    assert html.count("prepares for the") == 1 and "prepares for the 2024 exam" in html


# --- the migration that introduced editions --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_existing_data_becomes_the_2020_edition_and_its_learners_stay_on_it():
    executor = MigrationExecutor(connection)
    executor.migrate([("cards", "0003_markdown_limits"), ("accounts", "0002_study_groups")])
    old = executor.loader.project_state([("cards", "0003_markdown_limits"), ("accounts", "0002_study_groups")]).apps
    section = old.get_model("cards", "Section").objects.create(number=1, title="ML Problem Framing", slug="s1")
    old.get_model("cards", "Deck").objects.create(title="PMLE exam guide (2020)", slug="pmle-2020")
    old.get_model("accounts", "User").objects.create(username="veteran")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    edition = Edition.objects.get(slug="pmle-2020")
    assert Section.objects.get(id=section.id).edition == edition
    assert Deck.objects.get(slug="pmle-2020").edition == edition
    assert User.objects.get(username="veteran").exam_edition == edition
