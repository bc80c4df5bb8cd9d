"""The study plan's pages: the plan and the forecast, leeches and card info, backlog spreading and vacations.

Thin views like cards/views.py: reads from cards/stats.py, card_stats.py and cards/forecast.py, writes through
cards/moves.py and cards/reviews.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cards import card_stats, charts, forecast, scheduling, stats
from cards.deck_forms import form_errors
from cards.forms import LeechReportForm, SpreadForm, VacationForm
from cards.marks import report_leech
from cards.models import Card, Progress, Review, Vacation
from cards.moves import add_vacation, cancel_vacation, spread_backlog
from cards.reviews import Scope, today_for
from pmle.nexturl import safe_next


@login_required
@require_GET
def card_info(request: HttpRequest, card_id: int) -> HttpResponse:
    """A card's history for the learner: grades and intervals, ease, lapses, next due, a sparkline (key I)."""
    card = Scope().cards(request.user).select_related("deck", "consideration").filter(id=card_id).first()
    if card is None:
        raise Http404("No such card in your reviews.")
    history = card_stats.card_history(request.user, card)
    graded = [r for r in history if r.kind in (Review.Kind.NEW, Review.Kind.SCHEDULED, Review.Kind.CARRIED)]
    labels = [f"{r.study_day:%d %b %Y}" for r in graded]
    context = {
        "card": card,
        "progress": Progress.objects.filter(user=request.user, card=card).first(),
        "history": history,
        "leech_threshold": request.user.leech_threshold,
        "spark": charts.sparkline(
            "card-intervals", "Interval after each grade", [r.after_interval for r in graded], labels
        ),
    }
    template = "cards/card_info.html#card-info" if request.htmx else "cards/card_info.html"
    return render(request, template, context)


@login_required
@require_GET
def leeches(request: HttpRequest) -> HttpResponse:
    return render(
        request, "cards/leeches.html", {"leeches": card_stats.leeches(request.user), "form": LeechReportForm()}
    )


@login_required
@require_POST
def leech_report(request: HttpRequest, card_id: int) -> HttpResponse:
    form = LeechReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return render(
            request, "cards/leeches.html", {"leeches": card_stats.leeches(request.user), "form": form}, status=400
        )
    try:
        report_leech(user=request.user, card_id=card_id, note=form.cleaned_data["note"])
    except Card.DoesNotExist as error:
        raise Http404("No such card in your reviews.") from error
    messages.success(request, "Reported to the card's editors, with your note.")
    return redirect("leeches")


@login_required
@require_POST
def spread(request: HttpRequest) -> HttpResponse:
    """Spread a backlog over N study days (offered when more cards are due than a day's maximum)."""
    form = SpreadForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("home")
    moved = spread_backlog(user=request.user, days=form.cleaned_data["days"], now=timezone.now())
    messages.success(
        request,
        f"{moved} due cards moved to the next {form.cleaned_data['days'] - 1} days; the most at risk stay today.",
    )
    return redirect("home")


@login_required
@require_GET
def plan(request: HttpRequest) -> HttpResponse:
    """The plan and the forecast of exam-day recall, from a memory model of the learner's own log."""
    now = timezone.now()
    overview = stats.home_overview(request.user, now)
    context = {"overview": overview, "min_reviews_to_fit": forecast.MIN_REVIEWS_TO_FIT}
    if request.user.exam_date and request.user.exam_date >= overview.today:
        result = forecast.exam_forecast(request.user, overview.today, request.user.exam_date)
        labels = [f"{day:%d %b}" for day in result.days]
        every = max(1, len(labels) // 8)
        context |= {
            "forecast": result,
            "recall_chart": charts.line_chart(
                chart_id="recall",
                title="Predicted recall of the exam deck, day by day",
                summary=f"If you stopped reviewing today, you would recall {result.overall:.0%} of the exam cards "
                "on the exam day (cards never seen count as not known).",
                labels=labels,
                series=[("Predicted recall", "chart-mature", [round(100 * r, 1) for r in result.recall_by_day])],
                headers=("Day", "Recall"),
                rows=[(label, f"{r:.0%}") for label, r in zip(labels, result.recall_by_day, strict=True)],
                label_every=every,
            ),
            "load_chart": charts.bar_chart(
                chart_id="load",
                title="Cards due each day until the exam",
                summary=f"{sum(result.load_by_day)} reviews already scheduled before the exam; today includes overdue.",
                labels=labels,
                values=result.load_by_day,
                headers=("Day", "Cards due"),
                label_every=every,
            ),
        }
    return render(request, "cards/plan.html", context)


@login_required
@require_POST
def refit(request: HttpRequest) -> HttpResponse:
    graded = scheduling.refit(request.user, timezone.now())
    if graded is None:
        messages.info(
            request,
            f"Not enough reviews yet: the model is fitted from {forecast.MIN_REVIEWS_TO_FIT} graded days of cards.",
        )
    else:
        messages.success(request, f"The memory model is now fitted to your {graded} graded days of cards.")
    return redirect(safe_next(request) or "plan")


@login_required
@require_http_methods(["GET", "POST"])
def vacations(request: HttpRequest) -> HttpResponse:
    """Days away: cards due then move to the days after; a vacation can be cancelled, which moves them back."""
    form = VacationForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _render_vacations(request, form, status=400)
        try:
            vacation, moved = add_vacation(
                user=request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"], now=timezone.now()
            )
        except ValueError as error:
            form.add_error(None, str(error))
            return _render_vacations(request, form, status=400)
        messages.success(
            request, f"Away {vacation.start:%d %b} to {vacation.end:%d %b}: {moved} due cards moved to the days after."
        )
        return redirect("vacations")
    return _render_vacations(request, form)


def _render_vacations(request: HttpRequest, form: VacationForm, *, status: int = 200) -> HttpResponse:
    today = today_for(request.user, timezone.now())
    rows = request.user.vacations.filter(end__gte=today).annotate(moved=Count("moves"))
    return render(request, "cards/vacations.html", {"form": form, "vacations": rows}, status=status)


@login_required
@require_POST
def vacation_cancel(request: HttpRequest, vacation_id: int) -> HttpResponse:
    try:
        back = cancel_vacation(user=request.user, vacation_id=vacation_id, now=timezone.now())
    except Vacation.DoesNotExist as error:
        raise Http404("No such vacation.") from error
    messages.success(request, f"Vacation cancelled: {back} cards are back on their due days.")
    return redirect("vacations")
