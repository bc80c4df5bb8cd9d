from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.group_list, name="group_list"),
    path("new/", views.group_create, name="group_create"),
    path("join/<str:token>/", views.group_join, name="group_join"),
    path("<slug:slug>/", views.group_detail, name="group_detail"),
    path("<slug:slug>/edit/", views.group_edit, name="group_edit"),
    path("<slug:slug>/delete/", views.group_delete, name="group_delete"),
    path("<slug:slug>/invite/", views.group_invite, name="group_invite"),
    path("<slug:slug>/invite/disable/", views.group_invite_disable, name="group_invite_disable"),
    path("<slug:slug>/transfer/", views.group_transfer, name="group_transfer"),
    path("<slug:slug>/leave/", views.group_leave, name="group_leave"),
    path("<slug:slug>/privacy/", views.group_privacy, name="group_privacy"),
    path("<slug:slug>/members/<id:user_id>/role/", views.member_role, name="member_role"),
    path("<slug:slug>/members/<id:user_id>/remove/", views.member_remove, name="member_remove"),
]
