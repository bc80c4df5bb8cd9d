from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import data_views, views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("email/", views.email_required, name="email_required"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="accounts/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/", views.preferences, name="preferences"),
    path("settings/exam/", views.choose_edition, name="choose_edition"),
    path("settings/exam-date/", views.set_exam_date, name="set_exam_date"),
    path("settings/plan/apply/", views.apply_plan, name="apply_plan"),
    path("settings/exam/not-now/", views.dismiss_edition_invite, name="dismiss_edition_invite"),
    path("data/", data_views.my_data, name="my_data"),
    path("data/download/", data_views.download, name="data_download"),
    path("delete/", data_views.delete_account, name="delete_account"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
]
