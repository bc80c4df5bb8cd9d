"""Read-only queries behind the home page and dashboards. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q

from accounts.models import User
from cards.models import Progress, Section
from cards.reviews import Scope, build_queue, today_for

@dataclass
class SectionRow:
    section: Section
    cards: int
    due: int
    new: int

@dataclass
class HomeOverview:
    today: date
    sections: list[SectionRow]
    due: int
    new: int
    drill: int

def home_overview(user: User, now: datetime) -> HomeOverview:
    """Today's work overall (as the queue will serve it) and per exam section."""
    today = today_for(user, now)
    queue = build_queue(user, Scope(), now)
    cards = Scope().cards(user)
    section_key = "consideration__objective__section_id"
    totals = dict(cards.values_list(section_key).annotate(n=Count("id")).values_list(section_key, "n"))
    due = dict(
        Progress.objects.filter(user=user, due__lte=today, suspended=False, card__in=cards)
        .values_list(f"card__{section_key}")
        .annotate(n=Count("id"))
    )
    started = Progress.objects.filter(user=user).filter(Q(due__isnull=False) | Q(suspended=True))
    new = dict(
        cards.exclude(id__in=started.values("card_id"))
        .values_list(section_key)
        .annotate(n=Count("id"))
        .values_list(section_key, "n")
    )
    rows = [
        SectionRow(section=s, cards=totals.get(s.id, 0), due=due.get(s.id, 0), new=new.get(s.id, 0))
        for s in Section.objects.all()
    ]
    return HomeOverview(
        today=today, sections=rows, due=queue.due_count, new=queue.new_count, drill=queue.drill_count
    )

__all__ = ["Card", "home_overview"]
