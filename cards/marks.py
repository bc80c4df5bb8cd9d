"""A learner's personal flags on cards (red, orange, green, blue): seen only by them, never part of the schedule.

Only the ``flag`` field of the learner's progress row is written here; a card not studied yet gets a row with no
due day, so it stays new.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from cards.models import Progress
from cards.reviews import Scope


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
