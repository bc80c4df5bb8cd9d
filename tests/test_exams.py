"""Practice exams: drawing by weight, scoring, the bank and its checker, quizzes and timed mock exams through the
client (timer, resume, shuffling, no leak of answers, bad input), results and the way back to the cards."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cards.models import Card, Edition, Progress, Review, Section
from exams import attempts, drawing, scoring
from exams.loader import load_all_banks
from exams.models import Attempt, AttemptQuestion, Option, Question
from exams.questionfile import OptionData, QuestionData, check_bank, read_bank
from tests.factories import MembershipFactory, StudyGroupFactory, UserFactory

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- drawing and scoring: pure ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "total", "available", "expected"),
    [
        # 6.5 and 6.5 for sections 1 and 6: the tie goes to the earlier section.
        ({1: 13, 2: 14, 3: 18, 4: 20, 5: 22, 6: 13}, 50, dict.fromkeys(range(1, 7), 99), [7, 7, 9, 10, 11, 6]),
        ({1: 13, 2: 14, 3: 18, 4: 20, 5: 22, 6: 13}, 10, dict.fromkeys(range(1, 7), 99), [1, 2, 2, 2, 2, 1]),
        # 2020 weighs sections by their considerations: 10.56 and 9.44 take the two seats left by the floors.
        ({1: 15, 2: 15, 3: 19, 4: 15, 5: 17, 6: 9}, 50, dict.fromkeys(range(1, 7), 99), [8, 8, 11, 8, 10, 5]),
        # A section with too few questions gives what it lacks to the others, by weight.
        ({1: 50, 2: 50}, 10, {1: 2, 2: 99}, [2, 8]),
        ({1: 50, 2: 50}, 10, {1: 2, 2: 3}, [2, 3]),
    ],
)
def test_quotas_follow_the_weights_and_never_exceed_what_a_section_has(weights, total, available, expected):
    result = drawing.quotas(weights, total, available)
    assert [result[s] for s in sorted(result)] == expected


def test_a_mock_draw_spreads_over_considerations_and_a_seed_repeats_it():
    questions = {1: [(q, q % 3) for q in range(1, 31)], 2: [(q, 10 + q % 2) for q in range(31, 41)]}
    drawn = drawing.draw_mock(questions, {1: 60, 2: 40}, 10, seed=7)
    assert drawn == drawing.draw_mock(questions, {1: 60, 2: 40}, 10, seed=7)
    assert drawn != drawing.draw_mock(questions, {1: 60, 2: 40}, 10, seed=8)
    assert len(set(drawn)) == 10
    section_1 = [q for q in drawn if q <= 30]
    assert len(section_1) == 6
    assert sorted(Counter(q % 3 for q in section_1).values()) == [2, 2, 2]  # round robin over considerations


def test_option_order_is_a_seeded_permutation():
    assert sorted(drawing.option_order([5, 6, 7, 8], 1)) == [5, 6, 7, 8]
    orders = {tuple(drawing.option_order([5, 6, 7, 8], seed)) for seed in range(40)}
    assert len(orders) > 10


@pytest.mark.parametrize(
    ("chosen", "correct", "right"),
    [([3], [3], True), ([4], [3], False), ([], [3], False), ([3, 4], [3, 4], True), ([4, 3], [3, 4], True),
     ([3], [3, 4], False), ([3, 4, 5], [3, 4], False), ([3, 5], [3, 4], False)],
)  # fmt: skip
def test_a_question_counts_only_with_exactly_the_right_options(chosen, correct, right):
    assert scoring.is_correct(chosen, correct) is right


def test_scores_per_section_and_the_pass_mark():
    scores = scoring.by_section([(2, True), (1, False), (1, True), (2, True)])
    assert scores == {1: scoring.Score(1, 2), 2: scoring.Score(2, 2)}
    assert scoring.overall(scores) == scoring.Score(3, 4)
    assert (scoring.Score(7, 10).passed, scoring.Score(69, 100).passed) == (True, False)
    assert scoring.Score(1, 8).percent == 13  # rounded half up


# --- the bank ---------------------------------------------------------------------------------------------------


def test_the_2024_bank_covers_every_consideration_twice_and_follows_the_weights():
    bank = read_bank("pmle2024")
    assert check_bank(bank) == []
    counts = Counter(q.consideration for q in bank.questions)
    assert min(counts[k] for k in bank.guide.consideration_keys()) >= 2
    assert len(bank.questions) >= 200
    for section in bank.guide.sections:
        share = (
            100 * sum(q.consideration.startswith(f"{section['number']}.") for q in bank.questions) / len(bank.questions)
        )
        assert abs(share - section["weight"]) <= 3


def test_the_2020_bank_covers_every_consideration():
    bank = read_bank("pmle2020")
    assert check_bank(bank) == []
    assert set(bank.guide.consideration_keys()) <= {q.consideration for q in bank.questions}


def _question(**overrides) -> QuestionData:
    options = tuple(OptionData(text=f"Service {n}", correct=n == 1, why=f"Because {n}.") for n in range(1, 5))
    base = {
        "key": "1.1.1-example",
        "consideration": "1.1.1",
        "stem": "A team needs a thing. What should it use?",
        "choose": 1,
        "link": "https://cloud.google.com/vertex-ai/docs",
        "options": options,
        "source": "section-1.toml",
    }
    return QuestionData(**(base | overrides))


def _with_option(n: int, **change) -> tuple[OptionData, ...]:
    options = list(_question().options)
    options[n] = OptionData(
        **({"text": options[n].text, "correct": options[n].correct, "why": options[n].why} | change)
    )
    return tuple(options)


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        (_question(choose=2), "declares choose = 2 but marks 1"),
        (_question(options=_with_option(1, correct=True)), "declares choose = 1 but marks 2"),
        (_question(options=_question().options[:3]), "choose 1 needs 4-4 options"),
        (_question(options=_with_option(2, why="")), "option 3 needs an explanation"),
        (_question(options=_with_option(2, why="Unlike option B, this scales.")), "refers to an option by letter"),
        (_question(options=_with_option(3, why="The first answer is cheaper.")), "refers to an option by letter"),
        (_question(options=_with_option(3, text="Service 1")), "two options say the same"),
        (_question(link="https://example.com/x"), "malformed link"),
        (_question(consideration="9.9.9", key="9.9.9-x"), "not in the guide"),
    ],
)
def test_the_question_checker_reports_a_bad_question(question, problem):
    bank = read_bank("pmle2024")
    bank.questions = [question]
    problems = check_bank(bank, require_coverage=False)
    assert any(problem in p for p in problems), problems


def test_the_question_checker_reports_near_identical_stems():
    bank = read_bank("pmle2024")
    bank.questions = [
        _question(key="1.1.1-a", stem="A retailer streams clicks into BigQuery. Which model type predicts churn?"),
        _question(key="1.1.1-b", stem="A retailer streams clicks into BigQuery. Which model type predicts churn!"),
    ]
    assert any("stem nearly the same" in p for p in check_bank(bank, require_coverage=False))


@pytest.fixture
def bank(official_deck):
    load_all_banks()
    return {e.year: e for e in Edition.objects.all()}


def test_loading_the_bank_twice_changes_nothing_and_every_option_has_its_explanation(bank):
    before = list(Question.objects.order_by("id").values())
    out = StringIO()
    call_command("load_questions", stdout=out)
    assert "pmle-2024: questions: 0 added, 0 updated, 0 retired, 212 unchanged" in out.getvalue()
    assert list(Question.objects.order_by("id").values()) == before
    assert not Option.objects.filter(why_html="").exists()
    assert Question.objects.filter(consideration__objective__section__edition=bank[2024]).count() == 212


# --- through the client -----------------------------------------------------------------------------------------


@pytest.fixture
def short_exam(settings):
    settings.EXAM_QUESTIONS = 10
    settings.EXAM_MINUTES = 30


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def start_mock(client) -> Attempt:
    response = client.post(reverse("mock_start"))
    assert response.status_code == 302
    attempt = Attempt.objects.latest("id")
    assert response.url == reverse("attempt_question", args=[attempt.id, 1])
    return attempt


def option_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="option" value="(\d+)"', html)]


def correct_ids(item: AttemptQuestion) -> list[int]:
    return list(Option.objects.filter(question=item.question, correct=True).values_list("id", flat=True))


def wrong_ids(item: AttemptQuestion) -> list[int]:
    return list(Option.objects.filter(question=item.question, correct=False).values_list("id", flat=True))


def test_a_mock_exam_draws_by_section_weight(learner_client, bank, short_exam, frozen):
    attempt = start_mock(learner_client)
    sections = Counter(attempt.items.values_list("question__consideration__objective__section__number", flat=True))
    assert sections == {1: 1, 2: 2, 3: 2, 4: 2, 5: 2, 6: 1}
    assert attempt.deadline == NOW + timedelta(minutes=30)
    assert attempt.edition == bank[2024]


def test_the_question_page_never_sends_the_answers_before_they_are_given(learner_client, bank, short_exam, frozen):
    attempt = start_mock(learner_client)
    item = attempt.items.get(position=1)
    html = learner_client.get(reverse("attempt_question", args=[attempt.id, 1])).content.decode()
    assert option_ids(html) == item.option_order
    for option in Option.objects.filter(question=item.question):
        assert option.why_html not in html
    assert "Correct" not in html and 'class="why' not in html and "right" not in re.sub(r"<[^>]+>", "", html)[:0]
    # After the exam is submitted, the same page shows them.
    learner_client.post(reverse("attempt_submit", args=[attempt.id]))
    response = learner_client.get(reverse("attempt_question", args=[attempt.id, 1]))
    assert response.status_code == 302 and response.url == reverse("attempt_results", args=[attempt.id])


def test_options_are_shuffled_per_attempt_and_stable_across_reloads(learner_client, bank, short_exam, frozen):
    attempt = start_mock(learner_client)
    first = [learner_client.get(reverse("attempt_question", args=[attempt.id, p])).content.decode() for p in (1, 1)]
    assert option_ids(first[0]) == option_ids(first[1])
    # Over the attempt's ten questions, at least one shows its options out of their stored order.
    shown = [list(item.option_order) for item in attempt.items.all()]
    stored = [
        sorted(Option.objects.filter(question=item.question).values_list("id", flat=True))
        for item in attempt.items.all()
    ]
    assert shown != stored


def test_answers_can_change_until_submit_and_scoring_needs_exactly_the_right_options(
    learner_client, learner, bank, short_exam, frozen
):
    attempt = start_mock(learner_client)
    items = list(attempt.items.select_related("question").order_by("position"))
    url = lambda p: reverse("attempt_answer", args=[attempt.id, p])  # noqa: E731
    # Question 1: wrong first, then right: the later answer counts.
    learner_client.post(url(1), {"option": wrong_ids(items[0])[: items[0].question.choose]})
    response = learner_client.post(url(1), {"option": correct_ids(items[0])})
    assert response.status_code == 302 and response.url == reverse("attempt_question", args=[attempt.id, 2])
    # Question 2: wrong. The rest: unanswered.
    learner_client.post(url(2), {"option": wrong_ids(items[1])[: items[1].question.choose]})
    learner_client.post(reverse("attempt_submit", args=[attempt.id]))
    attempt.refresh_from_db()
    assert (attempt.correct_count, attempt.question_count, attempt.submitted_at) == (1, 10, NOW)
    assert [i.correct for i in attempt.items.order_by("position")] == [True] + [False] * 9


def test_a_choose_two_question_needs_two_options(learner_client, learner, bank, short_exam, frozen):
    attempt = start_mock(learner_client)
    item = attempt.items.first()
    multi = (  # a choose-two question the attempt did not draw already (an attempt holds a question once)
        Question.objects.filter(choose=2, consideration__objective__section__edition=bank[2024])
        .exclude(id__in=attempt.items.exclude(id=item.id).values("question_id"))
        .first()
    )
    AttemptQuestion.objects.filter(id=item.id).update(
        question=multi, option_order=list(multi.options.values_list("id", flat=True))
    )
    right = list(multi.options.filter(correct=True).values_list("id", flat=True))
    response = learner_client.post(reverse("attempt_answer", args=[attempt.id, item.position]), {"option": right[:1]})
    assert response.status_code == 400 and "Choose exactly 2 options" in response.content.decode()
    assert (
        learner_client.post(reverse("attempt_answer", args=[attempt.id, item.position]), {"option": right}).status_code
        == 302
    )
    html = learner_client.get(reverse("attempt_question", args=[attempt.id, item.position])).content.decode()
    assert 'type="checkbox"' in html and "Choose 2." in html


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("value", ["other-question", "²", "abc", "", "99999999999999999999"])
def test_bad_answers_get_a_400_and_change_nothing(learner_client, bank, short_exam, frozen, htmx, value):
    attempt = start_mock(learner_client)
    other = attempt.items.get(position=2).option_order[0]
    data = {"option": [str(other) if value == "other-question" else value]}
    response = learner_client.post(reverse("attempt_answer", args=[attempt.id, 1]), data, **(HTMX if htmx else {}))
    assert response.status_code == 400
    assert not AttemptQuestion.objects.filter(attempt=attempt).exclude(chosen=[]).exists()
    if htmx:
        assert response.content.decode().lstrip().startswith('<section id="exam-panel"')


def test_a_second_submit_and_an_answer_after_submit_change_nothing(learner_client, bank, short_exam, frozen):
    attempt = start_mock(learner_client)
    first = attempt.items.get(position=1)
    assert learner_client.post(reverse("attempt_submit", args=[attempt.id])).status_code == 302
    attempt.refresh_from_db()
    snapshot = (attempt.submitted_at, attempt.correct_count, attempt.version)
    response = learner_client.post(reverse("attempt_submit", args=[attempt.id]))
    assert response.status_code == 303 and response.url == reverse("attempt_results", args=[attempt.id])
    response = learner_client.post(reverse("attempt_answer", args=[attempt.id, 1]), {"option": correct_ids(first)})
    assert response.status_code == 302 and response.url == reverse("attempt_results", args=[attempt.id])
    response = learner_client.post(
        reverse("attempt_answer", args=[attempt.id, 1]), {"option": correct_ids(first)}, **HTMX
    )
    assert response.status_code == 409 and response["HX-Redirect"] == reverse("attempt_results", args=[attempt.id])
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.correct_count, attempt.version) == snapshot
    assert attempt.items.get(position=1).chosen == []


def test_at_the_deadline_the_exam_is_submitted_with_what_was_answered(learner_client, bank, short_exam, frozen):
    attempt = start_mock(learner_client)
    first = attempt.items.get(position=1)
    learner_client.post(reverse("attempt_answer", args=[attempt.id, 1]), {"option": correct_ids(first)})
    frozen.move_to(NOW + timedelta(minutes=31))
    response = learner_client.get(reverse("attempt_question", args=[attempt.id, 2]))
    assert response.status_code == 302 and response.url == reverse("attempt_results", args=[attempt.id])
    attempt.refresh_from_db()
    assert (attempt.timed_out, attempt.submitted_at, attempt.correct_count) == (True, attempt.deadline, 1)
    page = learner_client.get(response.url).content.decode()
    assert "Time ran out" in page
    # An answer that arrives after the deadline is refused and changes nothing.
    second = attempt.items.get(position=2)
    learner_client.post(reverse("attempt_answer", args=[attempt.id, 2]), {"option": correct_ids(second)})
    assert attempt.items.get(position=2).chosen == []


def test_a_reload_or_another_device_shows_the_same_attempt_and_the_time_left(
    learner_client, learner, bank, short_exam, frozen
):
    attempt = start_mock(learner_client)
    frozen.move_to(NOW + timedelta(minutes=12))
    client = Client()  # a second device: its own session
    client.force_login(learner)
    response = client.post(reverse("mock_start"))  # starting again resumes instead
    assert response.url == reverse("attempt_question", args=[attempt.id, 1])
    assert Attempt.objects.count() == 1
    html = client.get(response.url).content.decode()
    assert 'data-seconds-left="1080"' in html and "0:18:00" in html


def test_time_per_question_is_the_time_it_was_on_screen(learner_client, bank, short_exam, frozen):
    attempt = start_mock(learner_client)
    learner_client.get(reverse("attempt_question", args=[attempt.id, 1]))
    frozen.move_to(NOW + timedelta(seconds=40))
    learner_client.get(reverse("attempt_question", args=[attempt.id, 2]))
    frozen.move_to(NOW + timedelta(seconds=55))
    learner_client.get(reverse("attempt_question", args=[attempt.id, 1]))  # back to question 1 for 5 s
    frozen.move_to(NOW + timedelta(seconds=60))
    learner_client.post(reverse("attempt_submit", args=[attempt.id]))
    seconds = dict(attempt.items.values_list("position", "seconds"))
    assert (seconds[1], seconds[2], seconds[3]) == (45, 15, 0)


def test_flag_for_review_and_the_palette(learner_client, bank, short_exam, frozen):
    attempt = start_mock(learner_client)
    response = learner_client.post(reverse("attempt_flag", args=[attempt.id, 3]), {"flagged": "1"}, **HTMX)
    assert response.status_code == 200
    assert attempt.items.get(position=3).flagged
    html = response.content.decode()
    assert 'aria-label="Question 3, flagged"' in html and "1 flagged" in html


def test_an_attempt_belongs_to_its_learner_alone(learner_client, bank, short_exam, frozen):
    attempt = start_mock(learner_client)
    client = Client()
    client.force_login(UserFactory(username="nosy"))
    for name, args in (("attempt_question", [attempt.id, 1]), ("attempt_results", [attempt.id])):
        assert client.get(reverse(name, args=args)).status_code == 404
    for name, args in (
        ("attempt_answer", [attempt.id, 1]),
        ("attempt_flag", [attempt.id, 1]),
        ("attempt_submit", [attempt.id]),
        ("attempt_share", [attempt.id]),
    ):
        assert (
            client.post(reverse(name, args=args), {"option": ["1"], "flagged": "1", "shared": "1"}).status_code == 404
        )
    attempt.refresh_from_db()
    assert attempt.is_open and not attempt.items.filter(flagged=True).exists()
    assert client.get(reverse("attempt_question", args=[attempt.id + 999, 1])).status_code == 404


def test_a_quick_quiz_gives_feedback_after_each_answer_and_keeps_the_first_answer(learner_client, bank, frozen):
    section = Section.objects.get(edition=bank[2024], number=3)
    response = learner_client.post(reverse("quiz_start"), {"source": f"s{section.id}", "count": 5})
    attempt = Attempt.objects.get()
    assert response.url == reverse("attempt_question", args=[attempt.id, 1])
    assert (attempt.kind, attempt.deadline, attempt.question_count) == ("quiz", None, 5)
    assert set(attempt.items.values_list("question__consideration__objective__section", flat=True)) == {section.id}
    item = attempt.items.get(position=1)
    response = learner_client.post(
        reverse("attempt_answer", args=[attempt.id, 1]), {"option": correct_ids(item)}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Right." in html
    for option in Option.objects.filter(question=item.question):
        assert option.why_html in html
    again = learner_client.post(
        reverse("attempt_answer", args=[attempt.id, 1]), {"option": wrong_ids(item)[: item.question.choose]}
    )
    assert again.status_code == 409
    assert attempt.items.get(position=1).chosen == sorted(correct_ids(item))


def test_a_quiz_of_an_unknown_source_is_a_400(learner_client, bank):
    response = learner_client.post(reverse("quiz_start"), {"source": "s999999", "count": 5})
    assert response.status_code == 400 and not Attempt.objects.exists()
    response = learner_client.post(reverse("quiz_start"), {"source": "weakest", "count": 500})
    assert response.status_code == 400 and not Attempt.objects.exists()


def test_the_results_show_every_question_by_section_and_lead_misses_to_the_drill(
    learner_client, learner, bank, short_exam, frozen
):
    attempt = start_mock(learner_client)
    items = list(attempt.items.select_related("question__consideration").order_by("position"))
    learner_client.post(reverse("attempt_answer", args=[attempt.id, 1]), {"option": correct_ids(items[0])})
    learner_client.post(reverse("attempt_submit", args=[attempt.id]))
    html = learner_client.get(reverse("attempt_results", args=[attempt.id])).content.decode()
    assert "1 of 10</strong> right (10%)" in html and "estimated pass mark of 70%" in html
    assert html.count('<li class="result-item') == 10
    missed = sorted({i.question.consideration_id for i in items[1:]} - {items[0].question.consideration_id} or {0})
    drill = reverse("considerations_practice", args=[missed])
    assert drill in html
    # The drill serves those considerations' seen cards, and only those.
    cards = list(Card.objects.filter(consideration_id__in=missed, deck__owner__isnull=True)[:2])
    other = Card.objects.filter(deck__edition=bank[2024]).exclude(consideration_id__in=missed).first()
    for card in [*cards, other]:
        Progress.objects.create(user=learner, card=card, repetitions=1, interval=1, due=NOW.date(), version=1)
    page = learner_client.get(drill)
    assert page.status_code == 200
    queue = page.context["queue"]
    assert set(queue.todo_ids) == {c.id for c in cards}
    grade = learner_client.post(
        reverse("considerations_practice_grade", args=[missed]),
        {"card": queue.card.id, "version": 1, "quality": 4},
    )
    assert grade.status_code == 302
    assert Review.objects.get(user=learner).kind == "practice"


def test_a_drill_over_considerations_of_another_edition_is_a_404(learner_client, bank):
    old = list(
        Question.objects.filter(consideration__objective__section__edition=bank[2020]).values_list(
            "consideration_id", flat=True
        )[:2]
    )
    assert learner_client.get(reverse("considerations_practice", args=[old])).status_code == 404


def test_readiness_shows_the_mock_exam_signal_beside_retention(learner_client, bank, short_exam, frozen):
    attempt = start_mock(learner_client)
    first = attempt.items.select_related("question__consideration__objective__section").get(position=1)
    learner_client.post(reverse("attempt_answer", args=[attempt.id, 1]), {"option": correct_ids(first)})
    learner_client.post(reverse("attempt_submit", args=[attempt.id]))
    home = learner_client.get(reverse("home")).content.decode()
    assert "1 of 10 questions right in your latest mock exams" in home
    section = first.question.consideration.objective.section
    page = learner_client.get(reverse("section_dashboard", args=[section.slug])).content.decode()
    in_section = attempt.items.filter(question__consideration__objective__section=section).count()
    assert f"1 of {in_section} questions right in your latest mock exams" in page


def test_a_member_shares_a_mock_result_with_the_group(learner_client, learner, bank, short_exam, frozen):
    group = StudyGroupFactory(slug="crew")
    MembershipFactory(group=group, user=learner, role="owner")
    viewer = UserFactory(username="viewer")
    MembershipFactory(group=group, user=viewer)
    attempt = start_mock(learner_client)
    learner_client.post(reverse("attempt_submit", args=[attempt.id]))
    client = Client()  # the viewer's own browser
    client.force_login(viewer)
    assert "Shared mock exam results" not in client.get(reverse("group_detail", args=["crew"])).content.decode()
    response = learner_client.post(reverse("attempt_share", args=[attempt.id]), {"shared": "1"})
    assert response.status_code == 302
    assert Attempt.objects.get(id=attempt.id).shared
    html = client.get(reverse("group_detail", args=["crew"])).content.decode()
    assert "Shared mock exam results" in html and "0%" in html


@pytest.mark.parametrize("attempts_before", [1, 15])
def test_the_results_and_history_pages_take_a_fixed_number_of_queries(
    learner_client, learner, bank, short_exam, frozen, django_assert_max_num_queries, attempts_before
):
    for _ in range(attempts_before):
        attempt = start_mock(learner_client)
        learner_client.post(reverse("attempt_submit", args=[attempt.id]))
    with django_assert_max_num_queries(10):
        assert learner_client.get(reverse("attempt_results", args=[attempt.id])).status_code == 200
    with django_assert_max_num_queries(8):
        assert learner_client.get(reverse("exams_home")).status_code == 200
    attempt = start_mock(learner_client)
    # session, user, the attempt, the deadline check and the visit (each locked, with savepoints), items, options,
    # palette: the same for every question and every length of history.
    with django_assert_max_num_queries(13):
        assert learner_client.get(reverse("attempt_question", args=[attempt.id, 3])).status_code == 200
    assert attempts.Attempt.objects.filter(user=learner).count() == attempts_before + 1


# --- a deck's own questions, written by its editors --------------------------------------------------------------


def _question_post(consideration_id: int, **overrides) -> dict:
    data = {
        "consideration": consideration_id,
        "stem": "A shop streams orders into BigQuery and needs daily churn scores with SQL only. What fits?",
        "link": "https://cloud.google.com/bigquery/docs/bqml-introduction",
        "save": "",
    }
    for n, (text, why) in enumerate(
        [
            ("BigQuery ML logistic regression", "Trains and predicts in SQL where the data is."),
            ("A Vertex AI custom training job", "Works, but needs Python code the team does not write."),
            ("Dataflow with RunInference", "Needs a trained model first and a pipeline to run."),
            ("Looker Studio", "A dashboard tool: it trains no model."),
        ],
        start=1,
    ):
        data |= {f"option_{n}": text, f"why_{n}": why}
    data["correct_1"] = "on"
    return data | overrides


@pytest.fixture
def group_deck(bank):
    from tests.factories import DeckFactory, DeckShareFactory

    owner, editor, member, outsider = (UserFactory(username=n) for n in ("owner", "editor", "member", "outsider"))
    group = StudyGroupFactory(slug="crew")
    MembershipFactory(group=group, user=owner, role="owner")
    MembershipFactory(group=group, user=editor, role="editor")
    MembershipFactory(group=group, user=member, role="member")
    deck = DeckFactory(owner=owner, slug="crew-deck", title="Crew deck")
    DeckShareFactory(deck=deck, group=group)
    consideration = Question.objects.filter(deck__isnull=True, consideration__objective__section__edition=bank[2024])[0]
    consideration = consideration.consideration
    return {"deck": deck, "owner": owner, "editor": editor, "member": member, "outsider": outsider, "c": consideration}


def test_a_group_editor_writes_a_question_that_members_can_quiz_on(client, bank, group_deck, frozen):
    client.force_login(group_deck["editor"])
    url = reverse("question_create", args=["crew-deck"])
    response = client.post(url, _question_post(group_deck["c"].id))
    assert response.status_code == 302
    question = Question.objects.get(deck=group_deck["deck"])
    assert (question.choose, question.options.count(), question.key) == (1, 4, "")
    assert question.options.get(correct=True).text == "BigQuery ML logistic regression"
    member = Client()
    member.force_login(group_deck["member"])
    home = member.get(reverse("exams_home")).content.decode()
    assert f'value="d{group_deck["deck"].id}"' in home
    response = member.post(reverse("quiz_start"), {"source": f"d{group_deck['deck'].id}", "count": 3})
    attempt = Attempt.objects.get(user=group_deck["member"])
    assert response.url == reverse("attempt_question", args=[attempt.id, 1])
    assert list(attempt.items.values_list("question", flat=True)) == [question.id]
    # Official quizzes and mock exams never draw a deck's questions.
    assert not Question.objects.filter(deck__isnull=False).filter(id__in=attempts._questions(bank[2024])).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"correct_1": ""}, "declares choose = 1 but marks 0"),
        ({"correct_2": "on"}, "choose 2 needs 5-6 options"),
        ({"why_3": ""}, "option 3 needs an explanation"),
        ({"why_2": "Cheaper than option A."}, "refers to an option by letter"),
        ({"link": "http://example.com/"}, "must start with https://"),
        ({"option_4": ""}, "This field is required"),
    ],
)
def test_a_bad_question_is_refused_with_the_reason_and_nothing_is_saved(client, group_deck, change, message):
    client.force_login(group_deck["owner"])
    response = client.post(reverse("question_create", args=["crew-deck"]), _question_post(group_deck["c"].id, **change))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Question.objects.filter(deck=group_deck["deck"]).exists()


def test_a_choose_two_question_needs_five_options_and_says_so(client, group_deck):
    client.force_login(group_deck["owner"])
    data = _question_post(
        group_deck["c"].id, stem="Which two services train models with SQL or no code? Choose two.", correct_2="on"
    )
    data |= {"option_5": "Vertex AI AutoML", "why_5": "No code at all, but not SQL."}
    assert client.post(reverse("question_create", args=["crew-deck"]), data).status_code == 302
    assert Question.objects.get(deck=group_deck["deck"]).choose == 2


def test_previewing_a_question_renders_it_and_saves_nothing(client, group_deck):
    client.force_login(group_deck["owner"])
    data = _question_post(group_deck["c"].id, stem="Uses **bold** here?", preview="")
    del data["save"]
    response = client.post(reverse("question_create", args=["crew-deck"]), data)
    assert response.status_code == 200 and "<strong>bold</strong>" in response.content.decode()
    assert not Question.objects.filter(deck=group_deck["deck"]).exists()


def test_only_the_decks_editors_write_and_outsiders_learn_nothing(client, group_deck):
    client.force_login(group_deck["owner"])
    client.post(reverse("question_create", args=["crew-deck"]), _question_post(group_deck["c"].id))
    question = Question.objects.get(deck=group_deck["deck"])
    for who, status in (("member", 403), ("outsider", 404)):
        other = Client()
        other.force_login(group_deck[who])
        assert (
            other.post(reverse("question_create", args=["crew-deck"]), _question_post(group_deck["c"].id)).status_code
            == status
        )
        assert other.post(reverse("question_retire", args=["crew-deck", question.id])).status_code == status
        assert other.get(reverse("question_edit", args=["crew-deck", question.id])).status_code == status
    outsider = Client()
    outsider.force_login(group_deck["outsider"])
    assert outsider.get(reverse("deck_questions", args=["crew-deck"])).status_code == 404
    response = outsider.post(reverse("quiz_start"), {"source": f"d{group_deck['deck'].id}", "count": 3})
    assert response.status_code == 400
    assert Question.objects.filter(deck=group_deck["deck"]).count() == 1 and not question.retired


def test_editing_and_retiring_a_question(client, group_deck):
    client.force_login(group_deck["editor"])
    client.post(reverse("question_create", args=["crew-deck"]), _question_post(group_deck["c"].id))
    question = Question.objects.get(deck=group_deck["deck"])
    edit = reverse("question_edit", args=["crew-deck", question.id])
    assert "BigQuery ML logistic regression" in client.get(edit).content.decode()
    client.post(edit, _question_post(group_deck["c"].id, option_1="BigQuery ML boosted trees"))
    assert question.options.get(correct=True).text == "BigQuery ML boosted trees"
    client.post(reverse("question_retire", args=["crew-deck", question.id]))
    question.refresh_from_db()
    assert question.retired
    assert "No questions yet" in client.get(reverse("deck_questions", args=["crew-deck"])).content.decode()
