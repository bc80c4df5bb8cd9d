"""The group dashboard's figures. Read-only; the definitions of cards/stats.py hold here too.

The group's curriculum is the official deck plus the decks shared with the group (members' personal decks stay out of
it). Per member: cards due now (in that member's own study day), reviews in the last 7 days, retention (share of
scheduled reviews in the last 30 days graded 3 or more), and mastery per exam section (share of the section's
curriculum cards the member holds at an interval of 21 days or more, i.e. mature). A member who hides their figures
is "private" to everyone but themselves, and their rows are not even queried. Five queries, whatever the number of
members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, DateField, F, Q, QuerySet, Value, When

from accounts.models import Membership, StudyGroup, User
from cards.editions import current_edition, edition_q, sections_of
from cards.models import Card, Deck, DeckShare, Edition, Progress, Review, Section
from cards.reviews import today_for
from cards.stats import MATURE_INTERVAL, RECENT_DAYS

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
    other_edition: Edition | None = None  # the exam this member prepares for, when it is not the group's

    @property
    def retention(self) -> int | None:
        """Percent of scheduled reviews passed in the last 30 days; None without any."""
        return round(100 * self.passed_30d / self.scheduled_30d) if self.scheduled_30d else None


@dataclass
class GroupDashboard:
    edition: Edition | None
    sections: list[Section]
    members: list[MemberFigures]
    leaderboard: list[tuple[Membership, int]]  # (membership, reviews in the last 7 days), most first


def group_curriculum(group: StudyGroup) -> QuerySet[Card]:
    """The active cards a group studies together: its edition's official deck and the decks shared with it."""
    shared = DeckShare.objects.filter(group=group).values("deck_id")
    decks = Deck.objects.filter((Q(owner__isnull=True) & edition_q(group)) | Q(id__in=shared))
    return Card.objects.filter(deck__in=decks, retired=False)


def _other_edition(user: User, group_edition: Edition | None) -> Edition | None:
    """The exam a member prepares for when it is not the group's (no query unless the group is on an older one)."""
    if user.exam_edition_id:
        return user.exam_edition if user.exam_edition_id != getattr(group_edition, "id", None) else None
    return None if group_edition is None or group_edition.is_current else current_edition()


def group_dashboard(group: StudyGroup, viewer: User, now: datetime) -> GroupDashboard:
    """Every member's figures for the group page: five queries whatever the number of members."""

    sections = list(sections_of(group).select_related("edition"))
    edition = sections[0].edition if sections else None
    memberships = list(
        Membership.objects.filter(group=group).select_related("user__exam_edition").order_by("joined_at", "id")
    )
    cards = group_curriculum(group)
    section_of = "consideration__objective__section_id"
    # Mastery is an exam figure: the official deck's cards only, each once (shared decks count for activity).
    official = Q(deck__owner__isnull=True)
    totals = dict(cards.filter(official).values_list(section_of).annotate(n=Count("id")).values_list(section_of, "n"))

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
            When(due__lt=first, then=Value(first - timedelta(days=1))),
            default=F("due"),
            output_field=DateField(),
        )
        rows = (
            Progress.objects.filter(user_id__in=visible, card__in=cards)
            .annotate(section=F(f"card__{section_of}"), due_key=due_key)
            .values("user_id", "section", "due_key")
            .annotate(
                n=Count("id"),
                mature=Count(
                    "id", filter=Q(interval__gte=MATURE_INTERVAL, due__isnull=False, card__deck__owner__isnull=True)
                ),
            )
        )
        for row in rows:
            due_by.setdefault(row["user_id"], []).append((row["due_key"], row["n"]))
            key = (row["user_id"], row["section"])
            mastered[key] = mastered.get(key, 0) + row["mature"]

    reviews: dict[int, dict[str, int]] = {}
    counted = visible | ranked
    if counted:
        week, month = now - timedelta(days=GROUP_WEEK_DAYS), now - timedelta(days=RECENT_DAYS)
        scheduled = Q(kind=Review.Kind.SCHEDULED)
        for row in (
            Review.objects.filter(user_id__in=counted, card__in=cards, undone_at__isnull=True, reviewed_at__gte=month)
            .exclude(kind__in=(*Review.UNGRADED, Review.Kind.PRACTICE))  # practice would buy a leaderboard place
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
        other = _other_edition(m.user, edition)
        if m.user_id not in visible:
            members.append(MemberFigures(membership=m, private=True, other_edition=other))
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
                other_edition=other,
            )
        )
    leaderboard = sorted(
        ((m, reviews.get(m.user_id, {}).get("week", 0)) for m in memberships if m.user_id in ranked),
        key=lambda pair: (-pair[1], pair[0].user.username),
    )
    return GroupDashboard(edition=edition, sections=sections, members=members, leaderboard=leaderboard)
