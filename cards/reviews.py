"""The daily queue, recording a grade, and undo: the heart of what writes learners' progress (marks.py, carry.py,
practice.py and moves.py write the rest, each its own part).

Follows shared/design/scheduling.md. Views call these functions with the current time; the functions read the
learner's preferences to know which study day it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet

from accounts.models import Membership, User
from cards import balance, queue_sql, scheduling, sm2
from cards.access import studied_deck_q
from cards.models import (
    Card,
    Consideration,
    ContentVersion,
    Deck,
    DeckShare,
    Edition,
    ExtraNewCards,
    Objective,
    Progress,
    Review,
    Section,
)
from cards.studyday import study_day

# Cards without a consideration (a learner's own cards) come after the whole exam curriculum, by deck and position.
# nulls_last is spelled out because SQLite sorts NULL first and PostgreSQL last.
CURRICULUM_ORDER = (
    F("consideration__objective__section__number").asc(nulls_last=True),
    F("consideration__objective__position").asc(nulls_last=True),
    F("consideration__position").asc(nulls_last=True),
    "deck_id",
    "position",
    "id",
)


def today_for(user: User, now: datetime) -> date:
    return study_day(now, user.time_zone, user.rollover_hour)


def studied_decks(user: User) -> QuerySet[Deck]:
    """The decks whose cards are in a learner's queue: the official decks, their own, and their groups' decks."""
    return Deck.objects.filter(studied_deck_q(user))  # the rule itself lives with the other access rules


@dataclass
class StudiedDecks:
    official: list[int]
    others: list[int]
    version: int | None  # the content version (cards/content.py) read with them

    @property
    def all(self) -> list[int]:
        return self.official + self.others


@dataclass(frozen=True)
class Scope:
    """What a review session covers: everything the learner studies, one exam section, or one deck."""

    section: Section | None = None
    deck: Deck | None = None

    @property
    def key(self) -> str:
        if self.deck is not None:
            return f"deck:{self.deck.id}"
        return f"section:{self.section.id}" if self.section is not None else "all"

    def cards(self, user: User) -> QuerySet[Card]:
        cards = Card.objects.filter(deck__in=studied_decks(user), retired=False)
        if self.section is not None:
            cards = cards.filter(consideration__objective__section=self.section)
        if self.deck is not None:
            cards = cards.filter(deck=self.deck)
        return cards

    def deck_ids(self, user: User) -> StudiedDecks:
        """The ids of the decks this scope studies (the official deck's, the own and groups'), and the content
        version (cards/content.py), in one query.

        The rule is ``studied_deck_q`` (cards/access.py), written out in SQL because the queue asks it on every
        review screen and grade: tests/test_queue_sql.py checks that both give the same decks."""
        version = f"(SELECT v.token FROM {ContentVersion._meta.db_table} v WHERE v.id = 1)"
        sql, params = self._decks_sql(user, f"d.id, d.owner_id, {version}")
        decks = StudiedDecks([], [], None)
        for deck_id, owner_id, decks.version in queue_sql.rows(sql, params):
            (decks.official if owner_id is None else decks.others).append(deck_id)
        return decks

    def _decks_sql(self, user: User, columns: str) -> tuple[str, list]:
        official_sql = "d.edition_id = %s" if user.exam_edition_id else f"d.edition_id IN ({_CURRENT_EDITIONS})"
        sql = (
            f"SELECT {columns} FROM {Deck._meta.db_table} d"
            f" WHERE ((d.owner_id IS NULL AND {official_sql}) OR d.owner_id = %s OR d.id IN ({_SHARED_WITH}))"
        )
        params = [user.exam_edition_id] if user.exam_edition_id else [True]
        params += [user.id, user.id]
        if self.deck is not None:
            sql += " AND d.id = %s"
            params.append(self.deck.id)
        return sql, params

    def card(self, user: User, card_id: int) -> Card:
        """``cards(user).get(id=card_id)`` in one SQL query (the grade asks it every time); ``Card.DoesNotExist``
        for a card this scope does not study."""
        decks_sql, params = self._decks_sql(user, "d.id")
        sql = f"SELECT {queue_sql.columns(Card, 'c')} FROM {Card._meta.db_table} c"
        where = "c.id = %s AND c.retired = %s"
        if self.section is not None:
            sql += f" JOIN {Consideration._meta.db_table} co ON co.id = c.consideration_id"
            sql += f" JOIN {Objective._meta.db_table} o ON o.id = co.objective_id"
            where += " AND o.section_id = %s"
        sql += f" WHERE {where} AND c.deck_id IN ({decks_sql})"
        section = [self.section.id] if self.section is not None else []
        found = queue_sql.rows(sql, [card_id, False, *section, *params])
        if not found:
            raise Card.DoesNotExist(f"Card {card_id} is not studied in this scope.")
        return queue_sql.instance(Card, found[0])

    def cards_of(self, deck_ids: list[int]) -> QuerySet[Card]:
        """``cards(user)`` once ``deck_ids`` told the decks: the queries that use it then compare with a list
        instead of compiling the access rule's nested subqueries each time."""
        cards = Card.objects.filter(deck_id__in=deck_ids, retired=False)
        if self.section is not None:
            cards = cards.filter(consideration__objective__section=self.section)
        return cards


