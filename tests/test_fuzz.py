"""Every form and POST endpoint, fed generated bad input by Hypothesis: never a 5xx.

The learner owns everything the URLs name (a deck and its card, a group with a member, a mock exam attempt), so
the requests get past the permission checks to the forms. ``FUZZ_EXAMPLES`` sets the number of requests per URL
(default 10); run with ``-s`` to see the count of each status.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Membership, StudyGroup
from cards.loader import load_all_editions
from cards.models import Consideration, Deck, Section, Vacation
from exams.loader import load_all_banks
from exams.models import Attempt
from tests.factories import CardFactory, DeckFactory, MembershipFactory, StudyGroupFactory, UserFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))  # per URL
STATUSES: Counter = Counter()

# Every URL name, and how the fuzz reaches it: (URL name, arguments by the fixture's objects). A URL that is
# added without being listed here (or in GET_ONLY) fails test_every_url_is_fuzzed_or_known_to_be_get_only.
POSTED = {
    "grade": (), "undo": (), "section_grade": ("section",), "section_undo": ("section",),
    "section_practice_grade": ("section",), "section_practice_undo": ("section",),
    "considerations_practice_grade": ("ids",), "considerations_practice_undo": ("ids",),
    "deck_create": (), "card_preview": (), "deck_edit": ("deck",), "deck_clone": ("deck",), "deck_share": ("deck",),
    "deck_unshare": ("deck",), "card_create": ("deck",), "card_edit": ("deck", "card"), "card_move": ("deck", "card"),
    "card_retire": ("deck", "card"), "card_suspend": ("deck", "card"), "card_unsuspend": ("deck", "card"),
    "card_restore": ("deck", "card"), "deck_delete": ("deck",),
    "deck_grade": ("deck",), "deck_undo": ("deck",),
    "group_create": (), "group_join": ("token",), "group_edit": ("group",), "group_delete": ("group",),
    "group_invite": ("group",), "group_invite_disable": ("group",), "group_transfer": ("group",),
    "group_leave": ("group",), "group_privacy": ("group",), "member_role": ("group", "member"),
    "member_remove": ("group", "member"),
    "mock_start": (), "quiz_start": (), "attempt_answer": ("attempt", "position"),
    "attempt_flag": ("attempt", "position"), "attempt_submit": ("attempt",), "attempt_share": ("attempt",),
    "question_create": ("deck",), "question_edit": ("deck", "question"), "question_retire": ("deck", "question"),
    "signup": (), "login": (), "logout": (), "email_required": (), "password_reset": (),
    "password_reset_confirm": ("uid", "token"), "preferences": (), "choose_edition": (),
    "dismiss_edition_invite": (), "password_change": (),
    "study_more": (), "section_study_more": ("section",), "deck_study_more": ("deck",), "card_action": (),
    "section_card_action": ("section",), "deck_card_action": ("deck",), "spread_backlog": (), "vacations": (),
    "vacation_cancel": ("vacation",), "leech_report": ("card",), "refit_fsrs": (), "set_exam_date": (),
    "apply_plan": (), "deck_import": ("deck",), "deck_import_confirm": ("deck",), "delete_account": (),
    "cards_practice_grade": ("ids",), "cards_practice_undo": ("ids",), "flag_card": ("card",), "card_bulk": (),
    "image_upload": ("deck",), "browse_suspend": ("card",),
}  # fmt: skip
GET_ONLY = {
    "home", "healthz", "review", "section_review", "section_dashboard", "section_practice", "considerations_practice",
    "deck_list", "deck_detail", "deck_review", "group_list", "group_detail", "exams_home", "attempt_question",
    "attempt_results", "deck_questions", "password_reset_done", "password_reset_complete", "password_change_done",
    "practice_ahead", "practice_failures", "leeches", "card_info", "plan", "favicon", "deck_export_json",
    "deck_export_csv", "my_data", "data_download", "card_browser", "cards_practice",
    "deck_export_apkg", "card_image",
}  # fmt: skip

FIELDS = [
    "card", "version", "quality", "last", "front", "back", "explanation", "link", "consideration", "title",
    "description", "is_public", "name", "edition", "group", "role", "user", "confirm", "option", "source", "count",
    "valid_for", "share_stats", "on_leaderboard", "direction", "email", "username", "password", "password1",
    "password2", "new_password1", "new_password2", "old_password", "time_zone", "rollover_hour",
    "new_cards_per_day", "max_reviews_per_day", "stem", "option_1", "correct_1", "why_1", "option_5", "next",
    "preview", "save", "add_another", "flag", "ids", "csrfmiddlewaretoken", "action", "days", "start", "end",
    "note", "exam_date", "plan_days_before", "own_new_share", "leech_threshold", "scheduler", "desired_retention",
    "compact_grades", "tags", "token", "file", "q", "deck", "section", "tag", "state", "sort", "page", "flag",
    "find", "replace", "image", "suspended",
]  # fmt: skip
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
values = st.one_of(
    text,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "0", "-1", "²", "①", "٣", "1e9", "NaN", "None", "true", "[", "*" * 600, "../../", "\x00"]),
    st.sampled_from(["https://evil.example/", "//evil.example", "javascript:alert(1)", "<script>x</script>"]),
    st.text(max_size=5000, alphabet="[](*_`x\n"),
)
# Each known field is present about half the time (so every form sees its own fields, with bad values), plus
# a few made-up ones.
field_values = st.lists(values, min_size=1, max_size=3)
form_data = st.builds(
    lambda known, made_up: made_up | known,
    st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, field_values)),
    st.dictionaries(text, field_values, max_size=3),
)
raw_bodies = st.binary(max_size=300)


def url_names(patterns, prefix: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            names |= url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_url_is_fuzzed_or_known_to_be_get_only():
    assert url_names(get_resolver().url_patterns) == set(POSTED) | GET_ONLY


EXAM_URLS = {"mock_start", "quiz_start", "attempt_answer", "attempt_flag", "attempt_submit", "attempt_share"}


def make_world(learner, *, exams: bool) -> dict:
    """The objects the URLs name, all the learner's. Only the exam URLs need the real guide and question bank."""
    member = UserFactory(username="fuzz-member")
    deck = DeckFactory(owner=learner, slug="fuzz-deck")
    group = StudyGroupFactory(slug="fuzz-group")
    MembershipFactory(group=group, user=learner, role=Membership.Role.OWNER)
    MembershipFactory(group=group, user=member, role=Membership.Role.MEMBER)
    if exams:
        load_all_editions()
        load_all_banks()
        card = CardFactory(deck=deck, consideration=None)
    else:
        card = CardFactory(deck=deck)  # its consideration brings a section of the current edition
    section = Section.objects.filter(edition__is_current=True).order_by("number").first()
    considerations = list(Consideration.objects.filter(objective__section=section).values_list("id", flat=True)[:2])
    world = {
        "section": section.slug, "ids": considerations, "deck": deck.slug, "card": card.id, "group": group.slug,
        "member": member.id, "token": "x" * 43, "attempt": 1, "position": 1, "question": 1,
        "vacation": Vacation.objects.create(user=learner, start=date(2030, 1, 1), end=date(2030, 1, 5)).id,
    }  # fmt: skip
    if exams:
        with override_settings(EXAM_QUESTIONS=5, EXAM_MINUTES=30):
            client = Client()
            client.force_login(learner)
            assert client.post(reverse("mock_start")).status_code == 302
        world["attempt"] = Attempt.objects.latest("id").id
    return world


