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


# ---------------------------------------------------------------------------------------------------------------
# Study groups: the group dashboard (issue 5). Appended as its own section; its imports are at the start of the
# section so that this block does not touch the imports at the top of the module, which are edited separately.
#
# The group's curriculum is the official deck plus the decks shared with the group (members' personal decks stay
# out of it). Per member: cards due now (in that member's own study day), reviews in the last 7 days, retention
# (share of scheduled reviews in the last 30 days graded 3 or more), and mastery per exam section (share of the
# section's curriculum cards the member holds at an interval of 21 days or more, i.e. mature). A member who hides
# their figures is "private" to everyone but themselves, and their rows are not even queried. Five queries,
# whatever the number of members.
# ---------------------------------------------------------------------------------------------------------------

from datetime import timedelta as _timedelta  # noqa: E402

from django.db.models import Case, DateField, F, Value, When  # noqa: E402
from django.db.models import QuerySet as _QuerySet  # noqa: E402

from accounts.models import Membership, StudyGroup  # noqa: E402
from cards.models import Card as _Card  # noqa: E402
from cards.models import Deck, DeckShare  # noqa: E402
from cards.models import Review as _Review  # noqa: E402

GROUP_MATURE_INTERVAL = 21  # days; the same threshold as "mature" for a learner's own dashboards
GROUP_RETENTION_DAYS = 30
GROUP_WEEK_DAYS = 7
HEAT_LEVELS = 5  # CSS classes heat-0 (nothing mastered) to heat-4 (75% or more)


@dataclass
class MasteryCell:
    section: Section
    mastered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.mastered / self.total) if self.total else 0

    @property
    def level(self) -> int:
        if not self.total or not self.mastered:
            return 0
        return min(1 + self.mastered * (HEAT_LEVELS - 1) // self.total, HEAT_LEVELS - 1)


@dataclass
class MemberFigures:
    membership: Membership  # with its user
    private: bool
    due: int = 0
    reviews_7d: int = 0
    scheduled_30d: int = 0
    passed_30d: int = 0
    mastery: tuple[MasteryCell, ...] = ()  # one per exam section, in order

    @property
    def retention(self) -> int | None:
        """Percent of scheduled reviews passed in the last 30 days; None without any."""
        return round(100 * self.passed_30d / self.scheduled_30d) if self.scheduled_30d else None


@dataclass
class GroupDashboard:
    sections: list[Section]
    members: list[MemberFigures]
    leaderboard: list[tuple[Membership, int]]  # (membership, reviews in the last 7 days), most first


def group_curriculum(group: StudyGroup) -> _QuerySet[_Card]:
    """The active cards a group studies together: the official decks and the decks shared with the group."""
    shared = DeckShare.objects.filter(group=group).values("deck_id")
    decks = Deck.objects.filter(Q(owner__isnull=True) | Q(id__in=shared))
    return _Card.objects.filter(deck__in=decks, retired=False)


def group_dashboard(group: StudyGroup, viewer: User, now: datetime) -> GroupDashboard:
    """Every member's figures for the group page: five queries whatever the number of members."""

    memberships = list(Membership.objects.filter(group=group).select_related("user").order_by("joined_at", "id"))
    sections = list(Section.objects.order_by("number"))
    cards = group_curriculum(group)
    section_of = "consideration__objective__section_id"
    totals = dict(cards.values_list(section_of).annotate(n=Count("id")).values_list(section_of, "n"))

    visible = {m.user_id for m in memberships if m.share_stats or m.user_id == viewer.id}
    ranked = {m.user_id for m in memberships if m.on_leaderboard}
    todays = {m.user_id: today_for(m.user, now) for m in memberships if m.user_id in visible}

    # Members' study days differ by at most a day or two (time zones), so due dates are grouped exactly only inside
    # that window; everything earlier is folded into one bucket, everything later (and new or suspended) into none.
    due_by: dict[int, list[tuple[date | None, int]]] = {}
    mastered: dict[tuple[int, int | None], int] = {}
    if todays:
        first, last = min(todays.values()), max(todays.values())
        due_key = Case(
            When(Q(due__isnull=True) | Q(suspended=True) | Q(due__gt=last), then=Value(None)),
            When(due__lt=first, then=Value(first - _timedelta(days=1))),
            default=F("due"),
            output_field=DateField(),
        )
        rows = (
            Progress.objects.filter(user_id__in=visible, card__in=cards)
            .annotate(section=F(f"card__{section_of}"), due_key=due_key)
            .values("user_id", "section", "due_key")
            .annotate(
                n=Count("id"), mature=Count("id", filter=Q(interval__gte=GROUP_MATURE_INTERVAL, due__isnull=False))
            )
        )
        for row in rows:
            due_by.setdefault(row["user_id"], []).append((row["due_key"], row["n"]))
            key = (row["user_id"], row["section"])
            mastered[key] = mastered.get(key, 0) + row["mature"]

    reviews: dict[int, dict[str, int]] = {}
    counted = visible | ranked
    if counted:
        week, month = now - _timedelta(days=GROUP_WEEK_DAYS), now - _timedelta(days=GROUP_RETENTION_DAYS)
        scheduled = Q(kind=_Review.Kind.SCHEDULED)
        for row in (
            _Review.objects.filter(user_id__in=counted, card__in=cards, undone_at__isnull=True, reviewed_at__gte=month)
            .values("user_id")
            .annotate(
                week=Count("id", filter=Q(reviewed_at__gte=week)),
                scheduled=Count("id", filter=scheduled),
                passed=Count("id", filter=scheduled & Q(grade__gte=3)),
            )
        ):
            reviews[row["user_id"]] = row

    members = []
    for m in memberships:
        if m.user_id not in visible:
            members.append(MemberFigures(membership=m, private=True))
            continue
        today = todays[m.user_id]
        mine = reviews.get(m.user_id, {})
        due = sum(n for day, n in due_by.get(m.user_id, []) if day is not None and day <= today)
        members.append(
            MemberFigures(
                membership=m,
                private=False,
                due=due,
                reviews_7d=mine.get("week", 0),
                scheduled_30d=mine.get("scheduled", 0),
                passed_30d=mine.get("passed", 0),
                mastery=tuple(
                    MasteryCell(section=s, mastered=mastered.get((m.user_id, s.id), 0), total=totals.get(s.id, 0))
                    for s in sections
                ),
            )
        )
    leaderboard = sorted(
        ((m, reviews.get(m.user_id, {}).get("week", 0)) for m in memberships if m.user_id in ranked),
        key=lambda pair: (-pair[1], pair[0].user.username),
    )
    return GroupDashboard(sections=sections, members=members, leaderboard=leaderboard)
