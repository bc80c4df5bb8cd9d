from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import backends, groups
from accounts.forms import (
    EditionForm,
    EmailForm,
    ExamDateForm,
    InviteForm,
    JoinForm,
    PreferencesForm,
    PrivacyForm,
    RoleForm,
    SignupForm,
    StudyGroupForm,
    TransferForm,
)
from accounts.models import Membership, StudyGroup
from cards import carry, forecast, group_stats, reviews, scheduling, stats
from cards.access import group_for_user, member_of_group
from cards.deck_forms import form_errors
from cards.editions import current_edition
from cards.models import DeckShare
from exams.results import group_mock_scores
from pmle import ratelimit
from pmle.clientip import client_ip
from pmle.nexturl import safe_next


class LoginView(auth_views.LoginView):
    """Django's login, which asks a learner without an email address for one before going on."""

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if not self.request.user.email:
            return f"{reverse('email_required')}?{urlencode({'next': url})}"
        return url


@login_required
@require_http_methods(["GET", "POST"])
def email_required(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/email.html", {"form": form, "next": safe_next(request) or ""}, status=400)
        form.save()
        messages.success(request, "Thank you: a forgotten password can now be reset by email.")
        return redirect(safe_next(request) or "home")
    return render(request, "accounts/email.html", {"form": form, "next": safe_next(request) or ""})


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Django's reset form (the same answer whether or not an account exists), limited per address so that it
    cannot be used to flood someone's mailbox."""
    if request.method == "POST" and not ratelimit.allow(
        "password-reset", client_ip(request), limit=settings.SIGNUP_RATE_PER_HOUR, window=3600
    ):
        messages.error(request, "Too many reset requests from your address in the last hour. Try again later.")
        return render(request, "accounts/password_reset_form.html", {"form": PasswordResetForm()}, status=429)
    return auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset_form.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
    )(request)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes calls this instead of the login view once a username is locked out from this address."""
    form = AuthenticationForm(request, data=request.POST or None)
    form.is_bound = False  # show the form again, without "please enter a correct username" on top of the lockout
    context = {"form": form, "next": safe_next(request) or "", "lockout": LOCKOUT_MESSAGE}
    return render(request, "registration/login.html", context, status=429)


LOCKOUT_MESSAGE = (
    "Too many failed logins for this username from your address: logging in is refused for 15 minutes. "
    "If you forgot your password, reset it by email."
)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and not ratelimit.allow(
        "signup", client_ip(request), limit=settings.SIGNUP_RATE_PER_HOUR, window=3600
    ):
        messages.error(request, "Too many accounts were created from your address in the last hour. Try again later.")
        return render(request, "accounts/signup.html", {"form": form, "next": safe_next(request) or ""}, status=429)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend=backends.PATH)
        messages.success(request, "Welcome! Your first cards are ready.")
        return redirect(safe_next(request) or "home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form, "next": safe_next(request) or ""}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                reviews.lock_learner(request.user)
                form.save()
                switched = "scheduler" in form.changed_data
                rebuilt = scheduling.scheduler_changed(request.user) if switched else 0
            messages.success(request, "Study preferences saved.")
            if switched and request.user.uses_fsrs:
                rebuilt_text = f"{rebuilt} memory state{pluralize(rebuilt)} rebuilt from your review log"
                messages.info(request, f"FSRS schedules your cards from now on: {rebuilt_text}.")
            elif switched:
                messages.info(request, "SM-2 schedules your cards from now on, from each card's current interval.")
            return redirect("preferences")
        return render(request, "accounts/preferences.html", _preferences_context(request, form), status=400)
    return render(request, "accounts/preferences.html", _preferences_context(request, form))


def _preferences_context(request: HttpRequest, form: PreferencesForm) -> dict:
    chosen = request.user.exam_edition or current_edition()
    _, fitted_on = forecast.parameters_of(request.user)
    context = {"form": form, "edition_form": EditionForm(initial={"edition": chosen})}
    return context | {"fitted_on": fitted_on, "min_reviews_to_fit": forecast.MIN_REVIEWS_TO_FIT}


@login_required
@require_POST
def set_exam_date(request: HttpRequest) -> HttpResponse:
    """Set (or, empty, clear) the exam date from the home page's plan."""
    form = ExamDateForm(request.POST)
    today = stats.today_for(request.user, timezone.now())
    if not form.is_valid():
        messages.error(request, "Enter the exam date as a date, e.g. 2027-02-03.")
        return redirect("home")
    exam_date = form.cleaned_data["exam_date"]
    if exam_date is not None and exam_date < today:
        messages.error(request, "That date has passed: enter the day of your exam.")
        return redirect("home")
    request.user.exam_date = exam_date
    request.user.save(update_fields=["exam_date"])
    messages.success(request, f"Exam date set to {exam_date:%d %B %Y}." if exam_date else "Exam date cleared.")
    return redirect("home")


