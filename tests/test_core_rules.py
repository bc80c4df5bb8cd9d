"""Rules of the core that a mutation test found unpinned: each test here failed on a deliberately broken line.

Lapses, undo and the form version, practice scope, suspending a card in review, the 30-day windows at their
edges, maturity at exactly 21 days, a weakness score that never goes negative, a rollover hour other than 4, and
the group rules that must answer 404 rather than reveal a user.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cards import balance, section_stats, stats
from cards.marks import bury_card, suspend_card
from cards.models import Progress, Review
from cards.practice import PRACTICE_GONE_NOTICE, build_practice_queue, record_practice
from cards.reviews import (
    LEECH_NOTICE,
    STALE_NOTICE,
    Outcome,
    Scope,
    build_queue,
    interleave_new,
    record_review,
    undo_last_review,
)
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
)

NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def section(db):
    return SectionFactory(number=1, slug="s1")


@pytest.fixture
def cards(section):
    """Four considerations of one section, two official cards each, in curriculum order."""
    deck = DeckFactory(owner=None)
    objective = ObjectiveFactory(section=section)
    result = []
    for position in range(1, 5):
        consideration = ConsiderationFactory(objective=objective, position=position)
        result += [CardFactory(deck=deck, consideration=consideration, position=p) for p in range(2)]
    return result


def in_review(user, card, *, reps=2, interval=6, due=TODAY, easiness=2.5, lapses=0) -> Progress:
    return Progress.objects.create(
        user=user, card=card, repetitions=reps, interval=interval, due=due, easiness=easiness, lapses=lapses, version=1
    )


def grade(user, card, quality, scope=None, now=NOON):
    progress = Progress.objects.filter(user=user, card=card).first()
    version = progress.version if progress else 0
    return record_review(user=user, scope=scope or Scope(), card_id=card.id, quality=quality, version=version, now=now)


# --- lapses and undo --------------------------------------------------------------------------------------------


def test_failing_a_card_in_review_counts_a_lapse_and_restarts_it(learner, cards):
    in_review(learner, cards[0], reps=3, interval=15, lapses=1)
    assert grade(learner, cards[0], 2).recorded
    progress = Progress.objects.get(user=learner, card=cards[0])
    assert (progress.lapses, progress.repetitions, progress.interval, progress.due) == (2, 0, 1, TODAY + timedelta(1))


def test_failing_a_card_with_no_repetitions_is_not_a_lapse(learner, cards):
    in_review(learner, cards[0], reps=0, interval=1)
    assert grade(learner, cards[0], 0).recorded
    assert Progress.objects.get(user=learner, card=cards[0]).lapses == 0


def test_passing_never_counts_a_lapse(learner, cards):
    in_review(learner, cards[0], reps=3, interval=15, lapses=1)
    assert grade(learner, cards[0], 3).recorded
    assert Progress.objects.get(user=learner, card=cards[0]).lapses == 1


def test_undo_bumps_the_version_so_a_form_shown_before_it_is_refused(learner, cards):
    assert grade(learner, cards[0], 5).recorded
    shown_before_undo = Progress.objects.get(user=learner, card=cards[0]).version
    undo_last_review(user=learner, now=NOON)
    assert Progress.objects.get(user=learner, card=cards[0]).version == shown_before_undo + 1
    outcome = record_review(
        user=learner, scope=Scope(), card_id=cards[0].id, quality=4, version=shown_before_undo, now=NOON
    )
    assert (outcome.recorded, outcome.notice) == (False, STALE_NOTICE)
    assert Review.objects.filter(user=learner, undone_at__isnull=True).count() == 0


# --- suspending a card that is in review ------------------------------------------------------------------------


def test_suspending_a_due_card_takes_it_out_of_the_due_list_and_the_next_due_day(learner, cards):
    in_review(learner, cards[0], due=TODAY)
    in_review(learner, cards[1], due=TODAY + timedelta(days=3))
    learner.new_cards_per_day = 0
    assert build_queue(learner, Scope(), NOON).due_ids == [cards[0].id]
    suspend_card(user=learner, card_id=cards[0].id)
    queue = build_queue(learner, Scope(), NOON)
    assert queue.due_ids == [] and queue.card is None
    assert queue.next_due == TODAY + timedelta(days=3)
    suspend_card(user=learner, card_id=cards[1].id)
    assert build_queue(learner, Scope(), NOON).next_due is None


def test_suspending_a_card_waiting_for_its_re_drill_takes_it_out_of_the_drill(learner, cards):
    in_review(learner, cards[0], due=TODAY)
    learner.new_cards_per_day = 0
    assert grade(learner, cards[0], 2).recorded
    assert build_queue(learner, Scope(), NOON).drill_ids == [cards[0].id]
    suspend_card(user=learner, card_id=cards[0].id)
    assert build_queue(learner, Scope(), NOON).drill_ids == []


# --- practice scope ---------------------------------------------------------------------------------------------


def test_practice_refuses_a_seen_card_of_the_section_outside_the_drill(learner, section, cards):
    # Three weak considerations (lapses) and a fourth, solid one: the drill covers the three weakest only.
    for card in cards[:6]:
        in_review(learner, card, lapses=3, easiness=1.5)
    for card in cards[6:]:
        in_review(learner, card, lapses=0, easiness=2.8)
    weakest = section_stats.weakest_consideration_ids(learner, section, NOON)
    assert cards[6].consideration_id not in weakest and len(weakest) == 3
    outcome = record_practice(
        user=learner, section=section, consideration_ids=weakest, card_id=cards[6].id, quality=4, version=1, now=NOON
    )
    assert (outcome.recorded, outcome.notice) == (False, PRACTICE_GONE_NOTICE)
    assert not Review.objects.exists()
    assert record_practice(
        user=learner, section=section, consideration_ids=weakest, card_id=cards[0].id, quality=4, version=1, now=NOON
    ).recorded


# --- windows at their edges -------------------------------------------------------------------------------------


def test_the_last_30_study_days_are_today_and_the_29_before(learner, section, cards):
    in_review(learner, cards[0])
    in_review(learner, cards[1])
    for card, days_back in ((cards[0], 29), (cards[1], 30)):
        ReviewFactory(user=learner, card=card, kind="scheduled", grade=0, reviewed_at=NOON - timedelta(days=days_back))
    # The failure 29 study days back counts; the one 30 days back is outside both windows.
    assert stats.recent_retention_by_section(learner, TODAY)[section.id] == stats.Ratio(0, 1)
    assert section_stats.consideration_rows(learner, section, TODAY)[0].recent == stats.Ratio(1, 1)


def test_a_card_at_exactly_21_days_is_mature_and_at_20_is_not(learner, section, cards):
    in_review(learner, cards[0], interval=21, due=TODAY + timedelta(days=21))
    in_review(learner, cards[1], interval=20, due=TODAY + timedelta(days=20))
    counts = stats.card_counts_by_section(learner, TODAY)[section.id]
    assert (counts.seen, counts.mature) == (2, 1)


def test_a_weakness_score_is_never_negative_when_cards_are_easier_than_new(learner, section, cards):
    for card in cards[:2]:
        in_review(learner, card, easiness=3.0)
    row = section_stats.consideration_rows(learner, section, TODAY)[0]
    assert row.avg_easiness == 3.0
    assert row.ease_gap == 0.0
    assert row.weakness == 0.0


# --- a rollover hour other than 4 -------------------------------------------------------------------------------


def test_a_rollover_at_6_keeps_05_30_on_the_day_before_for_grades_stats_and_practice(learner, section, cards):
    learner.rollover_hour = 6
    learner.save()
    early = datetime(2026, 6, 10, 5, 30, tzinfo=UTC)
    with time_machine.travel(early, tick=False):
        assert grade(learner, cards[0], 5, now=early).recorded
        review = Review.objects.get(user=learner)
        assert review.study_day == date(2026, 6, 9)
        assert Progress.objects.get(user=learner, card=cards[0]).due == date(2026, 6, 10)
        assert stats.activity_by_day(learner, date(2026, 6, 9)) == {date(2026, 6, 9): 1}
    # At 06:30 a new study day has begun: the card is due and yesterday's grade is no longer today's.
    later = datetime(2026, 6, 10, 6, 30, tzinfo=UTC)
    queue = build_queue(learner, Scope(), later)
    assert (queue.today, cards[0].id in queue.due_ids) == (TODAY, True)
    assert undo_last_review(user=learner, now=later) is None
    with time_machine.travel(early, tick=False):
        outcome = record_practice(
            user=learner,
            section=section,
            consideration_ids=[cards[0].consideration_id],
            card_id=cards[0].id,
            quality=4,
            version=1,
            now=early,
        )
    assert outcome.recorded and outcome.review.study_day == date(2026, 6, 9)


# --- groups: another group's member is not ours to see ----------------------------------------------------------


@pytest.fixture
def two_groups(db):
    owner, stranger = UserFactory(username="owner"), UserFactory(username="stranger")
    mine, theirs = StudyGroupFactory(slug="mine"), StudyGroupFactory(slug="theirs")
    MembershipFactory(group=mine, user=owner, role="owner")
    MembershipFactory(group=theirs, user=stranger, role="member")
    return owner, stranger, mine, theirs


@pytest.mark.parametrize("data", [{"role": "editor"}, {"role": "banana"}, {}])
@pytest.mark.parametrize("htmx", [False, True])
def test_changing_the_role_of_someone_in_another_group_is_a_404(client, two_groups, data, htmx):
    owner, stranger, _, theirs = two_groups
    client.force_login(owner)
    response = client.post(reverse("member_role", args=["mine", stranger.id]), data, **(HTMX if htmx else {}))
    assert response.status_code == 404
    assert theirs.memberships.get(user=stranger).role == "member"


def test_removing_someone_in_another_group_is_a_404(client, two_groups):
    owner, stranger, _, theirs = two_groups
    client.force_login(owner)
    assert client.post(reverse("member_remove", args=["mine", stranger.id])).status_code == 404
    assert theirs.memberships.filter(user=stranger).exists()


def test_the_share_form_offers_only_groups_where_the_user_may_share(client, db):
    me = UserFactory(username="me")
    owned, edited, joined = (StudyGroupFactory(slug=s, name=s.title()) for s in ("owned", "edited", "joined"))
    MembershipFactory(group=owned, user=me, role="owner")
    MembershipFactory(group=edited, user=me, role="editor")
    MembershipFactory(group=joined, user=me, role="member")
    deck = DeckFactory(owner=me, slug="mydeck")
    already = StudyGroupFactory(slug="already", name="Already")
    MembershipFactory(group=already, user=me, role="owner")
    DeckShareFactory(deck=deck, group=already)
    client.force_login(me)
    form = client.get(reverse("deck_detail", args=["mydeck"])).context["share_form"]
    assert sorted(g.slug for g in form.fields["group"].queryset) == ["edited", "owned"]
    response = client.post(reverse("deck_share", args=["mydeck"]), {"group": "joined"})
    assert response.status_code == 400
    assert not deck.shares.filter(group=joined).exists()


def test_the_share_form_leaves_out_a_group_where_only_someone_else_may_share(client, db):
    me, boss = UserFactory(username="me"), UserFactory(username="boss")
    theirs = StudyGroupFactory(slug="theirs", name="Theirs")
    MembershipFactory(group=theirs, user=boss, role="owner")
    MembershipFactory(group=theirs, user=me, role="member")
    DeckFactory(owner=me, slug="mydeck")
    client.force_login(me)
    form = client.get(reverse("deck_detail", args=["mydeck"])).context["share_form"]
    assert list(form.fields["group"].queryset) == []
    assert client.post(reverse("deck_share", args=["mydeck"]), {"group": "theirs"}).status_code == 400


# --- found by `make mutate` after the queue's split -------------------------------------------------------------


def test_failing_a_card_after_its_first_successful_review_counts_a_lapse(learner, cards):
    in_review(learner, cards[0], reps=1, interval=1)
    assert grade(learner, cards[0], 1).recorded
    assert Progress.objects.get(user=learner, card=cards[0]).lapses == 1


def test_a_re_drill_grade_logs_no_due_day_move(learner, cards):
    in_review(learner, cards[0])
    learner.new_cards_per_day = 0
    assert grade(learner, cards[0], 2).review.kind == Review.Kind.SCHEDULED
    due_after_failing = Progress.objects.get(user=learner, card=cards[0]).due
    drill = grade(learner, cards[0], 4).review
    assert (drill.kind, drill.due_shift, drill.after_due) == (Review.Kind.DRILL, 0, due_after_failing)


def test_the_next_due_day_is_the_learners_own_not_another_learners(learner, cards):
    other = UserFactory()
    in_review(other, cards[1], due=TODAY + timedelta(days=1))
    in_review(learner, cards[1], due=TODAY + timedelta(days=5))
    learner.new_cards_per_day = 0
    queue = build_queue(learner, Scope(), NOON)
    assert (queue.card, queue.next_due) == (None, TODAY + timedelta(days=5))


def test_load_balancing_does_not_count_suspended_cards_as_load(learner, cards):
    """SM-2 gives 15 days, so the due day may land 13 to 17 days out. Days 13, 14, 15 and 17 hold two cards each,
    day 16 ten suspended ones: the 16th is the emptiest day of reviews to come."""
    deck, consideration = cards[0].deck, cards[0].consideration
    in_review(learner, cards[0], reps=2, interval=6)
    for offset, count, suspended in ((13, 2, False), (14, 2, False), (15, 2, False), (17, 2, False), (16, 10, True)):
        for _ in range(count):
            card = CardFactory(deck=deck, consideration=consideration)
            Progress.objects.create(
                user=learner, card=card, repetitions=2, interval=6, due=TODAY + timedelta(days=offset),
                suspended=suspended, version=1,
            )  # fmt: skip
    assert grade(learner, cards[0], 4).recorded
    progress = Progress.objects.get(user=learner, card=cards[0])
    assert (progress.interval, progress.due) == (15, TODAY + timedelta(days=16))


def test_a_grade_counts_one_more_review_of_the_card(learner, cards):
    progress = in_review(learner, cards[0])
    Progress.objects.filter(pk=progress.pk).update(review_count=7)
    assert grade(learner, cards[0], 4).recorded
    assert Progress.objects.get(pk=progress.pk).review_count == 8


def test_a_card_one_day_overdue_on_a_one_day_interval_comes_before_three_days_late_on_four(learner, cards):
    """(today - due) / interval: 1/1 against 3/4."""
    in_review(learner, cards[0], interval=4, due=TODAY - timedelta(days=3))
    in_review(learner, cards[1], interval=1, due=TODAY - timedelta(days=1))
    learner.new_cards_per_day = 0
    assert build_queue(learner, Scope(), NOON).due_ids == [cards[1].id, cards[0].id]


def test_a_buried_due_card_does_not_make_today_the_next_due_day(learner, cards):
    in_review(learner, cards[0], due=TODAY)
    in_review(learner, cards[1], due=TODAY + timedelta(days=3))
    learner.new_cards_per_day = 0
    bury_card(user=learner, card_id=cards[0].id, now=NOON)
    queue = build_queue(learner, Scope(), NOON)
    assert (queue.card, queue.next_due) == (None, TODAY + timedelta(days=3))


def test_the_next_due_day_leaves_out_cards_of_a_deck_the_learner_no_longer_studies(learner, cards):
    group = StudyGroupFactory()
    membership = MembershipFactory(group=group, user=learner)
    shared = CardFactory(deck=DeckShareFactory(group=group, deck=DeckFactory(owner=UserFactory())).deck)
    in_review(learner, shared, due=TODAY + timedelta(days=1))
    in_review(learner, cards[0], due=TODAY + timedelta(days=5))
    learner.new_cards_per_day = 0
    assert build_queue(learner, Scope(), NOON).next_due == TODAY + timedelta(days=1)
    membership.delete()  # left the group: its deck is no longer studied
    assert build_queue(learner, Scope(), NOON).next_due == TODAY + timedelta(days=5)


# --- found by make mutate with one test database per run --------------------------------------------------------


def test_the_queue_names_todays_latest_review_for_undo(learner, cards):
    ReviewFactory(user=learner, card=cards[2], study_day=TODAY - timedelta(days=1))  # yesterday's: not undone today
    assert build_queue(learner, Scope(), NOON).last_review_id is None
    grade(learner, cards[0], 5)
    latest = grade(learner, cards[5], 5).review
    assert build_queue(learner, Scope(), NOON).last_review_id == latest.id != cards[5].id


def test_the_re_drill_takes_the_card_failed_longest_ago_first(learner, cards):
    in_review(learner, cards[0])
    in_review(learner, cards[1])
    learner.new_cards_per_day = 0
    grade(learner, cards[0], 2)
    grade(learner, cards[1], 2)
    assert build_queue(learner, Scope(), NOON).drill_ids == [cards[0].id, cards[1].id]
    grade(learner, cards[0], 2)  # failed again: now the other one has waited longer
    assert build_queue(learner, Scope(), NOON).drill_ids == [cards[1].id, cards[0].id]


def test_the_queue_shows_the_card_the_page_asked_for_when_it_is_in_the_queue(learner, cards):
    assert build_queue(learner, Scope(), NOON).card == cards[0]
    assert build_queue(learner, Scope(), NOON, prefer_card_id=cards[1].id).card == cards[1]


def test_a_due_card_shows_the_learners_own_progress_not_another_learners(learner, cards):
    in_review(UserFactory(), cards[0], interval=30)
    mine = in_review(learner, cards[0], interval=6)
    queue = build_queue(learner, Scope(), NOON)
    assert (queue.card, queue.progress) == (cards[0], mine)


def test_a_new_card_shows_the_learners_own_unstarted_progress_row(learner, cards):
    in_review(UserFactory(), cards[0])  # another learner's progress on the same card
    in_review(learner, cards[7], due=TODAY + timedelta(days=9))  # the learner's progress on another card
    mine = Progress.objects.create(user=learner, card=cards[0], buried_until=TODAY, version=3)  # buried yesterday
    queue = build_queue(learner, Scope(), NOON)
    assert (queue.card, queue.kind, queue.progress, queue.version) == (cards[0], Review.Kind.NEW, mine, 3)


def test_a_new_card_nobody_of_theirs_started_has_no_progress_even_if_another_learner_has(learner, cards):
    in_review(UserFactory(), cards[0], due=TODAY + timedelta(days=2))
    queue = build_queue(learner, Scope(), NOON)
    assert (queue.card, queue.progress, queue.version) == (cards[0], None, 0)


def own_deck_cards(learner, count):
    deck = DeckFactory(owner=learner)
    return deck, [CardFactory(deck=deck, position=p) for p in range(count)]


def test_a_buried_card_of_the_learners_own_deck_is_not_new_today(learner, db):
    deck, own = own_deck_cards(learner, 2)
    bury_card(user=learner, card_id=own[0].id, now=NOON)
    assert build_queue(learner, Scope(deck=deck), NOON).new_ids == [own[1].id]


def test_a_buried_unstarted_card_offers_no_more_new_cards_today(learner, db):
    deck, own = own_deck_cards(learner, 1)
    bury_card(user=learner, card_id=own[0].id, now=NOON)
    queue = build_queue(learner, Scope(deck=deck), NOON)
    assert (queue.card, queue.more_new) == (None, False)


def failed_today(learner, card):
    in_review(learner, card)
    learner.new_cards_per_day = 0
    assert grade(learner, card, 2).recorded


def test_a_suspended_card_waiting_for_its_re_drill_cannot_be_graded(learner, cards):
    failed_today(learner, cards[0])
    suspend_card(user=learner, card_id=cards[0].id)
    outcome = grade(learner, cards[0], 4)
    assert (outcome.recorded, outcome.notice) == (False, "That card is not in today's queue any more.")
    assert outcome.recorded is False and Review.objects.filter(user=learner).count() == 1


def test_a_card_to_re_drill_moved_back_to_today_is_drilled_not_also_due(learner, cards):
    failed_today(learner, cards[0])
    Progress.objects.filter(user=learner, card=cards[0]).update(due=TODAY)
    queue = build_queue(learner, Scope(), NOON)
    assert (queue.due_ids, queue.drill_ids) == ([], [cards[0].id])


def test_burying_a_card_waiting_for_its_re_drill_takes_it_out_of_the_drill(learner, cards):
    failed_today(learner, cards[0])
    bury_card(user=learner, card_id=cards[0].id, now=NOON)
    assert build_queue(learner, Scope(), NOON).drill_ids == []


def test_a_retired_card_waiting_for_its_re_drill_leaves_the_drill(learner, cards):
    failed_today(learner, cards[0])
    cards[0].retired = True
    cards[0].save()
    assert build_queue(learner, Scope(), NOON).drill_ids == []


def test_another_learner_suspending_or_burying_a_card_leaves_it_in_my_drill(learner, cards):
    failed_today(learner, cards[0])
    failed_today(learner, cards[1])
    other = UserFactory()
    suspend_card(user=other, card_id=cards[0].id)
    bury_card(user=other, card_id=cards[1].id, now=NOON)
    assert build_queue(learner, Scope(), NOON).drill_ids == [cards[0].id, cards[1].id]


@pytest.mark.parametrize("quality", [True, 6, -1, "4", 4.0])
def test_a_grade_that_is_not_a_whole_number_from_0_to_5_is_refused(learner, cards, quality):
    with pytest.raises(ValueError, match=r"^The grade must be a whole number from 0 to 5\.$"):
        grade(learner, cards[0], quality)
    assert not Review.objects.exists()


def test_a_progress_row_created_by_a_simultaneous_grade_makes_this_one_stale(learner, cards, monkeypatch):
    def created_meanwhile(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: cards_progress.user_id, cards_progress.card_id")

    monkeypatch.setattr("cards.reviews._record_locked", created_meanwhile)
    assert grade(learner, cards[0], 4) == Outcome(recorded=False, notice=STALE_NOTICE)


@pytest.mark.parametrize(("suspend", "action"), [(True, "suspended it"), (False, "it stays in your reviews")])
def test_the_lapse_that_makes_a_leech_says_what_became_of_it(learner, cards, suspend, action):
    learner.leech_threshold, learner.suspend_leeches = 3, suspend
    in_review(learner, cards[0], reps=3, interval=15, lapses=2)
    outcome = grade(learner, cards[0], 1)
    assert outcome.recorded is True
    assert outcome.notice == LEECH_NOTICE.format(n=3, action=action)
    assert outcome.review.suspended_as_leech is suspend


def test_a_passing_grade_and_a_re_drill_grade_make_no_leech(learner, cards):
    learner.suspend_leeches = True
    in_review(learner, cards[0])
    passed = grade(learner, cards[0], 5)
    assert (passed.notice, passed.review.suspended_as_leech) == ("", False)
    failed_today(learner, cards[1])
    drill = grade(learner, cards[1], 2)
    assert (drill.review.kind, drill.notice, drill.review.suspended_as_leech) == (Review.Kind.DRILL, "", False)
    assert not Progress.objects.filter(suspended=True).exists()


def test_an_fsrs_grade_logs_the_difficulty_it_left(learner, cards):
    learner.scheduler = learner.Scheduler.FSRS
    in_review(learner, cards[0])
    review = grade(learner, cards[0], 4).review
    progress = Progress.objects.get(user=learner, card=cards[0])
    assert review.after_difficulty is not None
    assert (review.after_stability, review.after_difficulty) == (progress.stability, progress.difficulty)


def test_load_balancing_counts_only_the_learners_own_cards(learner, cards):
    """As above: SM-2 gives 15 days, days 13 to 17. The learner has two cards due on each day but the 16th,
    another learner ten on the 16th: the 16th is still the learner's emptiest day."""
    deck, consideration = cards[0].deck, cards[0].consideration
    in_review(learner, cards[0], reps=2, interval=6)
    other = UserFactory()
    load = ((13, 2, learner), (14, 2, learner), (15, 2, learner), (17, 2, learner), (16, 10, other))
    for offset, count, user in load:
        for _ in range(count):
            in_review(user, CardFactory(deck=deck, consideration=consideration), due=TODAY + timedelta(days=offset))
    assert grade(learner, cards[0], 4).recorded
    assert Progress.objects.get(user=learner, card=cards[0]).due == TODAY + timedelta(days=16)


