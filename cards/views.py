from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cards import charts, scheduling, section_stats, stats
from cards.access import deck_for_user, may_edit_card
from cards.deck_forms import form_errors
from cards.editions import edition_q, offers_current_edition
from cards.forms import CardActionForm, GradeForm, MoreForm
from cards.marks import bury_card, suspend_card
from cards.models import Card, Consideration, Progress, Section
from cards.practice import PRACTICE_DONE_GRADE, build_practice_queue, record_practice
from cards.reviews import (
    STALE_NOTICE,
    Queue,
    Scope,
    StaleUndo,
    build_queue,
    record_review,
    study_more_today,
    undo_last_review,
)
from exams.results import mock_signal  # the mock-exam signal beside card retention (a read of exams/)
from pmle.converters import ID_RE


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and Django admin ask for /favicon.ico: the app's icon, from the static files."""
    return redirect(static("img/icon.svg"), permanent=True)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    overview = stats.home_overview(request.user, timezone.now())
    bars = [_mastery_bar(f"mastery-{row.section.slug}", row.counts) for row in overview.sections]
    mock = mock_signal(request.user, [row.section.id for row in overview.sections])
    context = {
        "overview": overview,
        "tiles": [(row, bar, mock.get(row.section.id)) for row, bar in zip(overview.sections, bars, strict=True)],
        "invite": offers_current_edition(request.user, overview.edition),
        "mock": mock.get(None),
    }
    return render(request, "cards/home.html", context)


class OtherEdition(Exception):
    """A section of an exam edition the learner does not prepare for: the view sends them home and says why."""

    def __init__(self, section: Section) -> None:
        self.section = section


def _section(request: HttpRequest, slug: str) -> Section:
    """A section of the learner's edition (one query); 404 if there is none, OtherEdition if it is another's."""
    section = get_object_or_404(Section.objects.select_related("edition"), slug=slug)
    chosen = request.user.exam_edition_id
    if (section.edition_id != chosen) if chosen else not section.edition.is_current:
        raise OtherEdition(section)
    return section