@dataclass
class CardPanelState:
    """What the review screen's card panel shows, whichever session fills it (the daily queue or a practice)."""

    today: date
    card: Card | None = None
    progress: Progress | None = None
    next_due: date | None = None  # when the session is over: the first day with due cards
    more_new: bool = False  # when the session is over: unstarted cards wait beyond today's limit ("study more")

    @property
    def next_due_is_tomorrow(self) -> bool:
        return self.next_due == self.today + timedelta(days=1)

    @property
    def version(self) -> int:
        return self.progress.version if self.progress else 0


@dataclass
class Queue(CardPanelState):
    due_ids: list[int] = field(default_factory=list)
    backlog: int = 0  # every card due now, beyond today's cap too
    new_ids: list[int] = field(default_factory=list)
    drill_ids: list[int] = field(default_factory=list)
    kind: str = ""
    last_review_id: int | None = None  # what undo would take back: the undo form names it
    # What the new cards were chosen from, so that a grade can update them (``_after_grade``) without a new plan;
    # the due cards need no more: the first of them up to the review limit, one of which a grade takes away.
    new_room: int = 0
    official_new: list[int] = field(default_factory=list)  # up to new_room of each: the exam deck's in order,
    other_new: list[int] = field(default_factory=list)  # and the own and group decks'
    decks: StudiedDecks | None = None

    @property
    def due_count(self) -> int:
        return len(self.due_ids)

    @property
    def new_count(self) -> int:
        return len(self.new_ids)

    @property
    def drill_count(self) -> int:
        return len(self.drill_ids)

    @property
    def kind_label(self) -> str:
        return Review.Kind(self.kind).label if self.kind else ""

    def kind_of(self, card_id: int) -> str:
        if card_id in self.due_ids:
            return Review.Kind.SCHEDULED
        if card_id in self.new_ids:
            return Review.Kind.NEW
        if card_id in self.drill_ids:
            return Review.Kind.DRILL
        return ""


# The queue's hottest queries are written in SQL: they are simple, but the ORM spent far longer building each one
# than the database spent answering it (about 0.5 ms against 0.02 ms for a one-row read), several times a request.
_CURRENT_EDITIONS = f"SELECT e.id FROM {Edition._meta.db_table} e WHERE e.is_current = %s"
_SHARED_WITH = (
    f"SELECT s.deck_id FROM {DeckShare._meta.db_table} s"
    f" JOIN {Membership._meta.db_table} m ON m.group_id = s.group_id WHERE m.user_id = %s"
)


def at_risk_first(row: tuple[int, date, int], today: date) -> tuple[float, date, int]:
    """Sort key of a due card (card id, due day, interval): the most overdue relative to its interval first,
    ``(today - due) / interval``, then the oldest due, then the card id. With nothing overdue: oldest due first.
    The queue has the database sort by the same key (``queue_sql.due_ids``)."""
    card_id, due, interval = row
    return (-(today - due).days / max(interval, 1), due, card_id)


def interleave_new(official: list[int], others: list[int], room: int, share: int) -> list[int]:
    """Today's new cards: ``share`` percent of ``room`` (rounded) from the learner's own and groups' decks, the rest
    from the exam deck, spread evenly through the day; when one side runs out, the other takes its places."""
    if room <= 0:
        return []
    wanted_others = min(len(others), round(room * share / 100))
    wanted_official = min(len(official), room - wanted_others)
    wanted_others = min(len(others), room - wanted_official)  # the exam deck ran short: the others take the rest
    chosen_official, chosen_others = official[:wanted_official], others[:wanted_others]
    total = wanted_official + wanted_others
    result, placed_others = [], 0
    for n in range(total):
        # Place an own card whenever the share of own cards so far falls behind its share of the whole day.
        if placed_others < wanted_others and (placed_others + 0.5) * total <= (n + 1) * wanted_others:
            result.append(chosen_others[placed_others])
            placed_others += 1
        else:
            result.append(chosen_official[n - placed_others])
    return result