def test_the_due_day_tie_break_is_seeded_by_learner_card_and_review_count_as_a_replay_of_the_log_is(learner, cards):
    """scripts/simulate_plan.py replays grades with the same seed: both pick the same day among equally loaded
    ones, and a card's next review does not always take the same one."""
    progress = in_review(learner, cards[0], reps=2, interval=6)
    shifts = []
    for count in range(8):
        Progress.objects.filter(pk=progress.pk).update(review_count=count)
        shifts.append(grade(learner, cards[0], 4).review.due_shift)
        undo_last_review(user=learner, now=NOON)
    assert shifts == [balance.balanced_shift(15, {}, f"{learner.id}:{cards[0].id}:{count}") for count in range(8)]
    assert len(set(shifts)) > 1


def test_half_of_three_new_cards_rounds_up_to_two_of_the_learners_own():
    assert interleave_new([1, 2, 3], [10, 20, 30], room=3, share=50) == [10, 1, 20]
    assert interleave_new([1, 2], [10, 20], room=2, share=100) == [10, 20]


def test_a_grade_and_an_undo_lock_the_learners_own_row_first(learner, cards):
    """PostgreSQL serialises one learner's grades on their user row (SELECT ... FOR UPDATE) before any other query
    of the write; on SQLite every transaction begins IMMEDIATE, holding the database's write lock, so there is no
    row to lock."""
    user_table = User._meta.db_table
    with CaptureQueriesContext(connection) as grading:
        grade(learner, cards[0], 4)
    with CaptureQueriesContext(connection) as undoing:
        undo_last_review(user=learner, now=NOON)
    for captured in (grading, undoing):
        locks = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
        if connection.vendor == "sqlite":
            assert locks == []
            assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        else:
            assert f"FROM {user_table} WHERE id = {learner.pk} FOR UPDATE" in locks[0]


def test_another_learner_suspending_a_card_leaves_it_in_my_failures_and_chosen_cards_practice(learner, cards):
    other = UserFactory()
    in_review(learner, cards[0])
    in_review(other, cards[0])
    learner.new_cards_per_day = 0
    assert grade(learner, cards[0], 1).recorded
    suspend_card(user=other, card_id=cards[0].id)
    failures = build_practice_queue(learner, None, [], NOON, extra="failures")
    chosen = build_practice_queue(learner, None, [], NOON, card_ids=[cards[0].id, cards[1].id])
    assert (failures.card.id, chosen.card.id) == (cards[0].id, cards[0].id)
    suspend_card(user=learner, card_id=cards[0].id)  # my own suspension does leave it out
    assert build_practice_queue(learner, None, [], NOON, extra="failures").card is None
    assert build_practice_queue(learner, None, [], NOON, card_ids=[cards[0].id, cards[1].id]).card.id == cards[1].id
