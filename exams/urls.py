from django.urls import path

from exams import question_views, views

urlpatterns = [
    path("", views.exams_home, name="exams_home"),
    path("mock/", views.mock_start, name="mock_start"),
    path("quiz/", views.quiz_start, name="quiz_start"),
    path("<id:attempt_id>/q/<id:position>/", views.question, name="attempt_question"),
    path("<id:attempt_id>/q/<id:position>/answer/", views.answer, name="attempt_answer"),
    path("<id:attempt_id>/q/<id:position>/flag/", views.flag, name="attempt_flag"),
    path("<id:attempt_id>/submit/", views.submit, name="attempt_submit"),
    path("<id:attempt_id>/results/", views.results_page, name="attempt_results"),
    path("<id:attempt_id>/share/", views.share, name="attempt_share"),
    path("decks/<slug:slug>/", question_views.deck_questions, name="deck_questions"),
    path("decks/<slug:slug>/new/", question_views.question_create, name="question_create"),
    path("decks/<slug:slug>/<id:question_id>/", question_views.question_edit, name="question_edit"),
    path("decks/<slug:slug>/<id:question_id>/retire/", question_views.question_retire, name="question_retire"),
]
