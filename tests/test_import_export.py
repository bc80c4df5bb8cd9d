"""Decks in and out as files: JSON round trips exactly, CSV keeps text and tags, a bad row imports nothing and is
named, re-importing updates instead of duplicating, and only those who may edit a deck import into it."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cards import deckio
from cards.models import Card, Deck
from tests.factories import CardFactory, ConsiderationFactory, DeckFactory, ObjectiveFactory, SectionFactory


@pytest.fixture
def taxonomy(db):
    """Consideration 3.4.2 of the current (2024) edition, titled "Feature stores"."""
    section = SectionFactory(number=3)
    objective = ObjectiveFactory(section=section, number="3.4", position=4)
    return ConsiderationFactory(objective=objective, key="3.4.2", title="Feature stores", position=2)


@pytest.fixture
def my_deck(learner, taxonomy):
    deck = DeckFactory(owner=learner, title="Mine", description="My notes")
    CardFactory(
        deck=deck,
        front="What is *Vertex AI Feature Store*?",
        back="A managed feature store.",
        position=0,
        consideration=taxonomy,
        tags="feature-store vertex-ai",
        link="https://cloud.google.com/vertex-ai",
    )
    CardFactory(deck=deck, front='Line one\nline two, with "quotes"; and a semicolon', back="B", position=1)
    CardFactory(deck=deck, front="Retired one", back="R", position=2, retired=True, consideration=None)
    return deck  # fmt: skip


def upload(client, deck, name: str, content: bytes | str):
    data = content.encode() if isinstance(content, str) else content
    return client.post(reverse("deck_import", args=[deck.slug]), {"file": SimpleUploadedFile(name, data)})


def confirm(client, deck):
    token = client.session[f"import:{deck.id}"]["token"]
    return client.post(reverse("deck_import_confirm", args=[deck.slug]), {"token": token})


def snapshot(deck) -> list[tuple]:
    return list(
        deck.cards.order_by("position", "id").values_list(
            "front", "back", "explanation", "link", "consideration_id", "tags", "retired", "position"
        )
    )


def test_json_export_then_import_gives_the_same_deck(learner, learner_client, my_deck):
    exported = learner_client.get(reverse("deck_export_json", args=[my_deck.slug]))
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == f'attachment; filename="{my_deck.slug}.json"'
    data = json.loads(exported.content)
    assert data["cards"][0]["consideration"] == "2024:3.4.2"
    assert data["cards"][0]["tags"] == ["feature-store", "vertex-ai"]
    copy = DeckFactory(owner=learner, title="Copy")
    preview = upload(learner_client, copy, "mine.json", exported.content)
    assert preview.status_code == 200 and "add <strong>3</strong> cards" in preview.content.decode()
    assert not copy.cards.exists()  # nothing is written before the learner confirms
    assert confirm(learner_client, copy).status_code == 302
    assert snapshot(copy) == snapshot(my_deck)
    again = learner_client.get(reverse("deck_export_json", args=[copy.slug]))
    assert json.loads(again.content)["cards"] == data["cards"]  # the same keys too: a lossless round trip


def test_csv_export_then_import_keeps_text_tags_and_consideration(learner, learner_client, my_deck):
    exported = learner_client.get(reverse("deck_export_csv", args=[my_deck.slug]))
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    copy = DeckFactory(owner=learner, title="Copy")
    assert upload(learner_client, copy, "mine.csv", exported.content).status_code == 200
    confirm(learner_client, copy)
    active = [row for row in snapshot(my_deck) if not row[6]]
    assert [row[:6] for row in snapshot(copy)] == [row[:6] for row in active]  # the retired card is not in a CSV


def test_reimporting_the_same_file_updates_instead_of_duplicating(learner_client, my_deck):
    exported = learner_client.get(reverse("deck_export_json", args=[my_deck.slug])).content
    data = json.loads(exported)
    data["cards"][1]["back"] = "A better answer"
    preview = upload(learner_client, my_deck, "mine.json", json.dumps(data)).content.decode()
    assert "add <strong>0</strong> cards and update <strong>1</strong>; 2 stay as they are" in preview
    confirm(learner_client, my_deck)
    assert my_deck.cards.count() == 3
    card = my_deck.cards.get(position=1)
    assert (card.back, card.version) == ("A better answer", 1)
    assert card.content_changed_at is not None  # learners see "changed since your last review"


def test_a_spreadsheet_with_semicolons_windows_1252_and_titles_imports(learner_client, my_deck):
    sheet = "Front;Back;Consideration;Tags\r\nQu'est-ce que Dataflow?;Apache Beam, géré;Feature stores;Dataflow\r\n"
    response = upload(learner_client, my_deck, "export.csv", sheet.encode("cp1252"))
    assert response.status_code == 200, response.content.decode()
    confirm(learner_client, my_deck)
    card = my_deck.cards.get(front="Qu'est-ce que Dataflow?")
    assert (card.back, card.consideration.key, card.tags) == ("Apache Beam, géré", "3.4.2", "dataflow")
    # The same sheet again: matched by its question, so nothing is added.
    upload(learner_client, my_deck, "export.csv", sheet.encode("cp1252"))
    confirm(learner_client, my_deck)
    assert my_deck.cards.filter(front="Qu'est-ce que Dataflow?").count() == 1


def test_one_bad_row_imports_nothing_and_names_the_row(learner_client, my_deck):
    sheet = "front,back,consideration\nGood?,Yes,3.4.2\nAlso good?,Yes,2024:3.4.2\nBad?,No,9.9\n,Empty front,\n"
    before = snapshot(my_deck)
    response = upload(learner_client, my_deck, "cards.csv", sheet)
    html = response.content.decode()
    assert response.status_code == 400
    assert "row 4: unknown consideration &#x27;9.9&#x27;" in html
    assert "row 5: the front (question) is empty" in html
    assert "Nothing was imported: 2 problems" in html
    assert snapshot(my_deck) == before
    assert f"import:{my_deck.id}" not in learner_client.session


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The submitted file is empty."),
        ("question,answer\nA,B\n", "The first row must name the columns"),
        ('{"cards": []}', "is not a deck file of this app"),
        ('{"format": "pmle-cards-deck", "version": 1, "cards": []}', "The file has no cards."),
        ("{not json", "This is not valid JSON"),
        ("front,back,tags\nA,B,Not A Tag!\n", "row 2: tag &#x27;tag!&#x27;"),
        ("front,back,link\nA,B,javascript:alert(1)\n", "is not a web address"),
        ("front,back\nA,B,C\n", "row 2: 3 values for 2 columns"),
        ('"' + "x" * 140_000 + '",back\n', "first row cannot be read"),
        ("front,back\n" + "[" * 600 + ",B\n", "row 2: front:"),
        ("front,back\nA," + "b" * 4001 + "\n", "row 2: back is longer than 4,000 characters"),
        ("front,back,key\nA,B,k1\nC,D,k1\n", "row 3: key &#x27;k1&#x27; is used again (first in row 2)"),
        ("front,back\nSame?,B\nSame?,C\n", "row 3: the same question as row 2"),
    ],
)
def test_a_file_that_does_not_check_out_is_a_400_with_a_clear_message(learner_client, my_deck, content, message):
    before = snapshot(my_deck)
    response = upload(learner_client, my_deck, "cards.csv" if not content.startswith("{") else "d.json", content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(my_deck) == before


@pytest.mark.parametrize(
    "data", [b"\xff\xfeA", b"\xfe\xff\x00f\x00r\x00", b"\xff\xfe" + "front,back\nQ,A\n".encode("utf-16-le")[:-1]]
)
def test_a_damaged_utf16_file_is_a_400_or_imports_what_it_says_never_a_500(learner_client, my_deck, data):
    response = upload(learner_client, my_deck, "cards.csv", data)
    assert response.status_code in (200, 400)


def test_too_many_cards_are_refused(learner_client, my_deck):
    sheet = "front,back\n" + "".join(f"Q{n},A\n" for n in range(deckio.MAX_CARDS + 1))
    response = upload(learner_client, my_deck, "big.csv", sheet)
    assert response.status_code == 400 and "at most 10,000 are imported at once" in response.content.decode()


def test_five_thousand_rows_import_in_a_bounded_number_of_queries(
    learner_client, my_deck, django_assert_max_num_queries
):
    sheet = "front,back,tags\n" + "".join(f"Question {n}?,Answer {n},bulk\n" for n in range(5000))
    assert upload(learner_client, my_deck, "big.csv", sheet).status_code == 200
    # Batched inserts, not a query per card: SQLite takes at most 999 values a statement, so about 70 cards each.
    with django_assert_max_num_queries(120):
        assert confirm(learner_client, my_deck).status_code == 302
    assert my_deck.cards.filter(tags="bulk").count() == 5000


def test_a_confirmation_is_used_once_and_needs_its_token(learner_client, my_deck):
    upload(learner_client, my_deck, "a.csv", "front,back\nNew?,Yes\n")
    url = reverse("deck_import_confirm", args=[my_deck.slug])
    assert learner_client.post(url, {"token": "forged"}).status_code == 302
    assert not my_deck.cards.filter(front="New?").exists()
    confirm(learner_client, my_deck)
    assert learner_client.post(url, {"token": "anything"}).status_code == 302
    assert my_deck.cards.filter(front="New?").count() == 1


def test_outsiders_cannot_import_or_export_a_private_deck(client, outsider, my_deck):
    client.force_login(outsider)
    assert client.get(reverse("deck_export_json", args=[my_deck.slug])).status_code == 404
    assert client.get(reverse("deck_export_csv", args=[my_deck.slug])).status_code == 404
    assert upload(client, my_deck, "a.csv", "front,back\nX,Y\n").status_code == 404
    assert client.post(reverse("deck_import_confirm", args=[my_deck.slug]), {"token": "x"}).status_code == 404


def test_the_official_deck_can_be_exported_but_not_imported_into(staff, client, taxonomy):
    official = DeckFactory(owner=None)
    CardFactory(deck=official, key="3.4.2-feature-store", consideration=taxonomy, front="Q", back="A")
    client.force_login(staff)
    data = json.loads(client.get(reverse("deck_export_json", args=[official.slug])).content)
    assert data["cards"][0]["key"] == "3.4.2-feature-store"
    response = upload(client, official, "d.json", json.dumps(data))
    assert response.status_code in (400, 403)
    assert Card.objects.filter(deck=official).count() == 1


def test_the_card_editor_saves_normalised_tags_and_refuses_bad_ones(learner_client, my_deck):
    card = my_deck.cards.get(position=1)
    url = reverse("card_edit", args=[my_deck.slug, card.id])
    data = {"front": card.front, "back": card.back, "version": card.version}
    assert learner_client.post(url, data | {"tags": "Vertex-AI dataflow dataflow"}).status_code == 302
    card.refresh_from_db()
    assert card.tags == "dataflow vertex-ai"
    response = learner_client.post(url, data | {"tags": "no_underscores", "version": card.version})
    assert response.status_code == 400 and "The tag &#x27;no_underscores&#x27;" in response.content.decode()
    card.refresh_from_db()
    assert card.tags == "dataflow vertex-ai"


def test_a_clone_keeps_the_tags(learner, my_deck):
    from cards.decks import clone_deck

    copy = clone_deck(deck=my_deck, owner=learner)
    assert list(copy.cards.order_by("position").values_list("tags", flat=True)) == ["feature-store vertex-ai", ""]


def test_the_official_deck_files_carry_their_tags(official_deck):
    tagged = Card.objects.filter(deck__edition__year=2024).exclude(tags="")
    assert tagged.count() == Deck.objects.get(edition__year=2024).cards.count()


# --- Anki ---------------------------------------------------------------------------------------------------------


def open_with_anki(data: bytes, tmp_path) -> list[tuple[list[str], list[str]]]:
    """The notes of a package as Anki itself reads them: (fields, tags) each."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    package = tmp_path / "deck.apkg"
    package.write_bytes(data)
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions()))
        assert col.card_count() == len(col.find_notes(""))  # one card a note
        return [(list(col.get_note(n).fields), list(col.get_note(n).tags)) for n in sorted(col.find_notes(""))]
    finally:
        col.close()