@login_required
@require_POST
def apply_plan(request: HttpRequest) -> HttpResponse:
    """One click: the new-card limit the plan suggests, recomputed here (the page's number is never trusted)."""
    overview = stats.home_overview(request.user, timezone.now())
    plan = overview.plan
    if plan.status != "behind":
        messages.info(request, "Your pace already gets you there: nothing changed.")
        return redirect("home")
    request.user.new_cards_per_day = plan.suggested_limit
    request.user.save(update_fields=["new_cards_per_day"])
    messages.success(request, f"New cards per day raised to {plan.suggested_limit}.")
    return redirect("home")


@login_required
@require_POST
def choose_edition(request: HttpRequest) -> HttpResponse:
    form = EditionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("preferences")
    edition = form.cleaned_data["edition"]
    carried = carry.choose_edition(user=request.user, edition=edition, now=timezone.now())
    text = f"You now prepare for the {edition.title}: home, dashboards and reviews follow it."
    if carried:
        text += f" {carried} card{pluralize(carried)} start with the memory you earned on the same idea before."
    messages.success(request, text + " Your progress on the other edition is kept; you can switch back any time.")
    return redirect("home")


@login_required
@require_POST
def dismiss_edition_invite(request: HttpRequest) -> HttpResponse:
    carry.dismiss_edition_invite(user=request.user)
    messages.info(request, "Fine: you stay on your exam. You can switch in Settings whenever you like.")
    return redirect("home")


# Study groups ------------------------------------------------------------------------------------------------------
# Groups are fetched through cards.access.group_for_user (404 for outsiders, 403 for a missing role) and changed
# through accounts.groups; the figures come from cards.group_stats.group_dashboard.

INVITE_SESSION_KEY = "new_invite_link:{}"


@login_required
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("group")
        .annotate(member_count=Count("group__memberships"))
        .order_by("group__name", "group_id")
    )
    return render(request, "groups/list.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    form = StudyGroupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "groups/form.html", {"form": form}, status=400)
        group = groups.create_group(owner=request.user, **form.cleaned_data)
        messages.success(request, "Group created. Create an invite link to bring people in.")
        return redirect("group_detail", group.slug)
    return render(request, "groups/form.html", {"form": form})


def _render_group(request: HttpRequest, group: StudyGroup, me: Membership, *, status: int = 200) -> HttpResponse:
    dashboard = group_stats.group_dashboard(group, request.user, timezone.now())
    context = {
        "group": group,
        "me": me,
        "dashboard": dashboard,
        "mock_scores": group_mock_scores([row.membership for row in dashboard.members], dashboard.edition),
        "shares": DeckShare.objects.filter(group=group).select_related("deck", "deck__owner").order_by("deck__title"),
        "privacy_form": PrivacyForm(instance=me),
        "new_invite_link": request.session.pop(INVITE_SESSION_KEY.format(group.id), None),
    }
    if me.is_owner:
        context["invite_form"] = InviteForm()
        context["invite_active"] = bool(group.invite_digest)
        context["role_choices"] = RoleForm.base_fields["role"].choices
    return render(request, "groups/detail.html", context, status=status)


def _group_error(request: HttpRequest, group: StudyGroup, me: Membership, message: str) -> HttpResponse:
    messages.error(request, message)
    return _render_group(request, group, me, status=400)


@login_required
@require_GET
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group, me = group_for_user(request.user, slug, "view")
    return _render_group(request, group, me)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, slug: str) -> HttpResponse:
    group, me = group_for_user(request.user, slug, "own")
    form = StudyGroupForm(request.POST if request.method == "POST" else None, instance=group)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "groups/form.html", {"form": form, "group": group}, status=400)
        form.save()
        messages.success(request, "Group saved.")
        return redirect("group_detail", group.slug)
    return render(request, "groups/form.html", {"form": form, "group": group})


@login_required
@require_POST
def group_delete(request: HttpRequest, slug: str) -> HttpResponse:
    group, me = group_for_user(request.user, slug, "own")
    if request.POST.get("confirm") != group.name:
        return _group_error(request, group, me, "To delete the group, type its name exactly. Nothing was deleted.")
    groups.delete_group(group=group)
    messages.success(request, f"Deleted the group {group.name}. Its decks and everyone's history are kept.")
    return redirect("group_list")


@login_required
@require_POST
def group_invite(request: HttpRequest, slug: str) -> HttpResponse:
    group, me = group_for_user(request.user, slug, "own")
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _group_error(request, group, me, "Choose how long the invite link stays valid.")
    days = form.days()
    token = groups.rotate_invite(
        group=group, now=timezone.now(), valid_for=timedelta(days=days) if days is not None else None
    )
    # Only a digest is stored, so the link can be shown just this once: the session carries it to the next page.
    request.session[INVITE_SESSION_KEY.format(group.id)] = request.build_absolute_uri(
        reverse("group_join", args=[token])
    )
    messages.success(request, "New invite link created; any earlier link no longer works.")
    return redirect("group_detail", group.slug)


