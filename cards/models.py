from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from cards import sm2
from cards.rendering import render_markdown, validate_markup


class Edition(models.Model):
    """An edition of the exam guide ("pmle-2020", "pmle-2024"): its own sections, objectives, considerations and
    official deck. Loaded from ``cards/content/<folder>/guide.toml``; exactly one is the current exam."""

    slug = models.SlugField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    is_current = models.BooleanField(
        default=False, help_text="The exam candidates sit now: new accounts and new groups prepare for it."
    )

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="edition_one_current"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def short_name(self) -> str:
        return f"{self.year} exam"


class Section(models.Model):
    """One of an exam guide edition's six sections. Slugs are unique across editions, so section URLs need none."""

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="sections")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    weight = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The section's approximate share of the exam in percent, where published."
    )

    class Meta:
        ordering = ["edition__year", "number"]
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="section_number_per_edition")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("section_dashboard", args=[self.slug])


class Objective(models.Model):
    """An objective of a section, numbered as in the guide ("3.4"); the number is unique within the edition."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="objectives")
    number = models.CharField(max_length=10)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["section__edition__year", "section__number", "position"]
        # A number starts with its section's number, so unique per section is unique per edition.
        constraints = [models.UniqueConstraint(fields=["section", "number"], name="objective_number_per_section")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Consideration(models.Model):
    """A bullet of an objective: the unit every card belongs to. ``key`` ("3.4.2") is stable within its edition."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="considerations")
    key = models.CharField(max_length=12)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)

    class Meta:
        ordering = [
            "objective__section__edition__year",
            "objective__section__number",
            "objective__position",
            "position",
        ]
        # A key starts with its objective's number, so unique per objective is unique per edition.
        constraints = [models.UniqueConstraint(fields=["objective", "key"], name="consideration_key_per_objective")]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"


class Deck(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decks",
        help_text="Empty for the official decks, which every learner studies.",
    )
    is_public = models.BooleanField(
        default=False, help_text="Anyone signed in may see a public deck and clone it; only its owner edits it."
    )
    edition = models.ForeignKey(
        Edition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="official_decks",
        help_text="Set on an official deck only: the exam guide edition it covers.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Grows with each edit: a save from an older form is refused."
    )

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["is_public"], condition=Q(is_public=True), name="deck_public")]
        constraints = [
            models.CheckConstraint(
                condition=Q(edition__isnull=True) | Q(owner__isnull=True), name="deck_edition_official_only"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_official(self) -> bool:
        return self.owner_id is None


class Card(models.Model):
    """A question and its answer. Text is Markdown; the sanitised HTML is rendered once, on save."""

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="cards")
    consideration = models.ForeignKey(
        Consideration, null=True, blank=True, on_delete=models.PROTECT, related_name="cards"
    )
    key = models.CharField(
        max_length=100, blank=True, help_text="Stable key of a card loaded from the deck files; empty otherwise."
    )
    front = models.TextField(max_length=1000, validators=[validate_markup])
    back = models.TextField(max_length=4000, validators=[validate_markup])
    explanation = models.TextField(max_length=4000, blank=True, validators=[validate_markup])
    link = models.URLField(max_length=500, blank=True, help_text="A page to read next.")
    tags = models.CharField(
        max_length=500,
        blank=True,
        help_text="Lower-case words joined by '-', separated by spaces (e.g. 'dataflow feature-store').",
    )
    position = models.PositiveIntegerField(default=0)
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
        help_text="An official card of the previous edition that taught the same: a learner switching editions "
        "starts this card with the memory they earned on that one.",
    )
    retired = models.BooleanField(default=False, help_text="Retired cards are no longer studied; history is kept.")
    edited_in_admin = models.BooleanField(
        default=False, help_text="Set when an admin edits the text: the file loader then leaves it alone."
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Grows with each edit: a save from an older form is refused."
    )
    content_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an editor last changed what a learner reads (front, back, explanation, link); empty if never.",
    )
    front_html = models.TextField(editable=False, default="")
    back_html = models.TextField(editable=False, default="")
    explanation_html = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["deck", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deck", "key"], condition=~Q(key=""), name="card_unique_key_per_deck"),
        ]
        indexes = [models.Index(fields=["deck", "retired"], name="card_deck_retired")]

    def __str__(self) -> str:
        return self.front[:80]

    def save(self, *args, **kwargs) -> None:
        self.front_html = render_markdown(self.front)
        self.back_html = render_markdown(self.back)
        self.explanation_html = render_markdown(self.explanation)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "front_html", "back_html", "explanation_html"}
        super().save(*args, **kwargs)

    @property
    def crumbs(self) -> list[str]:
        """Where the card sits, as the review screen shows it above the question: its section, objective and
        consideration, or the deck of a card that has none. Worked out here, not in the template: each of those
        nested lookups cost the review screen more there than the whole list does here."""
        consideration = self.consideration
        if consideration is None:
            return [self.deck.title]
        objective = consideration.objective
        section = objective.section
        return [f"{section.number}. {section.title}", f"{objective.number} {objective.title}", consideration.title]