def test_the_anki_package_opens_in_anki_with_every_card_its_text_and_tags(learner_client, my_deck, tmp_path):
    response = learner_client.get(reverse("deck_export_apkg", args=[my_deck.slug]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{my_deck.slug}.apkg"'
    notes = open_with_anki(response.content, tmp_path)
    assert len(notes) == 2  # the retired card is left out
    fronts = [fields[0] for fields, _ in notes]
    assert "<p>What is <em>Vertex AI Feature Store</em>?</p>" in fronts
    tags = {fields[0]: sorted(tags) for fields, tags in notes}
    assert tags["<p>What is <em>Vertex AI Feature Store</em>?</p>"] == [
        "feature-store", "pmle::2024::3.4.2", "vertex-ai"
    ]  # fmt: skip
    assert all("A managed feature store." in fields[1] or "<p>B</p>" in fields[1] for fields, _ in notes)


def test_an_anki_package_from_here_imports_back_exactly(learner, learner_client, my_deck):
    exported = learner_client.get(reverse("deck_export_apkg", args=[my_deck.slug])).content
    copy = DeckFactory(owner=learner, title="From Anki")
    assert upload(learner_client, copy, "mine.apkg", exported).status_code == 200
    confirm(learner_client, copy)
    active = [row for row in snapshot(my_deck) if not row[6]]
    assert [row[:6] for row in snapshot(copy)] == [row[:6] for row in active]


def test_a_foreign_anki_package_imports_its_basic_notes_and_lists_what_it_leaves_out(learner_client, my_deck):
    import tempfile
    from pathlib import Path

    import genanki

    basic = genanki.Model(
        1_234_567, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    )  # fmt: skip
    deck = genanki.Deck(7_654_321, "Someone's deck")
    front, back = (
        "Which <b>TPU</b> topology?<br>v5e",
        'See <a href="https://cloud.google.com/tpu">TPU</a><img src="p.png">',
    )
    deck.add_note(genanki.Note(model=basic, fields=[front, back], tags=["TPU", "hardware"], guid="g1"))
    deck.add_note(genanki.Note(model=genanki.CLOZE_MODEL, fields=["{{c1::Vertex AI}} hosts models", ""], guid="g2"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "theirs.apkg"
        genanki.Package(deck).write_to_file(str(path))
        data = path.read_bytes()
    preview = upload(learner_client, my_deck, "theirs.apkg", data)
    html = preview.content.decode()
    assert preview.status_code == 200, html
    assert "add <strong>1</strong> card" in html
    assert "left out: only question-and-answer notes are imported" in html  # the cloze note, by note
    assert "1 image(s) left out" in html
    confirm(learner_client, my_deck)
    card = my_deck.cards.get(key="anki-g1")
    assert card.front == "Which **TPU** topology?\nv5e"
    assert (card.back, card.tags) == ("See [TPU](https://cloud.google.com/tpu)", "hardware tpu")
    # Imported again: matched by the note's id, nothing added.
    upload(learner_client, my_deck, "theirs.apkg", data)
    confirm(learner_client, my_deck)
    assert my_deck.cards.filter(key="anki-g1").count() == 1


def test_ankis_plain_text_export_imports(learner_client, my_deck):
    text = (
        "#separator:tab\n#html:true\n#tags column:3\nWhat is <i>Vertex AI</i>?\tGoogle's ML platform\tvertex Big::Tag\n"
    )
    html = upload(learner_client, my_deck, "notes.txt", text).content.decode()
    assert "add <strong>1</strong> card" in html and "tags that are not lower-case words" in html
    confirm(learner_client, my_deck)
    card = my_deck.cards.get(front="What is *Vertex AI*?")
    assert (card.back, card.tags) == ("Google's ML platform", "vertex")


def test_a_damaged_anki_package_is_a_400(learner_client, my_deck):
    response = upload(learner_client, my_deck, "broken.apkg", b"PK\x03\x04not really a zip")
    assert response.status_code == 400 and "Anki could not open this package" in response.content.decode()


def test_admin_exports_the_selected_cards_as_a_deck_file_that_imports(admin_client, learner, learner_client, my_deck):
    chosen = list(my_deck.cards.filter(retired=False).order_by("position").values_list("id", flat=True))
    response = admin_client.post(
        reverse("admin:cards_card_changelist"), {"action": "export_json", "_selected_action": chosen}
    )
    assert response.status_code == 200 and response["Content-Disposition"] == 'attachment; filename="cards.json"'
    data = json.loads(response.content)
    assert [c["front"] for c in data["cards"]] == list(
        my_deck.cards.filter(id__in=chosen).values_list("front", flat=True)
    )
    copy = DeckFactory(owner=learner, title="From admin")
    assert upload(learner_client, copy, "cards.json", response.content).status_code == 200


def test_a_json_export_may_carry_the_learners_own_scheduling(learner, member, learner_client, my_deck):
    from tests.factories import ProgressFactory

    first = my_deck.cards.get(position=0)
    ProgressFactory(user=learner, card=first, repetitions=2, interval=6, easiness=2.36, due="2026-07-01", lapses=1)
    ProgressFactory(user=member, card=first, interval=99)  # someone else's: never exported
    plain = json.loads(learner_client.get(reverse("deck_export_json", args=[my_deck.slug])).content)
    assert "schedule" not in plain["cards"][0]
    url = reverse("deck_export_json", args=[my_deck.slug]) + "?schedule=1"
    cards = json.loads(learner_client.get(url).content)["cards"]
    assert cards[0]["schedule"] | {"review_count": 0} == {
        "due": "2026-07-01", "interval": 6, "easiness": 2.36, "repetitions": 2, "lapses": 1, "review_count": 0,
        "suspended": False, "flag": 0,
    }  # fmt: skip
    assert cards[1]["schedule"] is None  # not started