def _url(name: str, world: dict) -> str:
    if name == "password_reset_confirm":
        return reverse(name, args=["MQ", "set-password"])
    return reverse(name, args=[world[a] for a in POSTED[name]])


def _restore(world: dict, learner) -> None:
    """Keep the cast in place for the next example: a lucky example may have removed someone from the group."""
    group = StudyGroup.objects.filter(slug="fuzz-group").first() or StudyGroupFactory(slug="fuzz-group")
    Membership.objects.get_or_create(group=group, user=learner, defaults={"role": Membership.Role.OWNER})
    Membership.objects.get_or_create(group=group, user_id=world["member"], defaults={"role": Membership.Role.MEMBER})
    if not Deck.objects.filter(slug="fuzz-deck").exists():
        world["deck"] = DeckFactory(owner=learner, slug="fuzz-deck").slug


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.mark.parametrize("name", sorted(POSTED))
def test_no_post_ever_gets_a_server_error(client, learner, name):
    world = make_world(learner, exams=name in EXAM_URLS)

    @FUZZ_SETTINGS
    @given(data=form_data, raw=st.one_of(st.none(), raw_bodies), htmx=st.booleans(), anonymous=st.booleans())
    def post(data, raw, htmx, anonymous):
        client.logout()
        if not anonymous:
            client.force_login(learner)
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        url = _url(name, world)
        if raw is not None:
            response = client.generic("POST", url, raw, content_type="application/x-www-form-urlencoded", **extra)
        else:
            response = client.post(url, data, **extra)
        STATUSES[response.status_code] += 1
        assert response.status_code < 500, (name, data, raw)
        _restore(world, learner)

    post()


PAGE_ARGS = {
    "section_review": ["section"], "section_dashboard": ["section"], "section_practice": ["section"],
    "considerations_practice": ["ids"], "deck_detail": ["deck"], "deck_review": ["deck"], "group_detail": ["group"],
    "attempt_question": ["attempt", "position"], "attempt_results": ["attempt"], "deck_questions": ["deck"],
    "card_info": ["card"], "deck_export_json": ["deck"], "deck_export_csv": ["deck"],
    "cards_practice": ["ids"], "deck_export_apkg": ["deck"], "card_image": ["card"],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(GET_ONLY - {"healthz"}))
def test_no_page_ever_gets_a_server_error_from_its_query_string(client, learner, name):
    world = make_world(learner, exams=name.startswith("attempt_"))
    client.force_login(learner)
    url = reverse(name, args=[world[a] for a in PAGE_ARGS.get(name, [])])

    @FUZZ_SETTINGS
    @given(params=form_data)
    def get(params):
        response = client.get(url, params)
        STATUSES[response.status_code] += 1
        assert response.status_code < 500, (name, params)

    get()


def test_report_the_fuzz_counts():
    print(f"\nfuzz: {sum(STATUSES.values())} requests, statuses {dict(sorted(STATUSES.items()))}")
