from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from cards.models import Card, Deck, DeckShare, Progress, Review
from cards.reviews import Scope, build_queue
from tests.factories import (
    CardFactory,
    ConsiderationFactory,
    DeckFactory,
    DeckShareFactory,
    MembershipFactory,
    ObjectiveFactory,
    SectionFactory,
    StudyGroupFactory,
    UserFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
NEXT_NOON = datetime(2026, 6, 11, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def deck(owner):
    """The owner's deck with three cards, positions 0, 1, 2."""
    deck = DeckFactory(slug="mine", title="Mine", owner=owner)
    for p in range(3):
        CardFactory(deck=deck, consideration=None, position=p, front=f"Card {p}?", back=f"Answer {p}.")
    return deck


def cards_of(deck: Deck) -> list[Card]:
    return list(deck.cards.filter(retired=False).order_by("position", "id"))


def grade(client, deck: Deck, card: Card, quality: int = 5):
    progress = Progress.objects.filter(card=card).first()
    data = {"card": card.id, "version": progress.version if progress else 0, "quality": quality}
    return client.post(reverse("deck_grade", args=[deck.slug]), data)


# Creating and editing -------------------------------------------------------------------------------------------


def test_a_learner_creates_a_deck_adds_a_card_and_studies_it_in_the_decks_review(owner, owner_client):
    response = owner_client.post(reverse("deck_create"), {"title": "Vertex AI odds and ends", "description": ""})
    deck = Deck.objects.get(owner=owner)
    assert response.url == reverse("card_create", args=[deck.slug])
    assert deck.slug.startswith("vertex-ai-odds-and-ends-") and not deck.is_public
    response = owner_client.post(
        reverse("card_create", args=[deck.slug]),
        {"front": "What is **Vertex AI**?", "back": "Google Cloud's ML platform.", "link": "https://cloud.google.com"},
    )
    assert response.url == reverse("deck_detail", args=[deck.slug])
    card = Card.objects.get(deck=deck)
    assert card.front_html == "<p>What is <strong>Vertex AI</strong>?</p>"
    assert (card.consideration, card.position, card.content_changed_at) == (None, 0, None)
    page = owner_client.get(reverse("deck_review", args=[deck.slug]))
    assert page.context["queue"].card == card
    assert "Deck: " in page.content.decode()


def test_save_and_add_another_returns_to_an_empty_card_form(owner_client, deck):
    response = owner_client.post(
        reverse("card_create", args=[deck.slug]), {"front": "F", "back": "B", "add_another": ""}
    )
    assert response.url == reverse("card_create", args=[deck.slug])
    assert cards_of(deck)[-1].position == 3


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("deck_create", {"title": "x" * 201}, "at most 200 characters"),
        ("deck_create", {"title": ""}, "This field is required"),
        ("deck_create", {"title": "ok", "description": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_deck_forms_get_a_400_and_create_nothing(owner_client, url, data, message):
    response = owner_client.post(reverse(url), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Deck.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"front": "x" * 1001, "back": "b"}, "at most 1000 characters"),
        ({"front": "f", "back": "x" * 4001}, "at most 4000 characters"),
        ({"front": "f", "back": "b", "link": "javascript:alert(1)"}, "Enter a web address"),
        ({"front": "f", "back": "b", "consideration": "999999"}, "Select a valid choice"),
        ({"front": "", "back": "b"}, "This field is required"),
    ],
)
def test_bad_card_forms_get_a_400_and_change_nothing(owner_client, deck, data, message):
    before = list(Card.objects.values_list("id", "front", "back", "link"))
    response = owner_client.post(reverse("card_create", args=[deck.slug]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    card = cards_of(deck)[0]
    response = owner_client.post(reverse("card_edit", args=[deck.slug, card.id]), data)
    assert response.status_code == 400
    assert list(Card.objects.values_list("id", "front", "back", "link")) == before


def test_a_card_of_another_deck_is_not_found_through_this_decks_urls(owner, owner_client, deck):
    other = CardFactory(deck=DeckFactory(owner=owner))
    assert owner_client.get(reverse("card_edit", args=[deck.slug, other.id])).status_code == 404
    assert owner_client.post(reverse("card_retire", args=[deck.slug, other.id])).status_code == 404
    assert not Card.objects.get(id=other.id).retired


def test_nobody_edits_the_official_deck_here(owner_client):
    official = DeckFactory(slug="official", owner=None)
    card = CardFactory(deck=official)
    assert owner_client.get(reverse("deck_detail", args=["official"])).status_code == 200
    assert owner_client.get(reverse("card_create", args=["official"])).status_code == 403
    assert owner_client.post(reverse("card_retire", args=["official", card.id])).status_code == 403


# Live preview ---------------------------------------------------------------------------------------------------


def test_live_preview_returns_the_sanitised_fragment(owner_client):
    data = {"front": "**bold** <script>alert(1)</script>", "back": "[x](javascript:alert(1))", "explanation": ""}
    response = owner_client.post(reverse("card_preview"), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="card-preview"')
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html


def test_the_card_form_textareas_post_to_the_preview_as_you_type(owner_client, deck):
    html = owner_client.get(reverse("card_create", args=[deck.slug])).content.decode()
    assert html.count(f'hx-post="{reverse("card_preview")}"') == 3
    assert 'hx-trigger="input changed delay:300ms"' in html


def test_preview_button_without_javascript_renders_the_whole_page_and_saves_nothing(owner_client, deck):
    card = cards_of(deck)[0]
    response = owner_client.post(
        reverse("card_edit", args=[deck.slug, card.id]), {"front": "New *front*", "back": "b", "preview": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "New <em>front</em>" in html
    assert Card.objects.get(id=card.id).front == "Card 0?"


def test_over_long_preview_text_gets_a_400_fragment(owner_client):
    response = owner_client.post(reverse("card_preview"), {"front": "x" * 1001}, **HTMX)
    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()


# Changes, the "changed" marker, retiring ------------------------------------------------------------------------


@pytest.fixture
def shared(deck, owner):
    """The owner's deck shared with a group in which ``student`` is a member and ``helper`` an editor."""
    group = StudyGroupFactory(slug="team")
    MembershipFactory(group=group, user=owner, role="owner")
    student = MembershipFactory(group=group, user=UserFactory(username="student"), role="member").user
    helper = MembershipFactory(group=group, user=UserFactory(username="helper"), role="editor").user
    DeckShareFactory(deck=deck, group=group)
    return student, helper


def test_an_editor_changes_a_card_and_the_member_sees_the_new_text_marked_as_changed(client, deck, shared, frozen):
    student, helper = shared
    card = cards_of(deck)[0]
    client.force_login(student)
    grade(client, deck, card, 5)  # due tomorrow
    client.force_login(helper)
    frozen.move_to(datetime(2026, 6, 10, 15, 0, tzinfo=UTC))
    response = client.post(
        reverse("card_edit", args=[deck.slug, card.id]), {"front": "Card 0, reworded?", "back": "Answer 0."}
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.front == "Card 0, reworded?"
    assert card.content_changed_at == datetime(2026, 6, 10, 15, 0, tzinfo=UTC)
    client.force_login(student)
    page = client.get(reverse("deck_detail", args=[deck.slug]))
    rows = {row.card.id: row for row in page.context["rows"]}
    assert rows[card.id].changed and not rows[cards_of(deck)[1].id].changed
    frozen.move_to(NEXT_NOON)
    review = client.get(reverse("deck_review", args=[deck.slug]))
    assert review.context["queue"].card == card
    assert "Card 0, reworded?" in review.content.decode()
    assert "Changed since your last review" in review.content.decode()
    grade(client, deck, card, 4)
    page = client.get(reverse("deck_detail", args=[deck.slug]))
    assert not any(row.changed for row in page.context["rows"])


def test_changing_only_the_consideration_is_not_a_change_of_text(owner_client, deck):
    card = cards_of(deck)[0]
    consideration = ConsiderationFactory()
    owner_client.post(
        reverse("card_edit", args=[deck.slug, card.id]),
        {"front": card.front, "back": card.back, "consideration": consideration.id},
    )
    card.refresh_from_db()
    assert (card.consideration, card.content_changed_at) == (consideration, None)


@pytest.mark.parametrize("htmx", [False, True])
def test_retiring_a_card_keeps_its_history_and_takes_it_out_of_every_queue(owner, owner_client, deck, shared, htmx):
    student, _ = shared
    card = cards_of(deck)[0]
    grade(owner_client, deck, card, 5)
    response = owner_client.post(reverse("card_retire", args=[deck.slug, card.id]), **(HTMX if htmx else {}))
    if htmx:
        assert response.status_code == 200
        assert response.content.decode().lstrip().startswith('<section id="card-list"')
    else:
        assert response.url == reverse("deck_detail", args=[deck.slug])
    card.refresh_from_db()
    assert card.retired
    assert Review.objects.filter(card=card).count() == 1 and Progress.objects.filter(card=card).exists()
    for user in (owner, student):
        assert card.id not in Scope(deck=deck).cards(user).values_list("id", flat=True)
    page = owner_client.get(reverse("deck_detail", args=[deck.slug]))
    assert [c.id for c in page.context["retired"]] == [card.id]


def test_without_javascript_retire_asks_first_on_a_page_of_its_own(owner, owner_client, deck, shared):
    card = cards_of(deck)[0]
    grade(owner_client, deck, card, 5)
    detail = owner_client.get(reverse("deck_detail", args=[deck.slug])).content.decode()
    retire_url = reverse("card_retire", args=[deck.slug, card.id])
    # The deck page's Retire is a GET form (htmx posts it after its confirm dialog).
    assert f'<form method="get" action="{retire_url}" hx-post="{retire_url}"' in detail
    page = owner_client.get(retire_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Retire this card?" in html and card.front in html and "1 learner has started it" in html
    assert f'<form method="post" action="{retire_url}">' in html and "csrfmiddlewaretoken" in html
    card.refresh_from_db()
    assert not card.retired  # asking changes nothing
    response = owner_client.post(retire_url)
    assert response.url == reverse("deck_detail", args=[deck.slug])
    card.refresh_from_db()
    assert card.retired
    again = owner_client.get(retire_url)  # a stale confirmation link: back to the deck, which says so
    assert again.url == reverse("deck_detail", args=[deck.slug])


def test_the_retire_page_is_only_for_editors(client, deck, shared, outsider):
    student, _ = shared
    url = reverse("card_retire", args=[deck.slug, cards_of(deck)[0].id])
    client.force_login(student)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_editing_or_retiring_a_retired_card_gets_a_400_and_changes_nothing(owner_client, deck):
    card = cards_of(deck)[0]
    Card.objects.filter(id=card.id).update(retired=True)
    for response in (
        owner_client.get(reverse("card_edit", args=[deck.slug, card.id])),
        owner_client.post(reverse("card_edit", args=[deck.slug, card.id]), {"front": "Changed?", "back": "b"}),
        owner_client.post(reverse("card_retire", args=[deck.slug, card.id])),
        owner_client.post(reverse("card_move", args=[deck.slug, card.id]), {"direction": "up"}),
    ):
        assert response.status_code == 400
        assert "retired" in response.content.decode()
    assert Card.objects.get(id=card.id).front == "Card 0?"


# Reordering -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_moving_a_card_down_and_up_reorders_the_deck(owner_client, deck, htmx):
    a, b, c = cards_of(deck)
    response = owner_client.post(
        reverse("card_move", args=[deck.slug, a.id]), {"direction": "down"}, **(HTMX if htmx else {})
    )
    assert response.status_code == (200 if htmx else 302)
    assert cards_of(deck) == [b, a, c]
    owner_client.post(reverse("card_move", args=[deck.slug, c.id]), {"direction": "up"})
    assert cards_of(deck) == [b, c, a]
    owner_client.post(reverse("card_move", args=[deck.slug, b.id]), {"direction": "up"})  # already first
    assert cards_of(deck) == [b, c, a]
    assert [card.position for card in cards_of(deck)] == [0, 1, 2]


def test_a_bad_move_gets_a_400(owner_client, deck):
    card = cards_of(deck)[0]
    response = owner_client.post(reverse("card_move", args=[deck.slug, card.id]), {"direction": "sideways"})
    assert response.status_code == 400
    assert "up or down" in response.content.decode()
    assert cards_of(deck)[0] == card


def test_the_new_queue_follows_the_decks_order(owner, owner_client, deck):
    a, b, c = cards_of(deck)
    owner_client.post(reverse("card_move", args=[deck.slug, c.id]), {"direction": "up"})
    owner_client.post(reverse("card_move", args=[deck.slug, c.id]), {"direction": "up"})
    assert build_queue(owner, Scope(deck=deck), NOON).new_ids == [c.id, a.id, b.id]


def test_own_decks_get_their_share_of_new_cards_from_the_first_day_taking_turns_by_position(owner):
    official = DeckFactory(slug="official", owner=None)
    consideration = ConsiderationFactory(objective=ObjectiveFactory(section=SectionFactory(number=1)))
    exam = [CardFactory(deck=official, consideration=consideration, position=p) for p in range(10)]
    mine_b, mine_a = DeckFactory(owner=owner), DeckFactory(owner=owner)
    b1 = CardFactory(deck=mine_b, consideration=None, position=1)
    b0 = CardFactory(deck=mine_b, consideration=None, position=0)
    a0 = CardFactory(deck=mine_a, consideration=consideration, position=0)
    owner.new_cards_per_day, owner.own_new_share = 10, 30
    new_ids = build_queue(owner, Scope(), NOON).new_ids
    # 3 of 10 for the own decks, spread through the day; the decks take turns by position, then deck.
    assert new_ids == [exam[0].id, b0.id, exam[1].id, exam[2].id, a0.id, exam[3].id, exam[4].id, exam[5].id, b1.id,
                       exam[6].id]  # fmt: skip
    owner.own_new_share = 0
    assert build_queue(owner, Scope(), NOON).new_ids == [c.id for c in exam]
    owner.own_new_share = 100  # only 3 own cards exist: the exam deck takes the other 7 places
    assert build_queue(owner, Scope(), NOON).new_ids == new_ids


# Suspending -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True])
def test_a_member_suspends_a_shared_card_for_themselves_only(client, owner, deck, shared, htmx):
    student, _ = shared
    card = cards_of(deck)[0]
    client.force_login(student)
    response = client.post(reverse("card_suspend", args=[deck.slug, card.id]), **(HTMX if htmx else {}))
    assert response.status_code == (200 if htmx else 302)
    assert Progress.objects.get(user=student, card=card).suspended
    assert card.id not in build_queue(student, Scope(deck=deck), NOON).new_ids
    assert card.id in build_queue(owner, Scope(deck=deck), NOON).new_ids
    client.post(reverse("card_unsuspend", args=[deck.slug, card.id]), **(HTMX if htmx else {}))
    progress = Progress.objects.get(user=student, card=card)
    assert not progress.suspended and progress.version == 2
    assert card.id in build_queue(student, Scope(deck=deck), NOON).new_ids


def test_suspending_a_card_makes_an_open_review_form_stale(owner, owner_client, deck):
    card = cards_of(deck)[0]
    owner_client.post(reverse("card_suspend", args=[deck.slug, card.id]))
    owner_client.post(reverse("card_unsuspend", args=[deck.slug, card.id]))
    grade(owner_client, deck, card, 5)  # with the current version: recorded
    response = owner_client.post(reverse("deck_grade", args=[deck.slug]), {"card": card.id, "version": 0, "quality": 5})
    assert response.status_code == 302
    assert Review.objects.filter(user=owner, card=card).count() == 1


# Cloning and sharing --------------------------------------------------------------------------------------------


def test_cloning_copies_the_active_cards_but_no_progress(client, owner, deck):
    Card.objects.filter(id=cards_of(deck)[2].id).update(retired=True)
    grade_client = client
    grade_client.force_login(owner)
    grade(grade_client, deck, cards_of(deck)[0], 5)
    deck.is_public = True
    deck.save()
    someone = UserFactory(username="someone")
    client.force_login(someone)
    response = client.post(reverse("deck_clone", args=[deck.slug]))
    copy = Deck.objects.get(owner=someone)
    assert response.url == reverse("deck_detail", args=[copy.slug])
    assert (copy.title, copy.is_public) == ("Mine (copy)", False)
    copied = cards_of(copy)
    assert [(c.front, c.position) for c in copied] == [("Card 0?", 0), ("Card 1?", 1)]
    assert copied[0].front_html == "<p>Card 0?</p>"
    assert not Progress.objects.filter(card__deck=copy).exists()
    assert client.get(reverse("card_create", args=[copy.slug])).status_code == 200  # theirs to change


def test_sharing_puts_the_deck_in_the_groups_members_queues_and_unsharing_takes_it_out(client, owner, deck):
    group = StudyGroupFactory(slug="team", name="Team")
    MembershipFactory(group=group, user=owner, role="owner")
    student = MembershipFactory(group=group, role="member").user
    assert not Scope().cards(student).filter(deck=deck).exists()
    client.force_login(owner)
    response = client.post(reverse("deck_share", args=[deck.slug]), {"group": "team"})
    assert response.url == reverse("deck_detail", args=[deck.slug])
    assert Scope().cards(student).filter(deck=deck).count() == 3
    response = client.post(reverse("deck_share", args=[deck.slug]), {"group": "team"})
    assert response.status_code == 400
    assert "already shared with Team" in response.content.decode()
    assert DeckShare.objects.count() == 1
    client.post(reverse("deck_unshare", args=[deck.slug]), {"group": "team"})
    assert not Scope().cards(student).filter(deck=deck).exists()


def test_sharing_with_a_group_where_one_is_only_a_member_gets_a_400(client, owner, deck):
    group = StudyGroupFactory(slug="team")
    MembershipFactory(group=group, user=owner, role="member")
    client.force_login(owner)
    response = client.post(reverse("deck_share", args=[deck.slug]), {"group": "team"})
    assert response.status_code == 400
    assert "owner or editor" in response.content.decode()
    assert not DeckShare.objects.exists()


def test_sharing_with_a_group_one_is_not_in_gets_a_400(client, owner, deck):
    StudyGroupFactory(slug="strangers")
    client.force_login(owner)
    response = client.post(reverse("deck_share", args=[deck.slug]), {"group": "strangers"})
    assert response.status_code == 400
    assert "Choose one of your groups" in response.content.decode()
    assert not DeckShare.objects.exists()


def test_sharing_a_deck_one_does_not_own_is_refused_even_for_an_editor(client, deck, shared):
    _, helper = shared
    client.force_login(helper)
    response = client.post(reverse("deck_share", args=[deck.slug]), {"group": "team"})
    assert response.status_code == 403
    assert "owner" in response.content.decode()


# Query counts ---------------------------------------------------------------------------------------------------


def _fill(owner, decks: int, cards: int) -> Deck:
    group = StudyGroupFactory()
    MembershipFactory(group=group, user=owner, role="owner")
    last = None
    for _ in range(decks):
        last = DeckFactory(owner=MembershipFactory(group=group).user)
        DeckShareFactory(deck=last, group=group)
        DeckFactory(owner=UserFactory(), is_public=True)
        for _ in range(cards):
            card = CardFactory(deck=last)
            Progress.objects.create(user=owner, card=card, suspended=True)
    return last


@pytest.mark.parametrize(("decks", "cards"), [(1, 2), (6, 12)])
def test_the_deck_list_takes_a_fixed_number_of_queries(owner_client, owner, decks, cards, django_assert_num_queries):
    _fill(owner, decks, cards)
    with django_assert_num_queries(3):  # session, user, the decks with their access and card counts
        response = owner_client.get(reverse("deck_list"))
    assert len(response.context["shared"]) == decks and len(response.context["public"]) == decks


@pytest.mark.parametrize(("decks", "cards"), [(1, 2), (3, 25)])
def test_a_deck_page_takes_a_fixed_number_of_queries(owner_client, owner, decks, cards, django_assert_num_queries):
    deck = _fill(owner, decks, cards)
    # session, user, the deck with access, its cards, my progress, the shares, the retired cards, leech reports
    with django_assert_num_queries(8):
        response = owner_client.get(reverse("deck_detail", args=[deck.slug]))
    assert len(response.context["rows"]) == cards
    assert all(row.suspended for row in response.context["rows"])
