from __future__ import annotations

import random
from datetime import date, timedelta

import factory

from accounts.models import Membership, StudyGroup, User
from cards import queue_sql
from cards.models import Card, Consideration, Deck, DeckShare, Edition, Objective, Progress, Review, Section
from cards.studyday import study_day, study_day_start


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")


def current_edition() -> Edition:
    """The edition factory-made sections and official decks belong to: the current one, as the loader names it."""
    return Edition.objects.get_or_create(
        slug="pmle-2024", defaults={"title": "PMLE exam guide (2024)", "year": 2024, "is_current": True}
    )[0]


def edition_2020() -> Edition:
    """The 2020 edition as the loader names it (the ``official_deck`` fixture fills it)."""
    return Edition.objects.get_or_create(
        slug="pmle-2020", defaults={"title": "PMLE exam guide (2020)", "year": 2020, "is_current": False}
    )[0]


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ("slug",)

    year = factory.Sequence(lambda n: 2030 + n)
    slug = factory.LazyAttribute(lambda e: f"pmle-{e.year}")
    title = factory.LazyAttribute(lambda e: f"PMLE exam guide ({e.year})")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    edition = factory.LazyFunction(current_edition)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda s: f"Section {s.number}")
    slug = factory.LazyAttribute(lambda s: f"section-{s.number}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    section = factory.SubFactory(SectionFactory)
    position = 1
    number = factory.LazyAttribute(lambda o: f"{o.section.number}.{o.position}")
    title = factory.LazyAttribute(lambda o: f"Objective {o.number}")


class ConsiderationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consideration

    objective = factory.SubFactory(ObjectiveFactory)
    position = 1
    key = factory.LazyAttribute(lambda c: f"{c.objective.number}.{c.position}")
    title = factory.LazyAttribute(lambda c: f"Consideration {c.key}")


class DeckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deck

    title = factory.Sequence(lambda n: f"Deck {n}")
    slug = factory.Sequence(lambda n: f"deck-{n}")
    owner = None
    edition = factory.LazyAttribute(lambda d: current_edition() if d.owner is None else None)


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Card

    deck = factory.SubFactory(DeckFactory)
    consideration = factory.SubFactory(ConsiderationFactory)
    front = factory.Sequence(lambda n: f"Question {n}?")
    back = factory.Sequence(lambda n: f"Answer {n}.")
    position = factory.Sequence(lambda n: n)


# --- Progress and the review log, for the dashboards' tests ------------------------------------------------------


class ProgressFactory(factory.django.DjangoModelFactory):
    """A learner's state for a card; pass ``due`` (and interval, easiness, lapses) to make it a seen card."""

    class Meta:
        model = Progress

    user = factory.SubFactory(UserFactory)
    card = factory.SubFactory(CardFactory)


class ReviewFactory(factory.django.DjangoModelFactory):
    """A hand-built review. Its study day comes from ``reviewed_at`` in the learner's own zone and rollover hour,
    exactly as the app computes it, so fixtures exercise the study-day boundary rather than restate it."""

    class Meta:
        model = Review
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    card = factory.SubFactory(CardFactory)
    reviewed_at = factory.LazyFunction(lambda: study_day_start(date(2026, 6, 10), "UTC", 12))
    study_day = factory.LazyAttribute(lambda r: study_day(r.reviewed_at, r.user.time_zone, r.user.rollover_hour))
    grade = 4
    kind = Review.Kind.SCHEDULED
    before_repetitions = 1
    before_easiness = 2.5
    before_interval = 1
    before_due = None
    before_lapses = 0
    before_review_count = 1
    after_repetitions = 2
    after_easiness = 2.5
    after_interval = 6
    after_due = None

    @factory.post_generation
    def counted(review, create, extracted, **kwargs):
        """Counted in its day's DayCounts, as the app counts every grade it writes."""
        if create and review.undone_at is None:
            queue_sql.count_grade(review)


def seed_history(user: User, cards: list[Card], *, reviews: int, end: date, days: int, seed: int = 0) -> None:
    """Bulk-create a plausible history fast: ``reviews`` review rows over the ``days`` study days ending at ``end``
    and one progress row per card (a tenth left new). Random but seeded, so a size is always the same data."""
    rng = random.Random(seed)
    intervals = (0, 1, 1, 3, 6, 6, 10, 15, 21, 30, 45, 80, 150, 300, 700)
    kinds = [Review.Kind.SCHEDULED] * 14 + [Review.Kind.NEW, Review.Kind.DRILL, Review.Kind.DRILL, Review.Kind.PRACTICE]
    grades = (0, 1, 2, 3, 3, 4, 4, 4, 5, 5)
    progress = []
    for card in cards:
        if rng.random() < 0.1:
            progress.append(Progress(user=user, card=card))
            continue
        interval = rng.choice(intervals[1:])
        progress.append(
            Progress(
                user=user,
                card=card,
                repetitions=rng.randint(1, 8),
                easiness=round(rng.uniform(1.3, 3.0), 2),
                interval=interval,
                due=end + timedelta(days=rng.randint(-5, interval)),
                lapses=rng.randint(0, 4),
                review_count=rng.randint(1, 30),
                version=1,
            )
        )
    Progress.objects.bulk_create(progress, batch_size=2000)
    rows = []
    for _ in range(reviews):
        day = end - timedelta(days=rng.randrange(days))
        at = study_day_start(day, user.time_zone, user.rollover_hour) + timedelta(seconds=rng.randrange(18 * 3600))
        interval = rng.choice(intervals)
        rows.append(
            Review(
                user=user,
                card=rng.choice(cards),
                reviewed_at=at,
                study_day=day,
                grade=rng.choice(grades),
                kind=rng.choice(kinds),
                before_repetitions=1,
                before_easiness=2.5,
                before_interval=interval,
                before_lapses=0,
                before_review_count=1,
                after_repetitions=2,
                after_easiness=2.5,
                after_interval=max(interval, 1),
            )
        )
    rows.sort(key=lambda r: r.reviewed_at)  # the log is appended to in time order, and so laid out on disk
    Review.objects.bulk_create(rows, batch_size=5000)
    queue_sql.recount_days(user.id)


# --- Study groups and shared decks --------------------------------------------------------------------------------


class StudyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyGroup

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(StudyGroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class DeckShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeckShare

    deck = factory.SubFactory(DeckFactory)
    group = factory.SubFactory(StudyGroupFactory)
