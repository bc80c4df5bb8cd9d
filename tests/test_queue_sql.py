"""The queue's queries written in SQL (cards/reviews.py) give exactly what the ORM's access rule and filters give,
for every kind of deck, progress state and scope; a wrong join or a NULL mishandled shows up here."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import caches
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.signals import post_init, pre_init
from django.test.utils import CaptureQueriesContext

from cards import content, queue_sql
from cards.access import studied_deck_q
from cards.models import Card, Consideration, Deck, ExtraNewCards, Objective, Progress, Review, Section
from cards.queue_sql import card_with_progress, due_ids, today_so_far, unstarted
from cards.reviews import CURRICULUM_ORDER, Scope, at_risk_first
from tests.factories import (
    CardFactory,
    ConsiderationFactory,
    DeckFactory,
    DeckShareFactory,
    MembershipFactory,
    ObjectiveFactory,
    ReviewFactory,
    SectionFactory,
    StudyGroupFactory,
    UserFactory,
    edition_2020,
)

TODAY = date(2026, 6, 10)


@pytest.fixture
def world(learner, member, outsider):
    """Two editions' official decks, own, shared and unshared decks; cards in two sections and none; progress in
    every state the queue tells apart."""
    first, second = SectionFactory(number=1), SectionFactory(number=2)
    objectives = [ObjectiveFactory(section=section, position=p) for section in (second, first) for p in (2, 1)]
    considerations = [ConsiderationFactory(objective=o, position=q) for o in objectives for q in (2, 1)]
    official = DeckFactory(owner=None)
    old_official = DeckFactory(owner=None, edition=edition_2020())
    own = DeckFactory(owner=learner, edition=None)
    shared = DeckFactory(owner=member, edition=None)
    unshared = DeckFactory(owner=outsider, edition=None)
    group = StudyGroupFactory()
    MembershipFactory(group=group, user=learner)
    MembershipFactory(group=group, user=member)
    DeckShareFactory(deck=shared, group=group)
    DeckShareFactory(deck=unshared, group=StudyGroupFactory())
    cards = []
    for deck in (official, old_official, own, shared, unshared):
        for n, consideration in enumerate([*considerations, None, None]):
            cards.append(CardFactory(deck=deck, consideration=consideration, position=(n * 7) % 5, retired=n == 3))
    states = [
        {"due": TODAY, "interval": 3},
        {"due": TODAY - timedelta(days=4), "interval": 2},
        {"due": TODAY - timedelta(days=9), "interval": 30},
        {"due": TODAY + timedelta(days=1), "interval": 6},
        {"due": TODAY, "interval": 1, "suspended": True},
        {"due": TODAY, "interval": 1, "buried_until": TODAY + timedelta(days=1)},
        {"due": TODAY, "interval": 1, "buried_until": TODAY},  # buried until today: back in the queue
        {"due": None},  # a first review undone: new again
        {"due": None, "suspended": True},
        {"due": None, "buried_until": TODAY + timedelta(days=1)},
        {"due": None, "buried_until": TODAY},  # new, buried until today: in the queue again
    ]
    for n, card in enumerate(cards):
        if n % 3:  # a third never started
            Progress.objects.create(user=learner, card=card, **states[n % len(states)])
        Progress.objects.create(user=member, card=card, due=TODAY, interval=1)  # someone else's rows never count
    return {"sections": (first, second), "own": own, "shared": shared, "official": official, "cards": cards}


def scopes(world) -> list[Scope]:
    return [
        Scope(),
        *(Scope(section=s) for s in world["sections"]),
        Scope(deck=world["own"]),
        Scope(deck=world["shared"]),
    ]


def orm_due(user, scope: Scope, leave_out: list[int]) -> list[tuple]:
    """(card id, due day, interval) of the due cards, most at risk first by the Python key the SQL mirrors."""
    return sorted(
        Progress.objects.filter(user=user, due__lte=TODAY, suspended=False, card__in=scope.cards(user))
        .exclude(card_id__in=leave_out)
        .exclude(buried_until__gt=TODAY)
        .values_list("card_id", "due", "interval"),
        key=lambda row: at_risk_first(row, TODAY),
    )


def orm_unstarted(user, scope: Scope, official: bool, limit: int) -> list[int]:
    started = Progress.objects.filter(user=user).filter(
        Q(due__isnull=False) | Q(suspended=True) | Q(buried_until__gt=TODAY)
    )
    cards = scope.cards(user).exclude(id__in=started.values("card_id")).filter(deck__owner__isnull=official)
    order = CURRICULUM_ORDER if official else ("position", "deck_id", "id")
    return list(cards.order_by(*order).values_list("id", flat=True)[:limit])


@pytest.mark.parametrize("edition", ["current", "2020"])
def test_the_queues_sql_finds_the_same_decks_due_cards_and_new_cards_as_the_orm(world, learner, edition):
    if edition == "2020":
        learner.exam_edition = edition_2020()
        learner.save()
    assert Card.objects.filter(deck__in=Deck.objects.filter(studied_deck_q(learner))).exists()
    for scope in scopes(world):
        decks = scope.deck_ids(learner)
        official, others = decks.official, decks.others
        assert decks.version == content.version() is not None
        studied = Deck.objects.filter(studied_deck_q(learner))
        if scope.deck is not None:
            studied = studied.filter(id=scope.deck.id)
        assert sorted(official) == sorted(studied.filter(owner__isnull=True).values_list("id", flat=True))
        assert sorted(others) == sorted(studied.filter(owner__isnull=False).values_list("id", flat=True))
        due = orm_due(learner, scope, [])
        assert due_ids(learner, scope, official + others, TODAY, []) == [card_id for card_id, _, _ in due]
        leave_out = [card_id for card_id, _, _ in due[::2]]
        assert due_ids(learner, scope, official + others, TODAY, leave_out) == [
            card_id for card_id, _, _ in orm_due(learner, scope, leave_out)
        ]
        for limit in (0, 1, 3, 500):
            assert unstarted(learner, scope, official, TODAY, curriculum=True, limit=limit) == orm_unstarted(
                learner, scope, True, limit
            )
            assert unstarted(learner, scope, others, TODAY, curriculum=False, limit=limit) == orm_unstarted(
                learner, scope, False, limit
            )


def test_the_world_covers_what_the_comparison_needs(world, learner):
    """The comparison above means something only if each query has rows to return and rows to leave out."""
    scope = Scope()
    decks = scope.deck_ids(learner)
    official, others = decks.official, decks.others
    assert official and len(others) == 2  # own and shared; never the unshared deck or the other edition's
    due = orm_due(learner, scope, [])
    assert due_ids(learner, scope, official + others, TODAY, []) == [card_id for card_id, _, _ in due]
    assert len(due) > 5
    assert len({interval for _, _, interval in due}) > 2
    assert len(unstarted(learner, scope, official, TODAY, curriculum=True, limit=500)) >= 3
    assert len(unstarted(learner, scope, others, TODAY, curriculum=False, limit=500)) >= 3


def test_the_database_orders_due_cards_as_the_python_key_does_ties_included(learner):
    """Equal risks (2 days late on 2, 4 late on 4; 1 late on 3, 2 late on 6, one float) go to the older due day,
    then the card id; nothing overdue, to the card id; a zero interval counts as one day."""
    deck = DeckFactory(owner=None)
    states = [(4, 4), (2, 2), (2, 2), (1, 3), (2, 6), (0, 5), (0, 1), (10, 100), (1, 0), (3, 1)]
    cards = [CardFactory(deck=deck, position=n) for n in range(len(states))]
    for card, (late, interval) in zip(reversed(cards), states, strict=True):  # ids out of the rows' order
        Progress.objects.create(user=learner, card=card, due=TODAY - timedelta(days=late), interval=interval)
    rows = Progress.objects.filter(user=learner).values_list("card_id", "due", "interval")
    expected = [card_id for card_id, _, _ in sorted(rows, key=lambda row: at_risk_first(row, TODAY))]
    assert due_ids(learner, Scope(), [deck.id], TODAY, []) == expected
    assert len(set(expected)) == len(states)


@pytest.mark.parametrize("edition", ["current", "2020"])
def test_a_scopes_card_is_found_exactly_when_the_orm_finds_it(world, learner, edition):
    if edition == "2020":
        learner.exam_edition = edition_2020()
        learner.save()
    for scope in scopes(world):
        studied = set(scope.cards(learner).values_list("id", flat=True))
        assert studied  # every scope has cards to find, and (below) cards it must refuse
        assert len(studied) < len(world["cards"])
        for card in world["cards"]:
            if card.id in studied:
                assert scope.card(learner, card.id) == card
            else:
                with pytest.raises(Card.DoesNotExist):
                    scope.card(learner, card.id)


# --- The exam deck's curriculum order, cached by content version (cards/content.py) ---------------------------------


@pytest.fixture
def exam_deck(official_deck) -> Deck:
    return Deck.objects.get(owner=None, edition__is_current=True)


def next_new(learner, deck) -> list[int]:
    return unstarted(learner, Scope(), [deck.id], TODAY, curriculum=True, limit=3)


def order_queries(captured) -> int:
    return sum("SELECT c.id, o.section_id" in q["sql"] for q in captured.captured_queries)


def test_the_curriculum_order_is_read_once_per_content_version(learner, exam_deck):
    with CaptureQueriesContext(connection) as captured:
        first = next_new(learner, exam_deck)
        again = next_new(learner, exam_deck)
    assert first == again and order_queries(captured) == 1
    Progress.objects.create(user=learner, card_id=first[0], due=TODAY, interval=1)  # learners' work is not content
    with CaptureQueriesContext(connection) as captured:
        assert next_new(learner, exam_deck)[:2] == first[1:]
    assert order_queries(captured) == 0


def test_a_process_reads_the_same_order_from_the_cache_once(learner, exam_deck, monkeypatch):
    cache = caches["content"]
    reads = []
    monkeypatch.setattr(cache, "get", lambda key, *args: reads.append(key) or type(cache).get(cache, key, *args))
    first = next_new(learner, exam_deck)
    assert next_new(learner, exam_deck) == first and len(reads) == 1
    content.forget()
    assert next_new(learner, exam_deck) == first and len(reads) == 2


# Each change made without Django's signals or save(), as a deck load, a bulk edit or raw SQL would: only the
# database's triggers can tell the cache.
@pytest.mark.parametrize("change", ["section moved first", "card retired", "card added", "card deleted"])
def test_any_change_to_the_exam_content_is_seen_at_once_however_it_is_made(learner, exam_deck, change):
    before = next_new(learner, exam_deck)
    card = Card.objects.get(id=before[0])
    if change == "section moved first":
        section = Section.objects.filter(edition=exam_deck.edition).order_by("-number").first()
        Section.objects.filter(id=section.id).update(number=0)
        expected = Card.objects.filter(consideration__objective__section=section, retired=False)
        expected = expected.order_by(*CURRICULUM_ORDER).first().id
    elif change == "card retired":
        Card.objects.filter(id=card.id).update(retired=True)
        expected = before[1]
    elif change == "card added":
        added = Card(deck=exam_deck, consideration=card.consideration, front="New?", back="New.", position=0)
        expected = Card.objects.bulk_create([added])[0].id
    else:
        Card.objects.filter(id=card.id).delete()
        expected = before[1]
    assert expected != before[0] and next_new(learner, exam_deck)[0] == expected


def test_a_learners_own_cards_leave_the_content_version_alone(learner, exam_deck):
    version = content.version()
    own = DeckFactory(owner=learner, edition=None)
    CardFactory(deck=own, consideration=None)
    Card.objects.filter(deck=own).update(front="Changed?")
    Deck.objects.filter(id=own.id).update(title="Renamed")
    Card.objects.filter(deck=own).delete()
    assert content.version() == version is not None
    Deck.objects.filter(id=exam_deck.id).update(title="Renamed")
    assert content.version() != version


# --- Today so far: counted by the database, as the rows would count -------------------------------------------------


def today_from_rows(learner, day: date, scope_key: str) -> tuple:
    """What the queue read from today's review rows before: counts by kind, the latest review, the re-drill."""
    rows = list(
        Review.objects.filter(user=learner, study_day=day, undone_at__isnull=True)
        .exclude(kind__in=Review.UNGRADED)
        .order_by("reviewed_at", "id")
        .values_list("id", "card_id", "grade", "kind")
    )
    latest: dict[int, int] = {}
    for _, card_id, grade, kind in rows:
        if kind != Review.Kind.PRACTICE:
            latest.pop(card_id, None)
            latest[card_id] = grade
    extra = ExtraNewCards.objects.filter(user=learner, study_day=day, scope=scope_key).first()
    return (
        sum(kind == Review.Kind.SCHEDULED for _, _, _, kind in rows),
        sum(kind == Review.Kind.NEW for _, _, _, kind in rows),
        extra.count if extra else 0,
        rows[-1][0] if rows else None,
        [card_id for card_id, grade in latest.items() if grade < 4],
    )


