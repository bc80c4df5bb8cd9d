"""One card's history for the card-info panel, and the learner's leeches. Read-only."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from cards.models import Card, LeechReport, Progress, Review
from cards.reviews import Scope
from cards.stats import reviews_of


def card_history(user: User, card: Card) -> list[Review]:
    """The card's log for the learner, oldest first (one query): grades, and carried or moved entries; undone
    grades left out."""
    return list(Review.objects.filter(user=user, card=card, undone_at__isnull=True).order_by("reviewed_at", "id"))


@dataclass
class Leech:
    progress: Progress
    history: list[Review]
    reported: bool


def leeches(user: User) -> list[Leech]:
    """The learner's cards at or past their leech threshold, most lapses first, with their grades (three queries)."""
    rows = list(
        Progress.objects.filter(user=user, lapses__gte=user.leech_threshold, card__in=Scope().cards(user))
        .select_related("card__deck", "card__consideration")
        .order_by("-lapses", "card_id")[:200]
    )
    ids = [p.card_id for p in rows]
    history: dict[int, list[Review]] = {}
    for review in reviews_of(user).filter(card_id__in=ids).order_by("reviewed_at", "id"):
        history.setdefault(review.card_id, []).append(review)
    reported = set(LeechReport.objects.filter(reporter=user, card_id__in=ids).values_list("card_id", flat=True))
    return [Leech(p, history.get(p.card_id, []), p.card_id in reported) for p in rows]
