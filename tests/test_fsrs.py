"""FSRS as a scheduler option: the package's own scheduler on the same study days, undo, switching both ways with
nothing lost, refitting, and the four buttons with their next intervals."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from cards import forecast, fsrs_scheduler, scheduling
from cards.models import FsrsParameters, Progress, Review
from cards.replay import check_user
from cards.reviews import Scope, record_review, undo_last_review
from tests.factories import CardFactory, ConsiderationFactory, DeckFactory, ObjectiveFactory, SectionFactory

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def cards(learner):
    """A learner in New York (study days roll over at 04:00) with three cards of an official deck."""
    learner.time_zone = "America/New_York"
    learner.save()
    deck = DeckFactory(owner=None)
    consideration = ConsiderationFactory(objective=ObjectiveFactory(section=SectionFactory(number=1)))
    return [CardFactory(deck=deck, consideration=consideration, position=n) for n in range(3)]


def at_eight(day: date) -> datetime:
    """08:00 in New York on ``day``: 13:00 UTC in winter, 12:00 UTC in summer."""
    return datetime.combine(day, time(8), NEW_YORK)


def grade(learner, card, quality: int, day: date):
    progress = Progress.objects.filter(user=learner, card=card).first()
    outcome = record_review(
        user=learner,
        scope=Scope(),
        card_id=card.id,
        quality=quality,
        version=progress.version if progress else 0,
        now=at_eight(day),
    )
    assert outcome.recorded, outcome.notice
    return outcome.review


@pytest.mark.parametrize(("grade_", "rating"), [(0, 1), (1, 1), (2, 1), (3, 2), (4, 3), (5, 4)])
def test_stored_grades_read_as_again_hard_good_easy(grade_, rating):
    assert fsrs_scheduler.rating(grade_) == rating


def test_fsrs_schedules_as_the_package_does_on_the_same_study_days_across_a_dst_change(learner, cards):
    """Grades at 08:00 New York time from February to June, across the spring-forward change of 8 March 2026: each
    interval and memory state is the package's own scheduler's (no steps, no fuzz) on the same study days, with
    the learner's desired retention. A late review, a lapse and its re-drill are in the history."""
    learner.scheduler, learner.desired_retention = "fsrs", 0.85
    learner.save()
    card = cards[0]
    package = Scheduler(desired_retention=0.85, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    theirs = FsrsCard()
    day = date(2026, 2, 20)
    for quality, late in [(4, 0), (4, 0), (5, 2), (1, 0), (3, 0), (4, 5), (4, 0)]:
        review = grade(learner, card, quality, day)
        if quality < 4:  # the same-day re-drill: logged, and FSRS's state is left alone
            drill = grade(learner, card, 4, day)
            assert drill.kind == Review.Kind.DRILL and drill.after_stability is None
        moment = datetime.combine(day, time(), UTC)
        theirs, _ = package.review_card(theirs, Rating(fsrs_scheduler.rating(quality)), moment)
        progress = Progress.objects.get(user=learner, card=card)
        assert progress.interval == (theirs.due - moment).days
        assert (progress.stability, progress.difficulty) == (theirs.stability, theirs.difficulty)
        assert (review.after_stability, review.after_interval) == (theirs.stability, progress.interval)
        assert progress.due == day + timedelta(days=progress.interval + review.due_shift)
        day = progress.due + timedelta(days=late)
    assert day > date(2026, 6, 1)  # the history did cross the DST change
    assert check_user(learner.id) == []


def test_a_dst_change_does_not_shorten_the_elapsed_time(learner, cards):
    """Two grades at 08:00 local, one study day on each side of spring-forward: 23 hours apart in UTC, but a whole
    study day to FSRS, exactly as two grades a day apart in January."""
    learner.scheduler = "fsrs"
    learner.save()
    grade(learner, cards[0], 4, date(2026, 3, 7))
    progress = Progress.objects.get(card=cards[0])
    memory = scheduling.memory_of(learner, progress)
    assert memory.day == date(2026, 3, 7)
    across = fsrs_scheduler.review(scheduling.fsrs_for(learner), memory, date(2026, 3, 8), 4)
    january = fsrs_scheduler.review(
        scheduling.fsrs_for(learner), fsrs_scheduler.replay(scheduling.fsrs_for(learner), [(date(2026, 1, 7), 4)]),
        date(2026, 1, 8), 4,
    )  # fmt: skip
    assert across[0].stability == january[0].stability and across[1] == january[1]


def test_undo_restores_the_memory_state_exactly(learner, cards):
    learner.scheduler = "fsrs"
    learner.save()
    grade(learner, cards[0], 4, date(2026, 3, 1))
    before = Progress.objects.get(card=cards[0])
    day = before.due
    grade(learner, cards[0], 1, day)
    assert Progress.objects.get(card=cards[0]).stability != before.stability
    undo_last_review(user=learner, now=at_eight(day))
    after = Progress.objects.get(card=cards[0])
    fields = ("repetitions", "easiness", "interval", "due", "lapses", "stability", "difficulty")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert after.version == before.version + 2


def save_scheduler(client, learner, scheduler: str):
    data = {"time_zone": learner.time_zone, "rollover_hour": 4, "new_cards_per_day": 20, "max_reviews_per_day": 200}
    data |= {"own_new_share": 30, "plan_days_before": 14, "leech_threshold": 8}
    data |= {"scheduler": scheduler, "desired_retention": "0.9"}
    return client.post(reverse("preferences"), data, follow=True)


def test_switching_to_fsrs_and_back_rebuilds_memory_from_the_log_and_loses_nothing(learner, learner_client, cards):
    day = date(2026, 3, 1)
    for card, quality in zip(cards, [4, 2, 5], strict=True):
        grade(learner, card, quality, day)
    grade(learner, cards[0], 3, Progress.objects.get(card=cards[0]).due)
    kept = ("repetitions", "easiness", "interval", "due", "lapses", "review_count")
    sm2_state = {p.card_id: [getattr(p, f) for f in kept] for p in Progress.objects.filter(user=learner)}

    response = save_scheduler(learner_client, learner, "fsrs")
    assert "FSRS schedules your cards from now on: 3 memory states rebuilt" in response.content.decode()
    package = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    for progress in Progress.objects.filter(user=learner):
        assert [getattr(progress, f) for f in kept] == sm2_state[progress.card_id]  # only the memory was added
        theirs = FsrsCard()
        for review in Review.objects.filter(card=progress.card, kind__in=["new", "scheduled"]).order_by("id"):
            moment = datetime.combine(review.study_day, time(), UTC)
            theirs, _ = package.review_card(theirs, Rating(fsrs_scheduler.rating(review.grade)), moment)
        assert (progress.stability, progress.difficulty) == (theirs.stability, theirs.difficulty)

    # A grade under FSRS continues from the rebuilt state, then SM-2 continues from the card's current interval.
    learner.refresh_from_db()
    review = grade(learner, cards[2], 4, Progress.objects.get(card=cards[2]).due)
    assert review.after_stability is not None
    fsrs_interval = Progress.objects.get(card=cards[2]).interval
    response = save_scheduler(learner_client, learner, "sm2")
    assert "SM-2 schedules your cards from now on" in response.content.decode()
    progress = Progress.objects.get(card=cards[2])
    assert (progress.interval, progress.stability, progress.difficulty) == (fsrs_interval, None, None)
    learner.refresh_from_db()
    review = grade(learner, cards[2], 4, progress.due)
    assert review.after_interval == math.ceil(fsrs_interval * review.before_easiness)  # SM-2 from the FSRS interval
    assert review.after_stability is None
    assert check_user(learner.id) == []


def test_a_card_carried_from_the_previous_edition_keeps_its_memory_under_fsrs(learner):
    from cards.carry import choose_edition
    from tests.factories import current_edition, edition_2020

    old, new = edition_2020(), current_edition()
    old_deck, new_deck = DeckFactory(owner=None, edition=old), DeckFactory(owner=None, edition=new)
    section_of = {e: SectionFactory(edition=e, number=1, slug=f"s-{e.slug}") for e in (old, new)}
    consideration_of = {e: ConsiderationFactory(objective=ObjectiveFactory(section=s)) for e, s in section_of.items()}
    source = CardFactory(deck=old_deck, consideration=consideration_of[old])
    target = CardFactory(deck=new_deck, consideration=consideration_of[new], carried_from=source)
    learner.exam_edition, learner.scheduler = old, "fsrs"
    learner.save()
    grade(learner, source, 4, date(2026, 3, 1))
    grade(learner, source, 5, Progress.objects.get(card=source).due)
    choose_edition(user=learner, edition=new, now=at_eight(date(2026, 3, 10)))
    carried, original = Progress.objects.get(card=target), Progress.objects.get(card=source)
    assert (carried.stability, carried.difficulty) == (original.stability, original.difficulty)
    memory = scheduling.memory_of(learner, carried)
    assert memory.day == Review.objects.filter(card=source).latest("id").study_day
    scheduling.rebuild_memory(learner)  # rebuilt from the log, the carried card inherits the source's history
    assert Progress.objects.get(card=target).stability == pytest.approx(original.stability)


def test_refitting_rebuilds_the_memory_states_with_the_new_parameters(learner, cards, monkeypatch):
    learner.scheduler = "fsrs"
    learner.save()
    grade(learner, cards[0], 4, date(2026, 3, 1))
    grade(learner, cards[0], 4, Progress.objects.get(card=cards[0]).due)
    before = Progress.objects.get(card=cards[0]).stability
    fitted = list(forecast.default_parameters())
    fitted[0] = fitted[2] = fitted[3] = 4.0  # what a fit might return: longer first stabilities
    monkeypatch.setattr(forecast, "fit", lambda histories: fitted)
    assert scheduling.refit(learner, at_eight(date(2026, 3, 20))) == 2
    assert FsrsParameters.objects.get(user=learner).parameters == fitted
    after = Progress.objects.get(card=cards[0]).stability
    expected = fsrs_scheduler.replay(
        fsrs_scheduler.scheduler(fsrs_scheduler.within_bounds(fitted), 0.9),
        forecast.histories_of(learner)[cards[0].id],
    )
    assert after == expected.stability != before


def test_the_review_screen_shows_fsrs_four_buttons_with_their_next_intervals(learner, learner_client, cards):
    learner.scheduler = "fsrs"
    learner.save()
    learner_client.get(reverse("review"))  # the exam deck's order is cached once per content version: warm
    with CaptureQueriesContext(connection) as queries:
        html = learner_client.get(reverse("review") + f"?reveal={cards[0].id}").content.decode()
    assert len(queries) == 8  # one more than SM-2's: the learner's fitted parameters
    intervals = fsrs_scheduler.next_intervals(scheduling.fsrs_for(learner), None, date.today(), [1, 3, 4, 5])
    assert intervals == [1, 1, 2, 8]  # a new card with the published parameters at 0.90
    for key, (value, label) in enumerate(fsrs_scheduler.BUTTONS, start=1):
        assert f'value="{value}" class="grade grade-{value}" data-key="{key}"' in html
        assert f'<span class="label">{label}</span>' in html
    assert 'name="quality" value="0"' not in html and 'name="quality" value="2"' not in html
    assert '<span class="effect">8 days</span>' in html and '<span class="effect">1 day, again today</span>' in html


def test_sm2_learners_see_six_buttons_unless_they_choose_four(learner, learner_client, cards):
    url = reverse("review") + f"?reveal={cards[0].id}"
    assert learner_client.get(url).content.decode().count('name="quality"') == 6
    learner.compact_grades = True
    learner.save()
    html = learner_client.get(url).content.decode()
    assert html.count('name="quality"') == 4 and 'value="3" class="grade grade-3" data-key="2"' in html


def test_card_info_shows_the_fsrs_memory_state(learner, learner_client, cards):
    learner.scheduler = "fsrs"
    learner.save()
    grade(learner, cards[0], 4, date(2026, 3, 1))
    html = learner_client.get(reverse("card_info", args=[cards[0].id])).content.decode()
    assert "FSRS stability <strong>2.3</strong> days, difficulty <strong>2.1</strong> of 10" in html


def test_settings_say_where_the_parameters_come_from_and_refit_from_there(learner, learner_client):
    html = learner_client.get(reverse("preferences")).content.decode()
    assert "The published defaults: fitting needs 400 graded days" in html
    response = learner_client.post(reverse("refit_fsrs"), {"next": reverse("preferences") + "#fsrs"})
    assert response["Location"] == reverse("preferences") + "#fsrs"
    fitted_at = at_eight(date(2026, 3, 1))
    FsrsParameters.objects.create(
        user=learner, parameters=forecast.default_parameters(), graded=512, fitted_at=fitted_at
    )
    assert "Fitted to your own 512 graded days of cards." in learner_client.get(reverse("preferences")).content.decode()
