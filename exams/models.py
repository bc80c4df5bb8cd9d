"""The question bank and learners' attempts. Only exams/attempts.py writes attempts; cards' models never import this."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from cards.models import Consideration, Deck, Edition
from cards.rendering import render_markdown, validate_markup


class Question(models.Model):
    """A scenario question of one consideration: 4 options with one correct, or 5-6 with two ("choose two")."""

    consideration = models.ForeignKey(Consideration, on_delete=models.PROTECT, related_name="questions")
    deck = models.ForeignKey(
        Deck,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
        help_text="Empty for the official bank; otherwise the deck whose editors wrote it.",
    )
    key = models.CharField(
        max_length=100,
        blank=True,
        help_text="Stable key of an official question ('3.2.7-some-words'); empty otherwise.",
    )
    stem = models.TextField(max_length=1000, validators=[validate_markup])
    stem_html = models.TextField(editable=False, default="")
    choose = models.PositiveSmallIntegerField(default=1, help_text="How many options are correct: 1 or 2.")
    link = models.URLField(max_length=500, help_text="The official page that decides the question.")
    position = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(default=False, help_text="Retired questions are no longer drawn; attempts keep them.")
    edited_in_admin = models.BooleanField(
        default=False, help_text="Set when an admin edits the text: the file loader then leaves it alone."
    )

    class Meta:
        ordering = ["consideration__objective__section__number", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consideration", "key"], condition=~Q(key=""), name="question_key_per_consideration"
            ),
            models.CheckConstraint(condition=Q(choose__in=[1, 2]), name="question_choose_1_or_2"),
        ]
        indexes = [
            models.Index(fields=["consideration", "retired"], name="question_consideration"),
            models.Index(fields=["deck", "retired"], name="question_deck"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.stem[:60]}"

    def save(self, *args, **kwargs) -> None:
        self.stem_html = render_markdown(self.stem)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "stem_html"}
        super().save(*args, **kwargs)


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=300, validators=[validate_markup])
    text_html = models.TextField(editable=False, default="")
    correct = models.BooleanField(default=False)
    why = models.TextField(max_length=600, validators=[validate_markup], help_text="Why it is right, or wrong here.")
    why_html = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["question", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "position"], name="option_position_per_question")]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs) -> None:
        self.text_html = render_markdown(self.text)
        self.why_html = render_markdown(self.why)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "text_html", "why_html"}
        super().save(*args, **kwargs)


class Attempt(models.Model):
    """One quiz or mock exam of one learner. A mock exam's deadline is kept here: the clock runs on the server."""

    class Kind(models.TextChoices):
        QUIZ = "quiz", "Quick quiz"
        MOCK = "mock", "Mock exam"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200, help_text="What was drawn: 'Mock exam', 'Section 3', '3.2.7 ...'.")
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True, help_text="Mock exams only.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    timed_out = models.BooleanField(default=False, help_text="Submitted by the clock, with what was answered.")
    # Where the learner is: the question on screen and since when, so that time per question is server-side.
    current = models.PositiveSmallIntegerField(default=1)
    current_since = models.DateTimeField()
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Set when submitted.")
    question_count = models.PositiveSmallIntegerField()
    shared = models.BooleanField(default=False, help_text="The learner shares this result with their groups.")
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "edition", "submitted_at"], name="attempt_user_edition")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.started_at:%Y-%m-%d}"

    @property
    def is_mock(self) -> bool:
        return self.kind == self.Kind.MOCK

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None

    @property
    def percent(self) -> int | None:
        if self.correct_count is None or not self.question_count:
            return None
        return (200 * self.correct_count + self.question_count) // (2 * self.question_count)


class AttemptQuestion(models.Model):
    """A question as one attempt shows it: its place, its options' shuffled order, the answer and the time on it."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    option_order = models.JSONField(help_text="Option ids in the order this attempt shows them.")
    chosen = models.JSONField(default=list, help_text="The option ids the learner chose (empty: unanswered).")
    answered_at = models.DateTimeField(null=True, blank=True)
    flagged = models.BooleanField(default=False)
    seconds = models.PositiveIntegerField(default=0, help_text="Time on screen, summed over every visit.")
    correct = models.BooleanField(null=True, blank=True, help_text="Set when answered (quiz) or submitted.")

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attemptquestion_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="attemptquestion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}"

    @property
    def answered(self) -> bool:
        return bool(self.chosen)