MAX_EXTRA_NEW = 200


@transaction.atomic
def study_more_today(*, user: User, scope: Scope, count: int, now: datetime) -> int:
    """Raise today's new-card limit of this scope only by ``count``; returns today's extra for the scope."""
    if not 1 <= count <= MAX_EXTRA_NEW:
        raise ValueError(f"Choose between 1 and {MAX_EXTRA_NEW} more cards.")
    today = today_for(user, now)
    row, _ = ExtraNewCards.objects.select_for_update().get_or_create(
        user=user, study_day=today, scope=scope.key, defaults={"count": 0}
    )
    row.count = min(row.count + count, MAX_EXTRA_NEW)
    row.save(update_fields=["count"])
    return row.count


def build_queue(user: User, scope: Scope, now: datetime, *, prefer_card_id: int | None = None) -> Queue:
    """Today's queue for a scope: due reviews, new cards within the limit, then the same-day re-drill."""
    queue = _plan(user, scope, today_for(user, now))
    _show(queue, user, scope, prefer_card_id)
    return queue


def _plan(user: User, scope: Scope, today: date) -> Queue:
    """The queue's three lists and counts, without the card to show."""
    todays = queue_sql.today_so_far(user, scope.key, today)
    drill_candidates = todays.drill  # a card is drilled again while its latest grade today is below 4

    decks = scope.deck_ids(user)
    queue = Queue(today=today, last_review_id=todays.last_review_id, decks=decks)
    review_room = max(user.max_reviews_per_day - todays.scheduled, 0)
    due = queue_sql.due_ids(user, scope, decks.all, today, drill_candidates)
    queue.due_ids = due[:review_room]
    queue.backlog = len(due)
    queue.new_room = max(user.new_cards_per_day + todays.extra_new - todays.new, 0)
    # The exam deck in curriculum order; own and group decks by position, so that their decks take turns. Most
    # learners study only the exam deck: no query for the others then.
    queue.official_new = queue_sql.unstarted(
        user, scope, decks.official, today, curriculum=True, limit=queue.new_room, version=decks.version
    )
    queue.other_new = queue_sql.unstarted(user, scope, decks.others, today, curriculum=False, limit=queue.new_room)
    queue.new_ids = interleave_new(queue.official_new, queue.other_new, queue.new_room, user.own_new_share)
    if drill_candidates:
        queue.drill_ids = _drillable(user, scope.cards_of(decks.all), drill_candidates, today)
    return queue


def _show(queue: Queue, user: User, scope: Scope, prefer_card_id: int | None = None) -> None:
    """The card the queue shows next, with its progress; or, when there is none, when cards are due again."""
    ordered = queue.due_ids + queue.new_ids + queue.drill_ids
    if not ordered:
        cards = scope.cards_of(queue.decks.all)
        queue.next_due = (
            Progress.objects.filter(user=user, due__gt=queue.today, suspended=False, card__in=cards)
            .order_by("due")
            .values_list("due", flat=True)
            .first()
        )
        queue.more_new = bool(queue_sql.unstarted(user, scope, queue.decks.all, queue.today, curriculum=False, limit=1))
        return
    card_id = prefer_card_id if prefer_card_id in ordered else ordered[0]
    queue.kind = queue.kind_of(card_id)
    queue.card, queue.progress = queue_sql.card_with_progress(user, card_id)


def _after_grade(queue: Queue, user: User, progress: Progress, kind: str, review: Review) -> bool:
    """Update the queue planned before a grade to what planning it again after the grade gives (the grade, in the
    same transaction, is the only change): the graded card leaves its list, the limit it counted against shrinks,
    and a grade below 4 sends it to the end of the re-drill. False when the grade moved the card's due day to
    today or earlier, which only a new plan places."""
    card_id, today = progress.card_id, queue.today
    if progress.due is not None and progress.due <= today:
        return False
    queue.last_review_id = review.id
    if kind == Review.Kind.SCHEDULED:
        queue.due_ids.remove(card_id)
        queue.backlog -= 1
    elif kind == Review.Kind.NEW:
        for ids in (queue.official_new, queue.other_new):
            if card_id in ids:
                ids.remove(card_id)
        queue.new_room -= 1
        queue.new_ids = interleave_new(queue.official_new, queue.other_new, queue.new_room, user.own_new_share)
    else:
        queue.drill_ids.remove(card_id)
    # A card in the queue is not buried, and a grade buries nothing; it may have been suspended as a leech.
    if review.grade < 4 and not progress.suspended:
        queue.drill_ids.append(card_id)
    queue.card = queue.progress = None
    queue.kind = ""
    return True


