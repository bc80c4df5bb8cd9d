"""A learner's own data: all of it in one archive, and deleting the account without anyone else losing anything.

Deleting removes the learner's progress, reviews, attempts, settings and the decks nobody else studies. A deck
shared with a group passes to that group's owner (the first group it was shared with whose owner is someone
else), with its cards and questions, so that the members keep studying it. A learner who is the only owner of a
group must hand it over or delete it first: a group is never left without an owner.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q

from accounts.models import Membership, StudyGroup, User
from cards import deckio, images
from cards.models import Deck, Progress, Review


class AccountError(Exception):
    pass


@dataclass
class DeletionPlan:
    sole_owner_of: list[StudyGroup] = field(default_factory=list)  # blocks the deletion
    handed_over: list[tuple[Deck, StudyGroup, User]] = field(default_factory=list)  # deck, via group, to whom
    deleted_decks: list[Deck] = field(default_factory=list)
    reviews: int = 0

    @property
    def blocked(self) -> bool:
        return bool(self.sole_owner_of)


def deletion_plan(user: User) -> DeletionPlan:
    plan = DeletionPlan(reviews=Review.objects.filter(user=user).count())
    owned = Membership.objects.filter(user=user, role=Membership.Role.OWNER).values("group_id")
    owners = (
        StudyGroup.objects.filter(id__in=owned)
        .annotate(n=Count("memberships", filter=Q(memberships__role=Membership.Role.OWNER)))
        .order_by("name", "id")
    )
    plan.sole_owner_of = [group for group in owners if group.n == 1]
    decks = list(Deck.objects.filter(owner=user).prefetch_related("shares__group").order_by("title", "id"))
    heirs = {}  # group id -> its first owner other than this learner, in one query for every shared deck
    groups = {share.group_id for deck in decks for share in deck.shares.all()}
    owner_rows = (
        Membership.objects.filter(group_id__in=groups, role=Membership.Role.OWNER)
        .exclude(user=user)
        .select_related("user")
        .order_by("joined_at", "id")
    )
    for membership in owner_rows:
        heirs.setdefault(membership.group_id, membership.user)
    for deck in decks:
        # The first group it was shared with (DeckShare's ordering) that has another owner receives it.
        share = next((share for share in deck.shares.all() if share.group_id in heirs), None)
        if share is None:
            plan.deleted_decks.append(deck)
        else:
            plan.handed_over.append((deck, share.group, heirs[share.group_id]))
    return plan


@transaction.atomic
def delete_account(*, user: User, confirm_username: str) -> DeletionPlan:
    """Delete the account as ``deletion_plan`` describes it, decided again under the learner's lock."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    if confirm_username != user.username:
        raise AccountError("Type your username exactly to confirm; nothing was deleted.")
    plan = deletion_plan(user)
    if plan.blocked:
        names = ", ".join(group.name for group in plan.sole_owner_of)
        raise AccountError(f"You are the only owner of {names}: hand it over or delete it first; nothing was deleted.")
    for deck, _, heir in plan.handed_over:
        Deck.objects.filter(id=deck.id).update(owner=heir, is_public=False)
    user.delete()  # progress, reviews, attempts, memberships, vacations and the remaining decks go with it
    return plan


# --- the archive ---------------------------------------------------------------------------------------------------


def _csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


REVIEW_COLUMNS = [
    "reviewed_at", "study_day", "deck", "card_key", "grade", "kind", "undone_at", "interval_before",
    "interval_after", "due_after", "easiness_after", "due_shift",
]  # fmt: skip
PROGRESS_COLUMNS = [
    "deck", "card_key", "repetitions", "easiness", "interval", "due", "lapses", "review_count", "suspended",
    "stability", "difficulty",
]  # fmt: skip
SETTINGS = [
    "username", "email", "time_zone", "rollover_hour", "new_cards_per_day", "max_reviews_per_day", "own_new_share",
    "exam_date", "plan_days_before", "leech_threshold", "suspend_leeches", "scheduler", "desired_retention",
    "compact_grades", "date_joined",
]  # fmt: skip


def archive(user: User) -> bytes:
    """A zip of everything that is the learner's: settings and groups, own decks (deck files), the whole review log
    and the progress per card (CSV), and the practice exams taken."""
    from exams.models import Attempt

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        settings = {name: getattr(user, name) for name in SETTINGS}
        settings["exam_edition"] = user.exam_edition.slug if user.exam_edition else None
        settings["groups"] = [
            {"group": m.group.name, "role": m.role, "share_stats": m.share_stats, "on_leaderboard": m.on_leaderboard}
            for m in Membership.objects.filter(user=user).select_related("group")
        ]
        zf.writestr("settings.json", json.dumps(settings, indent=1, default=str) + "\n")
        for deck in Deck.objects.filter(owner=user).order_by("slug"):
            cards = deck.cards.select_related("consideration__objective__section__edition").order_by("position")
            zf.writestr(f"decks/{deck.slug}.json", deckio.to_json(deck, cards, images=images.for_export(deck)))
        reviews = Review.objects.filter(user=user).select_related("card__deck").order_by("reviewed_at", "id")
        zf.writestr(
            "reviews.csv",
            _csv(
                REVIEW_COLUMNS,
                (
                    [
                        r.reviewed_at.isoformat(),
                        r.study_day,
                        r.card.deck.slug,
                        deckio.card_key(r.card),
                        r.grade,
                        r.kind,
                        r.undone_at.isoformat() if r.undone_at else "",
                        r.before_interval,
                        r.after_interval,
                        r.after_due or "",
                        r.after_easiness,
                        r.due_shift,
                    ]
                    for r in reviews.iterator(chunk_size=2000)
                ),  # fmt: skip
            ),
        )
        progress = Progress.objects.filter(user=user).select_related("card__deck").order_by("card__deck", "card_id")
        zf.writestr(
            "progress.csv",
            _csv(
                PROGRESS_COLUMNS,
                (
                    [
                        p.card.deck.slug,
                        deckio.card_key(p.card),
                        p.repetitions,
                        p.easiness,
                        p.interval,
                        p.due or "",
                        p.lapses,
                        p.review_count,
                        p.suspended,
                        p.stability or "",
                        p.difficulty or "",
                    ]
                    for p in progress.iterator(chunk_size=2000)
                ),  # fmt: skip
            ),
        )
        attempts = Attempt.objects.filter(user=user).select_related("edition").order_by("started_at")
        zf.writestr(
            "exam_attempts.csv",
            _csv(
                ["started_at", "edition", "kind", "title", "submitted_at", "timed_out", "correct", "questions"],
                (
                    [
                        a.started_at.isoformat(),
                        a.edition.slug,
                        a.kind,
                        a.title,
                        a.submitted_at.isoformat() if a.submitted_at else "",
                        a.timed_out,
                        a.correct_count,
                        a.question_count,
                    ]
                    for a in attempts
                ),  # fmt: skip
            ),
        )
    return buffer.getvalue()