def _sections_of_my_edition(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A section page of another edition (an old bookmark, a link from a group) sends the learner home with a word."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except OtherEdition as error:
            section = error.section
            messages.info(
                request,
                f"“{section.title}” is a section of the {section.edition.title}, and you prepare for another exam. "
                "You can choose the exam in Settings.",
            )
            return redirect("home")

    return wrapped


def _scope(request: HttpRequest, slug: str | None, deck_slug: str | None = None) -> Scope:
    if deck_slug:
        return Scope(deck=deck_for_user(request.user, deck_slug, need="study"))
    return Scope(section=_section(request, slug) if slug else None)


def _review_url(scope: Scope) -> str:
    if scope.deck:
        return _reversed(get_script_prefix(), "deck_review", scope.deck.slug)
    if scope.section:
        return _reversed(get_script_prefix(), "section_review", scope.section.slug)
    return _reversed(get_script_prefix(), "review", None)


@lru_cache(maxsize=1024)
def _reversed(script_prefix: str, name: str, slug: str | None) -> str:
    """A review screen's URL, reversed once per process (and URL prefix, which ``reverse`` reads): every review
    screen and grade names it, and ``reverse`` costs about as much as one of the queue's queries."""
    return reverse(name, args=[slug] if slug else None)


def _optional_int(value: str | None) -> int | None:
    """A card id from the query string, or None: ASCII digits only (``str.isdigit`` also accepts '²', which
    ``int`` refuses) and at most 18 of them (a database id), so that a hand-edited URL is ignored, never a 500."""
    return int(value) if value and ID_RE.fullmatch(value) else None


def _render_review(
    request: HttpRequest,
    scope: Scope,
    *,
    reveal: bool = False,
    prefer: int | None = None,
    status: int = 200,
    queue: Queue | None = None,
) -> HttpResponse:
    if queue is None:
        queue = build_queue(request.user, scope, timezone.now(), prefer_card_id=prefer)
    template = "cards/review.html#card-panel" if request.htmx else "cards/review.html"
    reveal = reveal and queue.card is not None and queue.card.id == prefer
    context = {
        "scope": scope,
        "queue": queue,
        "reveal": reveal,
        "buttons": scheduling.review_buttons(request.user, queue) if reveal else [],
        "review_url": _review_url(scope),
    }
    if queue.card is not None:
        context["may_edit"] = may_edit_card(request.user, queue.card)
    else:
        context["summary"] = stats.session_summary(request.user, queue, scope)
    return render(request, template, context, status=status)


def _next_card(request: HttpRequest, scope: Scope, queue: Queue | None = None) -> HttpResponse:
    """After a change on the review screen: the card panel for htmx (with the queue the change left, when it
    made one), a redirect to the review otherwise."""
    if request.htmx:
        return _render_review(request, scope, queue=queue)
    return redirect(_review_url(scope))


@login_required
@require_GET
@_sections_of_my_edition
def review(request: HttpRequest, slug: str | None = None, deck_slug: str | None = None) -> HttpResponse:
    scope = _scope(request, slug, deck_slug)
    reveal = _optional_int(request.GET.get("reveal"))
    prefer = reveal or _optional_int(request.GET.get("card"))
    return _render_review(request, scope, reveal=reveal is not None, prefer=prefer)


@login_required
@require_POST
@_sections_of_my_edition
def grade(request: HttpRequest, slug: str | None = None, deck_slug: str | None = None) -> HttpResponse:
    scope = _scope(request, slug, deck_slug)
    form = GradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return _render_review(request, scope, status=400)
    try:
        outcome = record_review(
            user=request.user,
            scope=scope,
            card_id=form.cleaned_data["card"],
            quality=form.cleaned_data["quality"],
            version=form.cleaned_data["version"],
            now=timezone.now(),
            next_card=bool(request.htmx),
        )
    except Card.DoesNotExist:
        messages.error(request, "That card does not exist or is not part of this review.")
        return _render_review(request, scope, status=404)
    if outcome.notice:
        messages.info(request, outcome.notice)
    return _next_card(request, scope, outcome.queue)


@login_required
@require_POST
@_sections_of_my_edition
def study_more(request: HttpRequest, slug: str | None = None, deck_slug: str | None = None) -> HttpResponse:
    """ "Study N more today": raise today's new-card limit of this scope only."""
    scope = _scope(request, slug, deck_slug)
    form = MoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _render_review(request, scope, status=400)
    study_more_today(user=request.user, scope=scope, count=form.cleaned_data["count"], now=timezone.now())
    messages.success(request, f"{form.cleaned_data['count']} more new cards today, here only.")
    return _next_card(request, scope)


@login_required
@require_POST
@_sections_of_my_edition
def card_action(request: HttpRequest, slug: str | None = None, deck_slug: str | None = None) -> HttpResponse:
    """Suspend or bury the card on the review screen, then show the next one."""
    scope = _scope(request, slug, deck_slug)
    form = CardActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return _render_review(request, scope, status=400)
    card_id, version = form.cleaned_data["card"], form.cleaned_data["version"]
    current = Progress.objects.filter(user=request.user, card_id=card_id).values_list("version", flat=True).first()
    if (current or 0) != version:
        messages.info(request, STALE_NOTICE)
        return _render_review(request, scope, status=409)
    try:
        if form.cleaned_data["action"] == "suspend":
            suspend_card(user=request.user, card_id=card_id)
            messages.success(
                request, "Suspended: the card is out of your reviews until you unsuspend it (Leeches, or its deck)."
            )
        else:
            bury_card(user=request.user, card_id=card_id, now=timezone.now())
            messages.success(request, "Buried until tomorrow: its schedule is unchanged.")
    except Card.DoesNotExist:
        messages.error(request, "That card does not exist or is not part of your reviews.")
        return _render_review(request, scope, status=404)
    return _next_card(request, scope)


class _BadUndo(Exception):
    pass


def _undo_with_notice(request: HttpRequest) -> int | None:
    """Undo the learner's latest grade today, say so, and return the card to show again (if any).

    The form names the review it undoes (``last``), so a double click undoes one grade, not two; a form without
    it (a page loaded before the field existed) undoes the latest. Raises ``_BadUndo`` for a malformed ``last``.
    """
    last = request.POST.get("last")
    if last is not None and not ID_RE.fullmatch(last):
        raise _BadUndo
    try:
        undone = undo_last_review(user=request.user, now=timezone.now(), expected_id=int(last) if last else None)
    except StaleUndo as stale:
        messages.info(request, str(stale))
        return None
    if undone is None:
        messages.info(request, "Nothing to undo today.")
        return None
    messages.success(request, "Undone: the card is back as it was before that grade.")
    return undone.card_id


@login_required
@require_POST
@_sections_of_my_edition
def undo(request: HttpRequest, slug: str | None = None, deck_slug: str | None = None) -> HttpResponse:
    scope = _scope(request, slug, deck_slug)
    try:
        prefer = _undo_with_notice(request)
    except _BadUndo:
        messages.error(request, "That undo form was damaged, so nothing was undone. Reload the page and try again.")
        return _render_review(request, scope, status=400)
    if prefer and (scope.section or scope.deck) and not scope.cards(request.user).filter(id=prefer).exists():
        # The grade undone was of a card outside this session (graded in the daily review, say): show it where it is.
        messages.info(request, "That card is not part of this session, so here it is in your whole review.")
        url = f"{reverse('review')}?card={prefer}"
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx:
        return _render_review(request, scope, prefer=prefer)
    url = _review_url(scope)
    return redirect(f"{url}?card={prefer}" if prefer else url)


# --- Dashboards and practice ------------------------------------------------------------------------------------


def _mastery_bar(chart_id: str, counts: stats.CardCounts) -> charts.Chart:
    return charts.mastery_bar(chart_id, "Mastery", counts.mature, counts.learning, counts.total - counts.seen)


def _section_charts(dash: section_stats.SectionDashboard) -> dict[str, charts.Chart]:
    weeks = [(w.start, w.young.part, w.young.whole, w.mature.part, w.mature.whole) for w in dash.retention]
    return {
        "mastery": _mastery_bar("mastery", dash.counts),
        "forecast": charts.forecast_chart(dash.forecast, dash.today),
        "calendar": charts.activity_calendar(
            chart_id="calendar", title="Activity, last 365 days", counts=dash.activity, end=dash.today
        ),
        "retention": charts.retention_chart(weeks),
        "grades": charts.grades_chart(dash.grades),
        "intervals": charts.intervals_chart(dash.intervals, [label for _, label in section_stats.interval_buckets()]),
    }


# The considerations table's figure columns, and which one each sort orders by (with its aria-sort direction).
# The sorted-by column comes right after the consideration's name, so that it is on screen on a phone too, where
# the table scrolls sideways past the first few columns.
CONSIDERATION_COLUMNS = {
    "cards": "Cards",
    "seen": "Seen",
    "mature": "Mature",
    "easiness": "Avg easiness",
    "lapses": "Lapses",
    "due": "Due now",
    "weakness": "Weakness",
}
SORTED_COLUMN = {
    "weakest": ("weakness", "descending"),
    "due": ("due", "descending"),
    "lapses": ("lapses", "descending"),
    "easiness": ("easiness", "ascending"),
    "unseen": ("seen", "ascending"),
}


def consideration_columns(sort: str) -> list[tuple[str, str, str]]:
    """(key, header, aria-sort or "") in display order: the sorted-by column first, the others as they were."""
    key, direction = SORTED_COLUMN.get(sort, ("", ""))
    columns = [(k, header, direction if k == key else "") for k, header in CONSIDERATION_COLUMNS.items()]
    return sorted(columns, key=lambda column: column[0] != key)


@login_required
@require_GET
@_sections_of_my_edition
def section_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    section = _section(request, slug)
    sort, status = request.GET.get("sort") or "curriculum", 200
    if sort not in section_stats.SORTS:
        messages.error(request, f"Unknown sort {sort!r}: choose one of {', '.join(section_stats.SORTS)}.")
        sort, status = "curriculum", 400
    dash = section_stats.section_dashboard(request.user, section, timezone.now())
    mock = mock_signal(request.user, [section.id])
    context = {
        "mock": mock.get(section.id),
        "dash": dash,
        "rows": section_stats.sort_rows(dash.rows, sort),
        "sort": sort,
        "sorts": section_stats.SORTS,
        "columns": consideration_columns(sort),
        "charts": _section_charts(dash),
    }
    return render(request, "cards/section.html", context, status=status)


def _practice_url(
    section: Section | None,
    considerations: list[Consideration] | None = None,
    extra: str = "",
    cards: list[int] | None = None,
) -> str:
    if cards is not None:
        return reverse("cards_practice", args=[cards])
    if extra:
        return reverse(f"practice_{extra}")
    if section is None:
        return reverse("considerations_practice", args=[[c.id for c in considerations or []]])
    return reverse("section_practice", args=[section.slug])


def _render_practice(
    request: HttpRequest,
    section: Section | None,
    *,
    considerations: list[Consideration] | None = None,
    extra: str = "",
    cards: list[int] | None = None,
    reveal: bool = False,
    prefer: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """A practice round: the section's weakest considerations, the ones given, an extra session (ahead, failures)
    or the cards given (a filter of the card browser)."""
    now = timezone.now()
    weakest = section_stats.weakest_considerations(request.user, section, now) if section else []
    ids = [row.consideration.id for row in weakest] if section else [c.id for c in considerations or []]
    queue = build_practice_queue(request.user, section, ids, now, prefer_card_id=prefer, extra=extra, card_ids=cards)
    reveal = reveal and queue.card is not None and queue.card.id == prefer
    context = {
        "section": section,
        "considerations": considerations,
        "extra": extra,
        "scope": Scope(section=section),
        "queue": queue,
        "weakest": weakest,
        "reveal": reveal,
        "buttons": scheduling.practice_buttons(request.user, queue, PRACTICE_DONE_GRADE) if reveal else [],
        "review_url": _practice_url(section, considerations, extra, cards),
        "cards": cards,
    }
    # The card panel is the review screen's own partial: the same markup, keys and swaps.
    template = "cards/review.html#card-panel" if request.htmx else "cards/practice.html"
    return render(request, template, context, status=status)


def _practice_considerations(request: HttpRequest, ids: list[int]) -> list[Consideration]:
    """The considerations of the learner's edition named in the URL, in its order; 404 if any is not one."""
    found = {
        c.id: c
        for c in Consideration.objects.filter(edition_q(request.user, "objective__section__edition"), id__in=ids)
    }
    if len(found) != len(set(ids)):
        raise Http404("No such consideration in the exam you prepare for.")
    return [found[i] for i in dict.fromkeys(ids)]


def _practice_session(request: HttpRequest, slug, ids, extra, cards) -> tuple[Section | None, dict]:
    """Which practice the URL names: a section's weakest, considerations by id, an extra session, or cards by id."""
    section = _section(request, slug) if slug else None
    considerations = None if slug or extra or cards is not None else _practice_considerations(request, ids)
    return section, {"considerations": considerations, "extra": extra, "cards": cards}


@login_required
@require_GET
@_sections_of_my_edition
def practice(request: HttpRequest, slug=None, ids=None, extra: str = "", cards=None) -> HttpResponse:
    section, session = _practice_session(request, slug, ids, extra, cards)
    reveal = _optional_int(request.GET.get("reveal"))
    prefer = reveal or _optional_int(request.GET.get("card"))
    return _render_practice(request, section, **session, reveal=reveal is not None, prefer=prefer)


@login_required
@require_POST
@_sections_of_my_edition
def practice_grade(request: HttpRequest, slug=None, ids=None, extra: str = "", cards=None) -> HttpResponse:
    section, session = _practice_session(request, slug, ids, extra, cards)
    form = GradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return _render_practice(request, section, **session, status=400)
    now = timezone.now()
    considerations = session["considerations"]
    consideration_ids = (
        section_stats.weakest_consideration_ids(request.user, section, now)
        if section
        else [c.id for c in considerations or []]
    )
    try:
        outcome = record_practice(
            user=request.user,
            section=section,
            consideration_ids=consideration_ids,
            card_id=form.cleaned_data["card"],
            quality=form.cleaned_data["quality"],
            version=form.cleaned_data["version"],
            now=now,
            extra=extra,
            card_ids=cards,
        )
    except Card.DoesNotExist:
        scope = "section" if section else "practice"
        messages.error(request, f"That card does not exist or is not part of this {scope}.")
        return _render_practice(request, section, **session, status=404)
    if outcome.notice:
        messages.info(request, outcome.notice)
    if request.htmx:
        return _render_practice(request, section, **session)
    return redirect(_practice_url(section, **session))


@login_required
@require_POST
@_sections_of_my_edition
def practice_undo(request: HttpRequest, slug=None, ids=None, extra: str = "", cards=None) -> HttpResponse:
    section, session = _practice_session(request, slug, ids, extra, cards)
    try:
        prefer = _undo_with_notice(request)
    except _BadUndo:
        messages.error(request, "That undo form was damaged, so nothing was undone. Reload the page and try again.")
        return _render_practice(request, section, **session, status=400)
    if request.htmx:
        return _render_practice(request, section, **session, prefer=prefer)
    url = _practice_url(section, **session)
    return redirect(f"{url}?card={prefer}" if prefer else url)
