"""A learner's own marks on the cards they study: suspend, bury until tomorrow, a personal flag (red, orange,
green, blue), and a leech report to the card's editors. None of them touches the schedule.

Each writes only its own field of the learner's progress row (with its version, where an open review form must
become stale); a card not studied yet gets a row with no due day, so it stays new.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from accounts.models import User
from cards.models import LeechReport, Progress
from cards.reviews import Scope, today_for


@transaction.atomic
def set_flag(*, user: User, card_id: int, flag: int) -> Progress:
    """Flag (or, with 0, unflag) a card the learner studies; ``Card.DoesNotExist`` for any other card."""
    if flag not in Progress.Flag.values:
        raise ValueError("Choose a flag: none, red, orange, green or blue.")
    card = Scope().cards(user).get(id=card_id)
    progress, _ = Progress.objects.select_for_update().get_or_create(user=user, card=card)
    if progress.flag != flag:
        progress.flag = flag
        progress.save(update_fields=["flag"])
    return progress


def _set_suspended(*, user: User, card_id: int, suspended: bool) -> Progress:
    # Only cards the learner studies may be suspended: anything else is Card.DoesNotExist, a 404 for the caller.
    card = Scope().cards(user).get(id=card_id)
    with transaction.atomic():
        progress, _ = Progress.objects.select_for_update().get_or_create(user=user, card=card)
        if progress.suspended != suspended:
            progress.suspended = suspended
            progress.version += 1  # an open review form for this card is now stale
            progress.save(update_fields=["suspended", "version"])
    return progress


@transaction.atomic
def bury_card(*, user: User, card_id: int, now: datetime) -> Progress:
    """Leave a card out of today's queue (new or due), without touching its schedule; it is back tomorrow."""
    card = Scope().cards(user).get(id=card_id)
    progress, _ = Progress.objects.select_for_update().get_or_create(user=user, card=card)
    progress.buried_until = today_for(user, now) + timedelta(days=1)
    progress.version += 1  # an open review form for this card is now stale
    progress.save(update_fields=["buried_until", "version"])
    return progress


def suspend_card(*, user: User, card_id: int) -> Progress:
    """Take a card out of this learner's queue (for them only) until they unsuspend it; its schedule is kept."""
    return _set_suspended(user=user, card_id=card_id, suspended=True)


def unsuspend_card(*, user: User, card_id: int) -> Progress:
    """Put a suspended card back: due again on its old due day, or new if it was never reviewed."""
    return _set_suspended(user=user, card_id=card_id, suspended=False)


@transaction.atomic
def report_leech(*, user: User, card_id: int, note: str) -> LeechReport:
    """Tell a card's editors it keeps being forgotten; reporting again replaces the learner's earlier note."""
    card = Scope().cards(user).get(id=card_id)
    progress = Progress.objects.filter(user=user, card=card).first()
    report, _ = LeechReport.objects.update_or_create(
        card=card, reporter=user, defaults={"note": note, "lapses": progress.lapses if progress else 0}
    )
    return report