@login_required
@require_POST
def group_invite_disable(request: HttpRequest, slug: str) -> HttpResponse:
    group, me = group_for_user(request.user, slug, "own")
    groups.disable_invite(group=group)
    messages.success(request, "Invite link disabled: nobody can join with it any more.")
    return redirect("group_detail", group.slug)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    group, me = group_for_user(request.user, slug, "own")
    target = member_of_group(group, user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _group_error(request, group, me, " ".join(form.errors["role"]))
    try:
        groups.change_role(group=group, membership=target, role=form.cleaned_data["role"])
    except groups.GroupError as error:
        return _group_error(request, group, me, str(error))
    messages.success(request, f"{target.user.username} is now {target.get_role_display().lower()}.")
    return redirect("group_detail", group.slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    group, me = group_for_user(request.user, slug, "own")
    target = member_of_group(group, user_id)
    try:
        groups.remove_member(group=group, membership=target)
    except groups.GroupError as error:
        return _group_error(request, group, me, str(error))
    messages.success(request, f"Removed {target.user.username} from the group.")
    return redirect("group_detail", group.slug)


@login_required
@require_POST
def group_transfer(request: HttpRequest, slug: str) -> HttpResponse:
    group, me = group_for_user(request.user, slug, "own")
    form = TransferForm(request.POST)
    if not form.is_valid():
        return _group_error(request, group, me, "Choose the member to hand the group to.")
    target = Membership.objects.filter(group=group, user_id=form.cleaned_data["user"]).select_related("user").first()
    if target is None:
        return _group_error(request, group, me, "Only a member of the group can become its owner.")
    try:
        groups.transfer_ownership(group=group, from_user=request.user, to_membership=target)
    except groups.GroupError as error:
        return _group_error(request, group, me, str(error))
    messages.success(request, f"{target.user.username} now owns the group; you are an editor.")
    return redirect("group_detail", group.slug)


@login_required
@require_POST
def group_leave(request: HttpRequest, slug: str) -> HttpResponse:
    group, me = group_for_user(request.user, slug, "view")
    try:
        groups.leave_group(group=group, user=request.user)
    except groups.GroupError as error:
        return _group_error(request, group, me, str(error))
    messages.success(request, f"You left {group.name}. Your own history is kept.")
    return redirect("group_list")


@login_required
@require_POST
def group_privacy(request: HttpRequest, slug: str) -> HttpResponse:
    group, me = group_for_user(request.user, slug, "view")
    form = PrivacyForm(request.POST, instance=me)
    if not form.is_valid():  # two checkboxes cannot really be invalid, but a hand-made POST gets a message
        return _group_error(request, group, me, "Those privacy choices could not be saved.")
    groups.update_privacy(membership=me, **form.cleaned_data)
    messages.success(request, "Privacy choices saved.")
    return redirect("group_detail", group.slug)


def _welcome(group: StudyGroup, user) -> str:
    """What joining did to the learner's review, as it is: shared decks join the daily review, but their new cards
    come only as the learner's share of new cards for own and group decks allows."""
    shared = DeckShare.objects.filter(group=group).count()
    if not shared:
        return f"Welcome to {group.name}! It shares no decks yet; when it does, they join your daily review."
    decks = f"Its {shared} shared deck{pluralize(shared)} join{'' if shared > 1 else 's'} your daily review"
    if user.own_new_share:
        pace = f"with your own decks, they get {user.own_new_share}% of your {user.new_cards_per_day} new cards a day"
    else:
        pace = "their new cards come once the exam deck's are all started (your share for them is 0%, in Settings)"
    return f"Welcome to {group.name}! {decks}: {pace}. Home lists each deck; review one on its own from there."


@login_required
@require_http_methods(["GET", "POST"])
def group_join(request: HttpRequest, token: str) -> HttpResponse:
    """Anonymous visitors are sent to log in (with a link to sign up), then come back here to join."""
    now = timezone.now()
    try:
        group = groups.group_for_invite(token, now)
    except groups.InviteError as error:
        return render(request, "groups/join.html", {"error": str(error)}, status=error.status)
    already = Membership.objects.filter(group=group, user=request.user).exists()
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if already:
            messages.info(request, f"You are already a member of {group.name}.")
            return redirect("group_detail", group.slug)
        form.is_valid()  # a single optional checkbox: always valid
        try:
            groups.join_group(token=token, user=request.user, now=now, **form.cleaned_data)
        except groups.GroupError as error:
            return render(request, "groups/join.html", {"error": str(error)}, status=getattr(error, "status", 400))
        messages.success(request, _welcome(group, request.user))
        return redirect("group_detail", group.slug)
    member_count = group.memberships.count()
    context = {"group": group, "token": token, "form": form, "already": already, "member_count": member_count}
    return render(request, "groups/join.html", context)
