from django.urls import path

from cards import plan_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("review/", views.review, name="review"),
    path("review/grade/", views.grade, name="grade"),
    path("review/undo/", views.undo, name="undo"),
    path("review/more/", views.study_more, name="study_more"),
    path("review/card/", views.card_action, name="card_action"),
    path("review/spread/", plan_views.spread, name="spread_backlog"),
    path("vacations/", plan_views.vacations, name="vacations"),
    path("plan/", plan_views.plan, name="plan"),
    path("plan/fit/", plan_views.refit, name="refit_fsrs"),
    path("vacations/<id:vacation_id>/cancel/", plan_views.vacation_cancel, name="vacation_cancel"),
    path("cards/<id:card_id>/info/", plan_views.card_info, name="card_info"),
    path("leeches/", plan_views.leeches, name="leeches"),
    path("leeches/<id:card_id>/report/", plan_views.leech_report, name="leech_report"),
    path("sections/<slug:slug>/review/", views.review, name="section_review"),
    path("sections/<slug:slug>/review/grade/", views.grade, name="section_grade"),
    path("sections/<slug:slug>/review/undo/", views.undo, name="section_undo"),
    path("sections/<slug:slug>/review/more/", views.study_more, name="section_study_more"),
    path("sections/<slug:slug>/review/card/", views.card_action, name="section_card_action"),
    path("sections/<slug:slug>/", views.section_dashboard, name="section_dashboard"),
    path("sections/<slug:slug>/practice/", views.practice, name="section_practice"),
    path("sections/<slug:slug>/practice/grade/", views.practice_grade, name="section_practice_grade"),
    path("sections/<slug:slug>/practice/undo/", views.practice_undo, name="section_practice_undo"),
    # Practice over named considerations (the ones a mock exam or quiz missed), across sections.
    # "Study more" as practice: cards due in the next days, or today's failures (logged; the schedule stays).
    path("practice/ahead/", views.practice, {"extra": "ahead"}, name="practice_ahead"),
    path("practice/ahead/grade/", views.practice_grade, {"extra": "ahead"}),
    path("practice/ahead/undo/", views.practice_undo, {"extra": "ahead"}),
    path("practice/failures/", views.practice, {"extra": "failures"}, name="practice_failures"),
    path("practice/failures/grade/", views.practice_grade, {"extra": "failures"}),
    path("practice/failures/undo/", views.practice_undo, {"extra": "failures"}),
    path("practice/<ids:ids>/", views.practice, name="considerations_practice"),
    path("practice/<ids:ids>/grade/", views.practice_grade, name="considerations_practice_grade"),
    path("practice/<ids:ids>/undo/", views.practice_undo, name="considerations_practice_undo"),
]