@pytest.mark.parametrize("seed", range(5))
def test_todays_counts_latest_review_and_drill_match_the_days_rows(learner, seed):
    """Random days of every kind of entry (grades of each kind, practice, carried and moved entries, undone grades,
    other days, another learner, extra new cards in two scopes): the one-row summary says what the rows say."""
    rng = random.Random(seed)
    other = UserFactory()
    cards = [CardFactory() for _ in range(6)]
    start = datetime(2026, 6, 10, 5, tzinfo=UTC)
    for n in range(40):
        when = start + timedelta(minutes=rng.randrange(0, 600))
        kind = rng.choice(list(Review.Kind.values))
        ReviewFactory(
            user=other if n % 9 == 0 else learner,
            card=rng.choice(cards),
            reviewed_at=when if n % 7 else when - timedelta(days=1),
            grade=None if kind in Review.UNGRADED else rng.randrange(0, 6),
            kind=kind,
            undone_at=when if n % 11 == 0 else None,
        )
    ExtraNewCards.objects.create(user=learner, study_day=TODAY, scope="all", count=rng.randrange(1, 9))
    ExtraNewCards.objects.create(user=learner, study_day=TODAY, scope="section:1", count=3)
    for scope_key in ("all", "section:1", "deck:9"):
        summary = today_so_far(learner, scope_key, TODAY)
        expected = today_from_rows(learner, TODAY, scope_key)
        assert (summary.scheduled, summary.new, summary.extra_new, summary.last_review_id, summary.drill) == expected
    assert expected[4] and expected[3] is not None  # the day has cards to re-drill and a latest review