def _drillable(user: User, scope_cards: QuerySet[Card], candidates: list[int], today: date) -> list[int]:
    """The candidates for the re-drill that are still in scope, neither suspended nor buried, in their order."""
    # A subquery, not ``exclude(progress__user=user, progress__suspended=True)``: across a many-valued relation
    # exclude() may match the two conditions on different rows, so another learner's suspension or burial of the
    # card took it out of this learner's drill.
    hidden = Progress.objects.filter(Q(suspended=True) | Q(buried_until__gt=today), user=user, card_id__in=candidates)
    drillable = set(
        scope_cards.filter(id__in=candidates).exclude(id__in=hidden.values("card_id")).values_list("id", flat=True)
    )
    return [cid for cid in candidates if cid in drillable]


@dataclass(frozen=True)
class Outcome:
    recorded: bool
    notice: str = ""
    review: Review | None = None
    queue: Queue | None = None  # after a recorded grade: the queue it leaves (the card to show with next_card)


def record_review(
    *, user: User, scope: Scope, card_id: int, quality: int, version: int, now: datetime, next_card: bool = False
) -> Outcome:
    """Record one grade atomically, or nothing when the submission is stale (double click, retry, other tab).

    With ``next_card`` a recorded grade's outcome carries the queue with the next card to show: the plan made to
    check the grade, updated by it, with no second plan.

    Raises ``Card.DoesNotExist`` for a card the learner may not study in this scope, and ``ValueError`` for a
    grade outside 0-5: the caller answers both with a 4xx.
    """
    if isinstance(quality, bool) or not isinstance(quality, int) or quality not in sm2.GRADES:
        raise ValueError("The grade must be a whole number from 0 to 5.")
    card = scope.card(user, card_id)
    try:
        with transaction.atomic():
            lock_learner(user)
            outcome = _record_locked(user=user, scope=scope, card=card, quality=quality, version=version, now=now)
            if next_card and outcome.queue is not None:
                _show(outcome.queue, user, scope)
            return outcome
    except IntegrityError:
        # Another request created this learner's progress row for the card at the same moment: that request
        # won, so this one is the stale duplicate.
        return Outcome(recorded=False, notice=STALE_NOTICE)


STALE_NOTICE = "That card was already graded (a double click or another tab), so nothing was recorded twice."


def lock_learner(user: User) -> None:
    """Serialise one learner's grades and undos (their daily limits and their latest review are decided under it).

    Every write of progress takes this lock first, then the card's progress row: one order, so no deadlock. On
    SQLite the IMMEDIATE transaction already holds the database's write lock, which serialises every writer: there
    is nothing more to take.
    """
    if connection.vendor == "sqlite":
        return
    queue_sql.rows(f"SELECT id FROM {User._meta.db_table} WHERE id = %s FOR UPDATE", [user.pk])


def state_before(progress: Progress) -> dict:
    """The whole progress state, as the Review row keeps it so that undo can restore it exactly."""
    return {
        "before_repetitions": progress.repetitions,
        "before_easiness": progress.easiness,
        "before_interval": progress.interval,
        "before_due": progress.due,
        "before_lapses": progress.lapses,
        "before_review_count": progress.review_count,
        "before_last_reviewed_at": progress.last_reviewed_at,
        "before_stability": progress.stability,
        "before_difficulty": progress.difficulty,
    }


