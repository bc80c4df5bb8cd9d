"""The learner's own data: the page that explains it, the archive, and deleting the account (account_data.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import account_data


class DeleteForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        label="Type your username to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _page(request: HttpRequest, form: DeleteForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "plan": account_data.deletion_plan(request.user)}
    return render(request, "accounts/data.html", context, status=status)


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    return _page(request, DeleteForm())


@login_required
@require_GET
def download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(account_data.archive(request.user), content_type="application/zip")
    name = f"pmle-cards-{request.user.username}-{timezone.now():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        plan = account_data.delete_account(user=request.user, confirm_username=form.cleaned_data["username"])
    except account_data.AccountError as error:
        messages.error(request, str(error))
        return _page(request, form, status=400)
    logout(request)
    handed = len(plan.handed_over)
    note = f" {handed} shared deck{'s' if handed != 1 else ''} passed to the groups' owners." if handed else ""
    messages.success(request, f"Your account and everything in it were deleted.{note}")
    return redirect("login")