def test_a_card_with_its_taxonomy_and_progress_is_read_as_the_orm_reads_it(world, learner):
    """card_with_progress: every field of the card, its deck, consideration, objective, section and the learner's
    progress row (none for a card never started, none for another learner's row), with dates as dates."""
    for card in world["cards"]:
        found, progress = card_with_progress(learner, card.id)
        orm = Card.objects.select_related("deck", "consideration__objective__section").get(id=card.id)
        assert model_to_values(found) == model_to_values(orm)
        assert model_to_values(found.deck) == model_to_values(orm.deck)
        if orm.consideration is None:
            assert found.consideration is None
        else:
            for ours, theirs in [
                (found.consideration, orm.consideration),
                (found.consideration.objective, orm.consideration.objective),
                (found.consideration.objective.section, orm.consideration.objective.section),
            ]:
                assert model_to_values(ours) == model_to_values(theirs)
        mine = Progress.objects.filter(user=learner, card=card).first()
        assert (model_to_values(progress) if progress else None) == (model_to_values(mine) if mine else None)
        for loaded in (found, found.deck, progress):
            if loaded is not None:
                assert (loaded._state.adding, loaded._state.db) == (False, "default")
    assert card_with_progress(learner, 10**9) == (None, None)


def test_the_models_read_in_sql_have_no_init_signal_receivers():
    """queue_sql.instance builds them without Model.__init__, so that a pre_init or post_init receiver would
    never run: adding one must change instance() too."""
    for model in (Card, Deck, Consideration, Objective, Section, Progress):
        assert not pre_init.has_listeners(model) and not post_init.has_listeners(model), model


