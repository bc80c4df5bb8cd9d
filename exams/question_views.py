"""A deck's own questions: its editors write them as they write cards; whoever studies the deck can quiz on them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cards.access import deck_for_user
from cards.models import Consideration, Deck
from exams.authoring import Draft, retire_question, save_question
from exams.forms import QuestionForm
from exams.models import Question


def _considerations():
    return Consideration.objects.select_related("objective__section__edition").order_by(
        "-objective__section__edition__year", "objective__section__number", "objective__position", "position"
    )


def _question(deck: Deck, question_id: int) -> Question:
    question = Question.objects.filter(deck=deck, id=question_id).prefetch_related("options").first()
    if question is None:
        raise Http404("No such question in this deck.")
    return question


@login_required
@require_GET
def deck_questions(request: HttpRequest, slug: str) -> HttpResponse:
    deck = deck_for_user(request.user, slug, "view")
    questions = Question.objects.filter(deck=deck, retired=False).select_related("consideration").order_by("id")
    return render(request, "exams/deck_questions.html", {"deck": deck, "questions": questions})


def _render_form(request, deck, form, question=None, *, preview=None, status=200) -> HttpResponse:
    context = {"deck": deck, "form": form, "question": question, "preview": preview}
    return render(request, "exams/question_form.html", context, status=status)


def _save(request: HttpRequest, deck: Deck, question: Question | None) -> HttpResponse:
    form = QuestionForm(request.POST, considerations=_considerations())
    if not form.is_valid():
        return _render_form(request, deck, form, question, status=400)
    draft = Draft(
        consideration=form.cleaned_data["consideration"],
        stem=form.cleaned_data["stem"].strip(),
        link=form.cleaned_data["link"],
        options=form.options(),
    )
    problems = draft.problems()
    if problems:
        for problem in problems:
            form.add_error(None, problem)
        return _render_form(request, deck, form, question, status=400)
    if "preview" in request.POST:
        return _render_form(request, deck, form, question, preview=draft)
    save_question(deck=deck, draft=draft, question=question)
    messages.success(request, "Question saved.")
    return redirect("deck_questions", deck.slug)


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, slug: str) -> HttpResponse:
    deck = deck_for_user(request.user, slug, "edit")
    if request.method == "POST":
        return _save(request, deck, None)
    return _render_form(request, deck, QuestionForm(considerations=_considerations()))


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    deck = deck_for_user(request.user, slug, "edit")
    question = _question(deck, question_id)
    if request.method == "POST":
        return _save(request, deck, question)
    form = QuestionForm(initial=QuestionForm.initial_for(question), considerations=_considerations())
    return _render_form(request, deck, form, question)


@login_required
@require_POST
def question_retire(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    deck = deck_for_user(request.user, slug, "edit")
    retire_question(question=_question(deck, question_id))
    messages.success(request, "Question retired: it is no longer drawn; past attempts keep it.")
    return redirect("deck_questions", deck.slug)
