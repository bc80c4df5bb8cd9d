from django.urls import path

from cards import deck_views, image_views, transfer_views, views

urlpatterns = [
    path("", deck_views.deck_list, name="deck_list"),
    path("new/", deck_views.deck_create, name="deck_create"),
    path("preview/", deck_views.card_preview, name="card_preview"),
    path("<slug:slug>/", deck_views.deck_detail, name="deck_detail"),
    path("<slug:slug>/edit/", deck_views.deck_edit, name="deck_edit"),
    path("<slug:slug>/clone/", deck_views.deck_clone, name="deck_clone"),
    path("<slug:slug>/delete/", deck_views.deck_delete, name="deck_delete"),
    path("<slug:slug>/share/", deck_views.deck_share, name="deck_share"),
    path("<slug:slug>/unshare/", deck_views.deck_unshare, name="deck_unshare"),
    path("<slug:slug>/export.json", transfer_views.deck_export, {"fmt": "json"}, name="deck_export_json"),
    path("<slug:slug>/export.csv", transfer_views.deck_export, {"fmt": "csv"}, name="deck_export_csv"),
    path("<slug:slug>/export.apkg", transfer_views.deck_export, {"fmt": "apkg"}, name="deck_export_apkg"),
    path("<slug:slug>/import/", transfer_views.deck_import, name="deck_import"),
    path("<slug:slug>/images/", image_views.image_upload, name="image_upload"),
    path("<slug:slug>/import/confirm/", transfer_views.deck_import_confirm, name="deck_import_confirm"),
    path("<slug:slug>/cards/new/", deck_views.card_create, name="card_create"),
    path("<slug:slug>/cards/<id:card_id>/edit/", deck_views.card_edit, name="card_edit"),
    path("<slug:slug>/cards/<id:card_id>/move/", deck_views.card_move, name="card_move"),
    path("<slug:slug>/cards/<id:card_id>/retire/", deck_views.card_retire, name="card_retire"),
    path("<slug:slug>/cards/<id:card_id>/restore/", deck_views.card_restore, name="card_restore"),
    path("<slug:slug>/cards/<id:card_id>/suspend/", deck_views.card_suspend, name="card_suspend"),
    path("<slug:slug>/cards/<id:card_id>/unsuspend/", deck_views.card_unsuspend, name="card_unsuspend"),
    # A deck's own review session: the review screen and views, scoped to the deck.
    path("<slug:deck_slug>/review/", views.review, name="deck_review"),
    path("<slug:deck_slug>/review/grade/", views.grade, name="deck_grade"),
    path("<slug:deck_slug>/review/undo/", views.undo, name="deck_undo"),
    path("<slug:deck_slug>/review/more/", views.study_more, name="deck_study_more"),
    path("<slug:deck_slug>/review/card/", views.card_action, name="deck_card_action"),
]