def test_an_instance_read_in_sql_saves_as_an_update(learner):
    card = CardFactory()
    found, _ = card_with_progress(learner, card.id)
    found.front = "Changed in a test"
    found.save()
    assert list(Card.objects.values_list("id", "front")) == [(card.id, "Changed in a test")]


def model_to_values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _columns(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_grades_writes_store_what_the_orms_save_stores(learner):
    card, other = CardFactory(), CardFactory()
    at = datetime(2026, 6, 10, 9, 30, 15, 123456, tzinfo=UTC)
    state = {"repetitions": 3, "easiness": 2.36, "interval": 6, "due": date(2026, 6, 16), "lapses": 1}
    state |= {"review_count": 4, "last_reviewed_at": at, "version": 4, "stability": 5.5, "suspended": True}
    ours, theirs = Progress(user=learner, card=card, **state), Progress(user=learner, card=other, **state)
    queue_sql.save(ours)  # a new row: inserted, its id read back
    theirs.save()
    assert ours.pk and not ours._state.adding and ours._state.db == "default"
    mine, orm = Progress.objects.get(pk=ours.pk), Progress.objects.get(pk=theirs.pk)
    assert _columns(mine) | {"id": 0, "card_id": 0} == _columns(orm) | {"id": 0, "card_id": 0}

    mine.due, mine.easiness, mine.last_reviewed_at, mine.suspended = None, 1.3, None, False  # a loaded row: updated
    orm.due, orm.easiness, orm.last_reviewed_at, orm.suspended = None, 1.3, None, False
    queue_sql.save(mine)
    orm.save()
    assert _columns(Progress.objects.get(pk=mine.pk)) | {"id": 0, "card_id": 0} == _columns(
        Progress.objects.get(pk=orm.pk)
    ) | {"id": 0, "card_id": 0}
    assert Progress.objects.count() == 2  # updated in place, nothing inserted

    before = {f"before_{k}": v for k, v in state.items() if k not in ("version", "suspended")}
    after = {"after_repetitions": 4, "after_easiness": 2.4, "after_interval": 15, "after_due": date(2026, 6, 25)}
    fields = {"reviewed_at": at, "study_day": TODAY, "grade": 4, "kind": Review.Kind.SCHEDULED, "due_shift": -1}
    review = Review(user=learner, card=card, **fields, **before, **after, after_stability=7.25)
    queue_sql.save(review)
    assert review.pk == Review.objects.get().pk
    assert _columns(Review.objects.get()) == _columns(review)


def test_a_second_progress_row_for_the_same_card_is_refused(learner):
    card = CardFactory()
    queue_sql.save(Progress(user=learner, card=card))
    with pytest.raises(IntegrityError), transaction.atomic():
        queue_sql.save(Progress(user=learner, card=card))