def _record_locked(*, user: User, scope: Scope, card: Card, quality: int, version: int, now: datetime) -> Outcome:
    progress = queue_sql.progress_for_update(user, card.id)
    if (progress.version if progress else 0) != version:
        return Outcome(recorded=False, notice=STALE_NOTICE)
    queue = _plan(user, scope, today_for(user, now))
    kind = queue.kind_of(card.id)
    if not kind:
        return Outcome(recorded=False, notice="That card is not in today's queue any more.")
    if progress is None:
        progress = Progress(user=user, card=card)  # saved once below, with the grade's state: one INSERT
    today = queue.today
    before = state_before(progress)
    shift, leech, memory = 0, False, None
    if kind == Review.Kind.DRILL:
        after = progress.state  # re-drill grades are logged but leave the schedule alone
        due = progress.due
    else:
        after = sm2.review(progress.state, quality)  # repetitions and easiness: SM-2's under either scheduler
        if user.uses_fsrs:
            memory, interval = scheduling.fsrs_review(user, progress, today, quality)
            after = sm2.SM2State(after.repetitions, after.easiness, interval)
            progress.stability, progress.difficulty = memory.stability, memory.difficulty
        shift = _balanced_shift(user, card, today, after.interval, progress.review_count)
        due = today + timedelta(days=after.interval + shift)
        if quality < 3 and progress.repetitions > 0:
            progress.lapses += 1
            leech = progress.lapses == user.leech_threshold
        progress.repetitions, progress.easiness, progress.interval = after.repetitions, after.easiness, after.interval
        progress.due = due
        if leech and user.suspend_leeches:
            progress.suspended = True
    progress.review_count += 1
    progress.last_reviewed_at = now
    progress.version += 1
    queue_sql.save(progress)
    review = Review(
        user=user,
        card=card,
        reviewed_at=now,
        study_day=today,
        grade=quality,
        kind=kind,
        after_repetitions=after.repetitions,
        after_easiness=after.easiness,
        after_interval=after.interval,
        after_due=due,
        after_stability=memory.stability if memory else None,
        after_difficulty=memory.difficulty if memory else None,
        due_shift=shift,
        suspended_as_leech=leech and user.suspend_leeches,
        **before,
    )
    queue_sql.save(review)
    queue_sql.count_grade(review)
    # The queue this grade leaves: the plan made above, updated by the grade, rather than a second plan.
    if not _after_grade(queue, user, progress, kind, review):
        queue = _plan(user, scope, today)
    notice = ""
    if leech:
        action = "suspended it" if user.suspend_leeches else "it stays in your reviews"
        notice = LEECH_NOTICE.format(n=progress.lapses, action=action)
    return Outcome(recorded=True, review=review, notice=notice, queue=queue)


LEECH_NOTICE = (
    "That card has now been forgotten {n} times: it is a leech ({action}). Rewrite it, split it, or report it to "
    "its editors from the Leeches page."
)


def _balanced_shift(user: User, card: Card, today: date, interval: int, review_count: int) -> int:
    """Load balancing (cards/balance.py): one query for the learner's due counts around the new due day."""
    spread = balance.fuzz_range(interval)
    if not spread:
        return 0
    target = today + timedelta(days=interval)
    sql = (
        f"SELECT p.due, COUNT(*) FROM {Progress._meta.db_table} p"
        " WHERE p.user_id = %s AND NOT p.suspended AND p.due >= %s AND p.due <= %s GROUP BY p.due"
    )
    window = [queue_sql.day(target - timedelta(days=spread)), queue_sql.day(target + timedelta(days=spread))]
    counts = queue_sql.rows(sql, [user.id, *window])
    loads = {(queue_sql.as_date(due) - target).days: n for due, n in counts}
    return balance.balanced_shift(interval, loads, f"{user.id}:{card.id}:{review_count}")


class StaleUndo(Exception):
    """The undo form named a review that is no longer the latest: a double submission, or another tab."""


STALE_UNDO_NOTICE = "That grade was already undone (a double click or another tab), so nothing more was undone."


@transaction.atomic
def undo_last_review(*, user: User, now: datetime, expected_id: int | None = None) -> Review | None:
    """Take back the learner's latest review of the current study day, restoring the state before it exactly.

    The learner's lock is taken before the review is chosen, so a grade landing at the same moment is either
    wholly before (and is the one undone) or wholly after. With ``expected_id`` (the review the page showed as
    the latest) anything else raises ``StaleUndo``: a second click undoes nothing more.
    """
    lock_learner(user)
    today = today_for(user, now)
    review = (
        Review.objects.select_for_update()
        .filter(user=user, study_day=today, undone_at__isnull=True)
        .exclude(kind__in=Review.UNGRADED)  # carried and moved entries are not grades: undo walks past them
        .order_by("-reviewed_at", "-id")
        .first()
    )
    if expected_id is not None and (review is None or review.id != expected_id):
        raise StaleUndo(STALE_UNDO_NOTICE)
    if review is None:
        return None
    progress = Progress.objects.select_for_update().get(user=user, card_id=review.card_id)
    progress.repetitions = review.before_repetitions
    progress.easiness = review.before_easiness
    progress.interval = review.before_interval
    progress.due = review.before_due
    progress.lapses = review.before_lapses
    progress.review_count = review.before_review_count
    progress.last_reviewed_at = review.before_last_reviewed_at
    progress.stability = review.before_stability
    progress.difficulty = review.before_difficulty
    if review.suspended_as_leech:
        progress.suspended = False
    progress.version += 1
    progress.save()
    review.undone_at = now
    review.save(update_fields=["undone_at"])
    queue_sql.count_grade(review, undone=True)
    return review
