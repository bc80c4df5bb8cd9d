from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

TIME_ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in TIME_ZONES]


class User(AbstractUser):
    """A learner, with the preferences that shape their study days and daily queue."""

    time_zone = models.CharField(max_length=64, default="UTC", choices=TIME_ZONE_CHOICES)
    rollover_hour = models.PositiveSmallIntegerField(
        default=4,
        validators=[MaxValueValidator(23)],
        help_text="The hour (local time) at which a new study day starts.",
    )
    new_cards_per_day = models.PositiveSmallIntegerField(
        default=20, validators=[MaxValueValidator(500)], help_text="New cards introduced per study day."
    )
    max_reviews_per_day = models.PositiveSmallIntegerField(
        default=200,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
        help_text="Due reviews shown per study day, at most.",
    )
    exam_date = models.DateField(null=True, blank=True, help_text="The day of the learner's exam, if booked.")
    plan_days_before = models.PositiveSmallIntegerField(
        default=14,
        validators=[MaxValueValidator(120)],
        help_text="Days before the exam by which every card should have been seen at least once.",
    )
    own_new_share = models.PositiveSmallIntegerField(
        default=30,
        validators=[MaxValueValidator(100)],
        help_text="Percent of the daily new cards given to your own and your groups' decks (the rest: the exam deck).",
    )
    leech_threshold = models.PositiveSmallIntegerField(
        default=8,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text="A card forgotten this many times becomes a leech.",
    )
    suspend_leeches = models.BooleanField(
        default=False, help_text="Suspend a card when it becomes a leech (otherwise it is only flagged)."
    )

    class Scheduler(models.TextChoices):
        SM2 = "sm2", "SM-2"
        FSRS = "fsrs", "FSRS"

    scheduler = models.CharField(
        max_length=4,
        choices=Scheduler.choices,
        default=Scheduler.SM2,
        help_text="SM-2 (the default) or FSRS, which aims each interval at your desired retention.",
    )
    desired_retention = models.FloatField(
        default=0.9,
        validators=[MinValueValidator(0.7), MaxValueValidator(0.97)],
        help_text="FSRS only: the chance of remembering a card when it comes due (0.70 to 0.97).",
    )
    compact_grades = models.BooleanField(
        default=False,
        help_text="Four grade buttons (Again, Hard, Good, Easy) instead of six; FSRS always uses four.",
    )
    exam_edition = models.ForeignKey(
        "cards.Edition",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The exam guide edition this learner prepares for; empty means the current exam.",
    )
    edition_invite_dismissed = models.BooleanField(
        default=False, help_text="Set once the learner answered the one-time invitation to the current exam."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rollover_hour__lte=23), name="user_rollover_hour_range"),
            models.CheckConstraint(condition=Q(max_reviews_per_day__gte=1), name="user_max_reviews_positive"),
            models.CheckConstraint(
                condition=Q(desired_retention__gte=0.7, desired_retention__lte=0.97), name="user_retention_range"
            ),
        ]

    @property
    def uses_fsrs(self) -> bool:
        return self.scheduler == self.Scheduler.FSRS


class StudyGroup(models.Model):
    """People preparing for the exam together: they share decks and, if each agrees, their figures.

    The invite link's secret is never stored: only its SHA-256 digest, so a copy of the database cannot be used to
    join a group. Rotating replaces the digest, which invalidates the old link.
    """

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    invite_digest = models.CharField(max_length=64, blank=True, editable=False)
    invite_expires_at = models.DateTimeField(null=True, blank=True)
    edition = models.ForeignKey(
        "cards.Edition",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The exam guide edition the group prepares for; empty means the current exam.",
    )
    members = models.ManyToManyField("User", through="Membership", related_name="study_groups")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invite_digest"], condition=~Q(invite_digest=""), name="studygroup_unique_invite_digest"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One user in one group, with a role and their own privacy choices."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        EDITOR = "editor", "Editor"
        MEMBER = "member", "Member"

    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    share_stats = models.BooleanField(
        default=True, help_text="Other members see my figures on the group dashboard; otherwise they see 'private'."
    )
    on_leaderboard = models.BooleanField(default=False, help_text="Show my weekly review count on the leaderboard.")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_one_per_user_group"),
            models.CheckConstraint(condition=Q(role__in=["owner", "editor", "member"]), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["user", "group", "role"], name="membership_user_group_role")]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.EDITOR)

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER
