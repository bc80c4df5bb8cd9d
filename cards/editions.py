"""Which exam guide edition a learner or a group prepares for (reads only; switching lives in cards/reviews.py).

An empty choice means "the current exam", so that new accounts and new groups follow the edition candidates sit
now without anyone writing it down for them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import StudyGroup, User
from cards.models import Edition, Section


def edition_q(chooser: User | StudyGroup, field: str = "edition") -> Q:
    """A filter on ``field`` (an Edition foreign key) for the edition a learner or a group prepares for.

    Written as a join on ``is_current`` when nothing was chosen, so the hot paths need no query to find it.
    """
    chosen = chooser.exam_edition_id if isinstance(chooser, User) else chooser.edition_id
    return Q(**{f"{field}_id": chosen}) if chosen else Q(**{f"{field}__is_current": True})


def current_edition() -> Edition | None:
    return Edition.objects.filter(is_current=True).first()


def edition_of(user: User) -> Edition | None:
    """The edition this learner prepares for, memoised on the user object for the rest of the request."""
    if not hasattr(user, "_edition_cache"):
        user._edition_cache = user.exam_edition if user.exam_edition_id else current_edition()
    return user._edition_cache


def sections_of(chooser: User | StudyGroup) -> QuerySet[Section]:
    return Section.objects.filter(edition_q(chooser)).order_by("number")


def offers_current_edition(user: User, edition: Edition | None) -> Edition | None:
    """The current edition, when ``edition`` (the learner's) is an older one and they have not answered the
    one-time invitation yet; a query only in that case."""
    if user.edition_invite_dismissed or edition is None or edition.is_current:
        return None
    return current_edition()