class DeckShare(models.Model):
    """A deck shared with a study group: its members study it with their own schedules; its editors edit it."""

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="shares")
    group = models.ForeignKey("accounts.StudyGroup", on_delete=models.CASCADE, related_name="deck_shares")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shared_at", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "deck"], name="deckshare_one_per_group_deck")]
        indexes = [models.Index(fields=["deck", "group"], name="deckshare_deck_group")]

    def __str__(self) -> str:
        return f"{self.deck} shared with {self.group}"


class ContentVersion(models.Model):
    """One row whose token the database itself changes, by triggers (cards/content.py), in the transaction of
    every change to the exam content: editions, sections, objectives, considerations, official decks and their
    cards, by Django admin, a deck load, a bulk update or raw SQL alike. Caches of the content (the curriculum
    order) carry the token in their keys, so every worker and every app server sees a change at once."""

    token = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"content version {self.token}"


class Progress(models.Model):
    """A learner's SM-2 state for one card. Only cards/reviews.py writes these rows.

    ``due`` is empty while the card is new (never reviewed, or its first review undone). ``version`` grows with
    every change and is carried by the review form, so a stale or repeated submission is recognised.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="progress")
    repetitions = models.PositiveIntegerField(default=0)
    easiness = models.FloatField(default=2.5)
    interval = models.PositiveIntegerField(default=0)
    due = models.DateField(null=True, blank=True)
    lapses = models.PositiveIntegerField(default=0)
    review_count = models.PositiveIntegerField(default=0)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    suspended = models.BooleanField(default=False)
    buried_until = models.DateField(
        null=True, blank=True, help_text="Left out of the queue before this study day (bury until tomorrow)."
    )

    class Flag(models.IntegerChoices):
        NONE = 0, "No flag"
        RED = 1, "Red"
        ORANGE = 2, "Orange"
        GREEN = 3, "Green"
        BLUE = 4, "Blue"

    flag = models.PositiveSmallIntegerField(
        choices=Flag.choices, default=Flag.NONE, help_text="A personal mark, seen only by this learner."
    )
    # FSRS's memory state, kept while the learner schedules with FSRS (cards/fsrs_scheduler.py); empty otherwise.
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "card"], name="progress_one_per_user_card"),
            models.CheckConstraint(condition=Q(easiness__gte=sm2.MIN_EASINESS), name="progress_easiness_min"),
            models.CheckConstraint(condition=Q(interval__lte=sm2.MAX_INTERVAL), name="progress_interval_max"),
        ]
        indexes = [
            # A learner's due cards (every review screen and grade, most at risk first) and due days (forecasts,
            # load balancing), read from the index alone.
            models.Index(
                fields=["user", "due", "interval", "buried_until", "suspended", "card"],
                condition=Q(due__isnull=False, suspended=False),
                name="progress_user_due_cover",
            ),
            # Which cards a learner has started (cards/queue_sql.py, every review screen and grade), read from the
            # index alone: without it each of the learner's progress rows was read from the table.
            models.Index(fields=["user", "card", "due", "suspended", "buried_until"], name="progress_user_started"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / card {self.card_id}"

    @property
    def state(self) -> sm2.SM2State:
        return sm2.SM2State(repetitions=self.repetitions, easiness=self.easiness, interval=self.interval)


class Review(models.Model):
    """One grade, appended to the log with the state before and after. Undo marks it ``undone_at``.

    A ``carried`` row has no grade: it records progress brought over from the previous edition's card when the
    learner switched editions; a ``moved`` row neither: it records a due day moved to spread a backlog. Both are
    there so that a replay of the log still reproduces every progress row.
    """

    class Kind(models.TextChoices):
        NEW = "new", "New"
        SCHEDULED = "scheduled", "Scheduled"
        DRILL = "drill", "Re-drill"
        PRACTICE = "practice", "Practice"
        CARRIED = "carried", "Carried over"  # progress brought from the previous edition's card: no grade
        MOVED = "moved", "Due day moved"  # a backlog spread over days: only the due day changed, no grade

    UNGRADED = (Kind.CARRIED, Kind.MOVED)  # log entries that are not a learner's grade

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField()
    study_day = models.DateField()
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    undone_at = models.DateTimeField(null=True, blank=True)
    # The whole progress state before, so that undo restores it exactly, and the SM-2 state after.
    before_repetitions = models.PositiveIntegerField()
    before_easiness = models.FloatField()
    before_interval = models.PositiveIntegerField()
    before_due = models.DateField(null=True, blank=True)
    before_lapses = models.PositiveIntegerField()
    before_review_count = models.PositiveIntegerField()
    before_last_reviewed_at = models.DateTimeField(null=True, blank=True)
    before_stability = models.FloatField(null=True, blank=True)
    before_difficulty = models.FloatField(null=True, blank=True)
    after_repetitions = models.PositiveIntegerField()
    after_easiness = models.FloatField()
    after_interval = models.PositiveIntegerField()
    after_due = models.DateField(null=True, blank=True)
    # Set when FSRS chose the interval (its memory state after this grade); empty when SM-2 did.
    after_stability = models.FloatField(null=True, blank=True)
    after_difficulty = models.FloatField(null=True, blank=True)
    due_shift = models.SmallIntegerField(
        default=0, help_text="Days load balancing moved the due day from the study day plus the SM-2 interval."
    )
    vacation = models.ForeignKey(
        "Vacation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moves",
        help_text="For a due day moved out of a vacation: which one (so that cancelling it can move it back).",
    )
    suspended_as_leech = models.BooleanField(
        default=False, help_text="This grade made the card a leech and suspended it (undo unsuspends it)."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(grade__gte=0, grade__lte=5), name="review_grade_0_5"),
            models.CheckConstraint(
                condition=Q(kind__in=["carried", "moved"], grade__isnull=True)
                | (~Q(kind__in=["carried", "moved"]) & Q(grade__isnull=False)),
                name="review_grade_unless_carried",
            ),
            models.CheckConstraint(condition=Q(after_easiness__gte=sm2.MIN_EASINESS), name="review_easiness_min"),
        ]
        indexes = [
            # The day's reviews in time order (the queue reads them on every screen): a range of the index, no sort.
            models.Index(fields=["user", "study_day", "reviewed_at"], name="review_user_day_time"),
            models.Index(fields=["user", "reviewed_at"], name="review_user_time"),
            # A card's reviews by the learner, and those of a window of days: the dashboards' retention per section
            # reads the last 30 days of each exam card through it (with 100,000 reviews, 4 ms; 140 ms when the index
            # stopped at the user and every review of each card was read to test its day).
            models.Index(fields=["card", "user", "study_day"], name="review_card_user_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} graded card {self.card_id} {self.grade} on {self.study_day}"


class ExtraNewCards(models.Model):
    """ "Study N more today": new cards a learner added to one scope's limit for one study day (never another's)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    study_day = models.DateField()
    scope = models.CharField(max_length=40, help_text="'all', 'section:<id>' or 'deck:<id>'.")
    count = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "study_day", "scope"], name="extranew_one_per_scope_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} +{self.count} on {self.study_day} ({self.scope})"


