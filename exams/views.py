"""Thin views for quizzes and mock exams: load the learner's own attempt (404 otherwise), call exams/attempts.py to
write or exams/results.py to read, render a page or, for HTMX, its panel."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cards import charts, section_stats, stats
from cards.access import studied_deck_q
from cards.deck_forms import form_errors
from cards.editions import edition_of, sections_of
from cards.models import Consideration, Deck
from exams import attempts, results, scoring
from exams.forms import QuizForm, parse_ids
from exams.models import Attempt

QUIZ_WEAKEST = 5  # how many of the learner's weakest considerations a "weakest" quiz draws from


def _attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    attempt = Attempt.objects.filter(id=attempt_id, user=request.user).first()
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


def _quiz_decks(request: HttpRequest):
    """The decks the learner studies that have questions of their own (their editors wrote them)."""
    return Deck.objects.filter(studied_deck_q(request.user), questions__retired=False).distinct().order_by("title")


def _quiz_form(request: HttpRequest, data=None) -> QuizForm:
    sections = list(sections_of(request.user))
    considerations = list(
        Consideration.objects.filter(objective__section__in=sections).select_related("objective__section")
    )
    return QuizForm(data, sections=sections, considerations=considerations, decks=list(_quiz_decks(request)))


def _trend(history: list[Attempt]) -> charts.Chart | None:
    mocks = [a for a in reversed(history) if a.is_mock and a.percent is not None][-20:]
    if not mocks:
        return None
    labels = [a.submitted_at.strftime("%d %b") for a in mocks]
    return charts.line_chart(
        chart_id="mock-trend",
        title="Mock exam scores",
        summary=f"Your last {len(mocks)} mock exam score(s), against the estimated pass mark of {scoring.PASS_MARK}%.",
        labels=labels,
        series=[
            ("Score", "chart-mature", [a.percent for a in mocks]),
            (f"Pass mark (estimate) {scoring.PASS_MARK}%", "chart-young", [scoring.PASS_MARK] * len(mocks)),
        ],
        headers=("Mock exam", "Score"),
        rows=[
            (f"{a.submitted_at:%Y-%m-%d %H:%M}", f"{a.percent}% ({a.correct_count} of {a.question_count})")
            for a in mocks
        ],
        label_every=max(1, len(mocks) // 8),
    )


@login_required
@require_GET
def exams_home(request: HttpRequest) -> HttpResponse:
    edition = edition_of(request.user)
    history = results.history(request.user, edition) if edition else []
    context = {
        "edition": edition,
        "form": _quiz_form(request),
        "history": history,
        "open_mock": next((a for a in history if a.is_mock and a.is_open), None),
        "trend": _trend(history),
        "exam_questions": settings.EXAM_QUESTIONS,
        "exam_minutes": settings.EXAM_MINUTES,
    }
    return render(request, "exams/home.html", context)


@login_required
@require_POST
def mock_start(request: HttpRequest) -> HttpResponse:
    edition = edition_of(request.user)
    if edition is None:
        raise Http404("No exam guide is loaded.")
    running = results.open_mock(request.user, edition)
    if running is not None:
        running = attempts.expire_if_due(attempt_id=running.id, user=request.user, now=timezone.now())
    if running is not None and running.is_open:
        messages.info(request, "You have a mock exam under way: here it is, with the time it has left.")
        return redirect("attempt_question", running.id, running.current)
    try:
        attempt = attempts.start_mock(user=request.user, edition=edition, now=timezone.now())
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("exams_home")
    return redirect("attempt_question", attempt.id, 1)


def _quiz_scope(request: HttpRequest, source: str, edition) -> tuple[list[int] | Deck, str]:
    if source == "weakest":
        rows = [
            row
            for section in sections_of(request.user)
            for row in section_stats.consideration_rows(
                request.user, section, stats.today_for(request.user, timezone.now())
            )
            if row.weakness is not None
        ]
        rows.sort(key=lambda r: -r.weakness)
        ids = [r.consideration.id for r in rows[:QUIZ_WEAKEST]]
        return ids, "My weakest considerations"
    kind, number = source[0], int(source[1:])
    if kind == "d":
        deck = _quiz_decks(request).get(id=number)  # the form offered only these
        return deck, f"Deck: {deck.title}"
    if kind == "s":
        section = sections_of(request.user).get(id=number)
        ids = list(Consideration.objects.filter(objective__section=section).values_list("id", flat=True))
        return ids, f"Section {section.number}: {section.title}"
    consideration = Consideration.objects.get(id=number, objective__section__edition=edition)
    return [consideration.id], f"{consideration.key} {consideration.title}"


@login_required
@require_POST
def quiz_start(request: HttpRequest) -> HttpResponse:
    edition = edition_of(request.user)
    form = _quiz_form(request, request.POST)
    if edition is None or not form.is_valid():
        errors = form_errors(form) or "No exam guide is loaded."
        messages.error(request, errors)
        return render(request, "exams/home.html", {"edition": edition, "form": form, "history": []}, status=400)
    ids, title = _quiz_scope(request, form.cleaned_data["source"], edition)
    if not ids:
        messages.info(request, "No consideration is started yet, so none is weakest: review some cards first.")
        return redirect("exams_home")
    scope = {"deck": ids} if isinstance(ids, Deck) else {"consideration_ids": ids}
    try:
        attempt = attempts.start_quiz(
            user=request.user, edition=edition, count=form.cleaned_data["count"], title=title, now=timezone.now(),
            **scope,
        )  # fmt: skip
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("exams_home")
    return redirect("attempt_question", attempt.id, 1)


def _render_question(
    request: HttpRequest, attempt: Attempt, position: int, *, status: int = 200, pending: list[int] | None = None
) -> HttpResponse:
    view = results.items(attempt, [position])[0]
    now = timezone.now()
    context = {
        "attempt": attempt,
        "view": view,
        "palette": results.palette(attempt),
        "position": position,
        # Explanations and correct options reach the browser only once the answer is in (quiz) or submitted.
        "feedback": not attempt.is_open or (not attempt.is_mock and view.item.answered),
        "seconds_left": max(int((attempt.deadline - now).total_seconds()), 0) if attempt.deadline else None,
        "answer_url": reverse("attempt_answer", args=[attempt.id, position]),
        "pending": pending or [],  # options ticked but not saved yet (a flag in between keeps them ticked)
    }
    template = "exams/attempt.html#exam-panel" if request.htmx else "exams/attempt.html"
    return render(request, template, context, status=status)


def _closed(request: HttpRequest, attempt: Attempt, error: Exception) -> HttpResponse:
    messages.info(request, str(error))
    attempt.refresh_from_db()
    if not attempt.is_open:
        url = reverse("attempt_results", args=[attempt.id])
        if request.htmx:
            response = HttpResponse(status=409)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    return None


@login_required
@require_GET
def question(request: HttpRequest, attempt_id: int, position: int) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    try:
        attempt = attempts.visit(attempt_id=attempt.id, user=request.user, position=position, now=timezone.now())
    except attempts.AttemptClosed:
        attempt.refresh_from_db()
        if attempt.timed_out:
            messages.info(request, "Time is up: the exam was submitted with the answers you had given.")
        return redirect("attempt_results", attempt.id)
    except ValueError as error:
        raise Http404(str(error)) from error
    return _render_question(request, attempt, position)


@login_required
@require_POST
def answer(request: HttpRequest, attempt_id: int, position: int) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    option_ids = parse_ids(request.POST.getlist("option"))
    now = timezone.now()
    try:
        if option_ids is None:
            raise ValueError("That option does not belong to this question.")
        attempts.answer(attempt_id=attempt.id, user=request.user, position=position, option_ids=option_ids, now=now)
    except attempts.AttemptClosed as error:
        response = _closed(request, attempt, error)
        if response is not None:
            return response
        return _render_question(request, attempt, position, status=409)
    except ValueError as error:
        messages.error(request, str(error))
        if not 1 <= position <= attempt.question_count:
            raise Http404(str(error)) from error
        return _render_question(request, attempt, position, status=400)
    attempt.refresh_from_db()
    target = position
    if attempt.is_mock:
        messages.success(request, f"Answer to question {position} saved.")
        target = min(position + 1, attempt.question_count)
        if target != position:
            attempt = attempts.visit(attempt_id=attempt.id, user=request.user, position=target, now=now)
    if request.htmx:
        return _render_question(request, attempt, target)
    return redirect("attempt_question", attempt.id, target)


@login_required
@require_POST
def flag(request: HttpRequest, attempt_id: int, position: int) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    flagged = request.POST.get("flagged") == "1"
    try:
        attempts.set_flag(
            attempt_id=attempt.id, user=request.user, position=position, flagged=flagged, now=timezone.now()
        )
    except attempts.AttemptClosed as error:
        return _closed(request, attempt, error) or _render_question(request, attempt, position, status=409)
    except ValueError as error:
        raise Http404(str(error)) from error
    if request.htmx:
        return _render_question(request, attempt, position, pending=parse_ids(request.POST.getlist("option")))
    return redirect("attempt_question", attempt.id, position)


@login_required
@require_POST
def submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    try:
        attempts.submit(attempt_id=attempt.id, user=request.user, now=timezone.now())
    except attempts.AttemptClosed as error:
        messages.info(request, str(error))
        response = redirect("attempt_results", attempt.id)
        response.status_code = 303
        return response
    return redirect("attempt_results", attempt.id)


@login_required
@require_GET
def results_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = attempts.expire_if_due(attempt_id=_attempt(request, attempt_id).id, user=request.user, now=timezone.now())
    if attempt.is_open:
        messages.info(request, "This attempt is not submitted yet: the results come when it is.")
        return redirect("attempt_question", attempt.id, attempt.current)
    return render(request, "exams/results.html", {"result": results.results(attempt)})


@login_required
@require_POST
def share(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    shared = request.POST.get("shared") == "1"
    try:
        attempts.share(attempt_id=attempt.id, user=request.user, shared=shared)
    except attempts.AttemptClosed as error:
        messages.error(request, str(error))
        return redirect("attempt_question", attempt.id, attempt.current)
    messages.success(request, "Shared with your groups." if shared else "No longer shared with your groups.")
    return redirect("attempt_results", attempt.id)
