"""Choosing the exam edition a learner prepares for, and carrying their memory over to the new edition's cards."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from accounts.models import User
from cards.models import Card, Edition, Progress, Review
from cards.reviews import state_before, today_for


@transaction.atomic
def choose_edition(*, user: User, edition: Edition, now: datetime) -> int:
    """Make ``edition`` the exam the learner prepares for, and carry their memory over; returns the cards carried.

    An official card of ``edition`` that names a card of the previous edition (``carried_from``) starts with the
    SM-2 state and due day the learner earned on that card, once, and only while they have no progress on the new
    card: nothing is ever overwritten, and the old card's progress stays as it was. Each carry is logged as a
    review of kind "carried" (no grade), so that a replay of the log reproduces the new progress row. Switching
    back and forth therefore loses nothing and carries nothing twice.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()  # one switch at a time per learner
    user.exam_edition = edition
    user.edition_invite_dismissed = True
    user.save(update_fields=["exam_edition", "edition_invite_dismissed"])
    user.__dict__.pop("_edition_cache", None)
    targets = dict(
        Card.objects.filter(deck__owner__isnull=True, deck__edition=edition, retired=False, carried_from__isnull=False)
        .exclude(progress__user=user)
        .values_list("carried_from_id", "id")
    )
    sources = Progress.objects.filter(user=user, card_id__in=list(targets), due__isnull=False, suspended=False)
    today = today_for(user, now)
    fresh = Progress(user=user)
    progress_rows, review_rows = [], []
    for source in sources:
        card_id = targets[source.card_id]
        progress_rows.append(
            Progress(
                user=user,
                card_id=card_id,
                repetitions=source.repetitions,
                easiness=source.easiness,
                interval=source.interval,
                due=source.due,
                stability=source.stability,
                difficulty=source.difficulty,
                version=1,
            )
        )
        review_rows.append(
            Review(
                user=user,
                card_id=card_id,
                reviewed_at=now,
                study_day=today,
                grade=None,
                kind=Review.Kind.CARRIED,
                after_repetitions=source.repetitions,
                after_easiness=source.easiness,
                after_interval=source.interval,
                after_due=source.due,
                **state_before(fresh),
            )
        )
    Progress.objects.bulk_create(progress_rows)
    Review.objects.bulk_create(review_rows)
    return len(progress_rows)


@transaction.atomic
def dismiss_edition_invite(*, user: User) -> None:
    user.edition_invite_dismissed = True
    user.save(update_fields=["edition_invite_dismissed"])