class DayCounts(models.Model):
    """A learner's grades of one study day, counted as they are written: what the queue's daily limits and its
    re-drill need on every screen, read as one row instead of summed over the day's reviews (a sum that grew with
    every grade). Written only in the same transaction as the grade or the undo it counts
    (``cards.queue_sql.count_grade``); the reviews stay the record, and migration 0025 counted the days before it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    study_day = models.DateField()
    scheduled = models.PositiveIntegerField(default=0, help_text="Grades of due cards: the review limit counts them.")
    new = models.PositiveIntegerField(default=0, help_text="Grades of new cards: the new-card limit counts them.")
    low = models.PositiveIntegerField(default=0, help_text="Grades below 4 (due, new or re-drill): cards to drill.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "study_day"], name="daycounts_one_per_user_day")]
        verbose_name_plural = "day counts"

    def __str__(self) -> str:
        return f"{self.user} on {self.study_day}: {self.scheduled} due, {self.new} new, {self.low} below 4"


class LeechReport(models.Model):
    """A learner tells a deck's editors that one of its cards keeps being forgotten (a leech), with a note."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="leech_reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(max_length=1000)
    lapses = models.PositiveIntegerField(help_text="The reporter's lapses on the card when they reported it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["card", "reporter"], name="leechreport_once_per_learner")]

    def __str__(self) -> str:
        return f"{self.card_id} reported by {self.reporter}"


class Vacation(models.Model):
    """Days a learner is away: cards due then were moved to the days after, and move back if it is cancelled."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vacations")
    start = models.DateField()
    end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=F("start")), name="vacation_end_after_start")]

    def __str__(self) -> str:
        return f"{self.user} away {self.start} to {self.end}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class FsrsParameters(models.Model):
    """FSRS parameters fitted to one learner's review log (cards/forecast.py); without a row, the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fsrs_parameters")
    parameters = models.JSONField()
    graded = models.PositiveIntegerField(help_text="Graded study days of cards the fit used.")
    fitted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"FSRS parameters of {self.user} ({self.graded} graded days)"


class CardImage(models.Model):
    """An image a deck's editor uploaded for its cards, referenced from Markdown as ``![what it shows](/images/ID/)``.

    Stored re-encoded (cards/images.py), so nothing but the decoded picture is ever served; visible to exactly
    those who may see its deck.
    """

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to="card-images/%Y/%m/")
    content_type = models.CharField(max_length=20, help_text="From the decoded image, never from the upload.")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(
        max_length=64, db_index=True, help_text="Of the stored bytes: the same image is kept once."
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"image {self.id} of {self.deck}"

    @property
    def markdown(self) -> str:
        return f"![describe the image](/images/{self.id}/)"
