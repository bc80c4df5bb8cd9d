"""Images on cards: decoded before they are kept, stored re-encoded, shown only to those who may see the deck, and
hostile files refused with a clear message."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cards.models import CardImage
from tests.factories import CardFactory, DeckFactory, DeckShareFactory, MembershipFactory, StudyGroupFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def picture(fmt: str = "PNG", size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 1).save(out, fmt)
    return out.getvalue()


def upload(client, deck, name: str, data: bytes, **extra):
    url = reverse("image_upload", args=[deck.slug])
    return client.post(url, {"image": SimpleUploadedFile(name, data), "next": f"/decks/{deck.slug}/"}, **extra)


@pytest.fixture
def deck(learner):
    return DeckFactory(owner=learner, slug="mine")


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_an_image_is_kept_served_and_shown_on_its_card(learner_client, deck, fmt, content_type):
    response = upload(learner_client, deck, "diagram.bin", picture(fmt))  # the name says nothing: the bytes do
    assert response.status_code == 302
    image = CardImage.objects.get()
    assert (image.content_type, image.width, image.height, image.deck) == (content_type, 40, 30, deck)
    served = learner_client.get(reverse("card_image", args=[image.id]))
    assert served.status_code == 200 and served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (40, 30)
    card = CardFactory(deck=deck, consideration=None, front=f"Which service is this?\n\n{image.markdown}")
    assert f'<img src="/images/{image.id}/" alt="describe the image">' in card.front_html


def test_the_htmx_upload_answers_with_the_markdown_to_paste(learner_client, deck):
    response = upload(learner_client, deck, "a.png", picture(), **HTMX)
    image = CardImage.objects.get()
    assert response.status_code == 200 and f"![describe the image](/images/{image.id}/)" in response.content.decode()


def test_an_image_is_seen_only_by_those_who_may_see_its_deck(learner, learner_client, deck, client, member, outsider):
    upload(learner_client, deck, "a.png", picture())
    url = reverse("card_image", args=[CardImage.objects.get().id])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    group = StudyGroupFactory()
    MembershipFactory(group=group, user=learner, role="owner")
    MembershipFactory(group=group, user=member, role="member")
    DeckShareFactory(deck=deck, group=group)
    client.force_login(member)
    assert client.get(url).status_code == 200
    assert client.get(reverse("card_image", args=[999999])).status_code == 404


def test_a_polyglot_is_stored_without_what_it_carried(learner_client, deck):
    hostile = picture() + b"<script>alert(document.cookie)</script>" + b"PK\x03\x04zip inside"
    assert upload(learner_client, deck, "a.png", hostile).status_code == 302
    stored = CardImage.objects.get().file.read()
    assert b"<script>" not in stored and b"PK\x03\x04" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG images are not"),
        ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG images are not"),
        ("page.png", b"<html><script>alert(1)</script></html>", "not an image this site can read"),
        ("anim.png", picture("GIF"), "Only PNG, JPEG and WebP images are accepted, not GIF"),
        ("huge.png", picture(size=(5000, 10), mode="1"), "5000 x 10 pixels; at most 4,096 a side"),
        ("big.png", picture() + b"\0" * (2 * 1024 * 1024), "larger than 2 MB"),
        ("cut.png", picture()[:60], "damaged"),
    ],
)
def test_a_hostile_or_unusable_file_is_refused_with_a_clear_message(learner_client, deck, name, data, message):
    response = upload(learner_client, deck, name, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not CardImage.objects.exists()


def test_a_decompression_bomb_is_refused(learner_client, deck, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # a 40 x 30 picture is then "too many pixels"
    response = upload(learner_client, deck, "bomb.png", picture())
    assert response.status_code == 400 and not CardImage.objects.exists()


def test_only_the_decks_editors_upload_and_never_into_the_official_deck(client, member, staff, deck):
    client.force_login(member)
    assert upload(client, deck, "a.png", picture()).status_code == 404
    official = DeckFactory(owner=None)
    client.force_login(staff)
    assert upload(client, official, "a.png", picture()).status_code in (400, 403)
    assert not CardImage.objects.exists()


def test_an_image_from_elsewhere_is_dropped_from_the_card(deck):
    card = CardFactory(deck=deck, consideration=None, front="![x](https://evil.example/track.png) ![y](/images/1/x)")
    assert "evil.example" not in card.front_html and 'src="/images/1/x"' not in card.front_html


def test_a_json_export_carries_the_images_and_an_import_brings_them_along(learner, learner_client, deck):
    import json

    upload(learner_client, deck, "a.png", picture())
    image = CardImage.objects.get()
    CardFactory(deck=deck, consideration=None, front="Name the service", back=f"Pub/Sub.\n\n{image.markdown}")
    exported = learner_client.get(reverse("deck_export_json", args=[deck.slug])).content
    assert json.loads(exported)["images"][0]["id"] == image.id

    def import_into(target):
        data = {"file": SimpleUploadedFile("d.json", exported)}
        preview = learner_client.post(reverse("deck_import", args=[target.slug]), data)
        assert preview.status_code == 200, preview.content.decode()
        token = learner_client.session[f"import:{target.id}"]["token"]
        learner_client.post(reverse("deck_import_confirm", args=[target.slug]), {"token": token})
        return preview.content.decode()

    copy = DeckFactory(owner=learner, slug="copy")
    assert "The file's 1 image comes along." in import_into(copy)
    copied = CardImage.objects.get(deck=copy)
    card = copy.cards.get()
    assert card.back == f"Pub/Sub.\n\n![describe the image](/images/{copied.id}/)" and copied.id != image.id
    assert f'src="/images/{copied.id}/"' in card.back_html
    assert learner_client.get(reverse("card_image", args=[copied.id])).status_code == 200
    # Into the deck it came from: the same picture is the same image, and nothing changes.
    html = import_into(deck)
    assert "add <strong>0</strong> cards and update <strong>0</strong>" in html
    assert CardImage.objects.filter(deck=deck).count() == 1


def test_a_deck_file_with_a_bad_image_imports_nothing(learner_client, deck):
    import base64
    import json

    bad = base64.b64encode(b"<svg><script>alert(1)</script></svg>").decode()
    data = {"format": "pmle-cards-deck", "version": 1, "cards": [{"front": "Q", "back": "A"}]}
    data["images"] = [{"id": 7, "content_type": "image/png", "data": bad}, {"id": 8, "data": "not base64!"}]
    response = learner_client.post(
        reverse("deck_import", args=[deck.slug]), {"file": SimpleUploadedFile("d.json", json.dumps(data).encode())}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "image 7: SVG images are not accepted" in html
    assert "image 2: it needs an id and its data in base64" in html
    assert not deck.cards.exists() and not CardImage.objects.exists()


def test_the_anki_package_carries_the_images_as_anki_media(learner, learner_client, deck, tmp_path):
    from tests.test_import_export import open_with_anki

    upload(learner_client, deck, "a.png", picture("JPEG"))
    image = CardImage.objects.get()
    CardFactory(deck=deck, consideration=None, front=f"What does this show?\n\n{image.markdown}", back="A pipeline.")
    data = learner_client.get(reverse("deck_export_apkg", args=[deck.slug])).content
    ((fields, _),) = open_with_anki(data, tmp_path)
    assert f'<img src="pmle-{image.id}.jpg" alt="describe the image">' in fields[0]
    media = tmp_path / "collection.media" / f"pmle-{image.id}.jpg"
    assert Image.open(media).size == (40, 30)


def test_images_come_back_from_anki_packages_ours_and_foreign(learner, learner_client, deck, tmp_path):
    import genanki

    upload(learner_client, deck, "a.png", picture())
    image = CardImage.objects.get()
    CardFactory(deck=deck, consideration=None, front="Ours", back=f"See {image.markdown}")
    ours = learner_client.get(reverse("deck_export_apkg", args=[deck.slug])).content
    (tmp_path / "chart.png").write_bytes(picture(size=(12, 9)))
    basic = genanki.Model(
        1_234_567, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    )  # fmt: skip
    theirs_deck = genanki.Deck(7_654_321, "Theirs")
    theirs_deck.add_note(genanki.Note(model=basic, fields=['Which chart?<img src="chart.png">', "This one"], guid="t1"))
    package = genanki.Package(theirs_deck)
    package.media_files = [str(tmp_path / "chart.png")]
    package.write_to_file(str(tmp_path / "theirs.apkg"))
    theirs = (tmp_path / "theirs.apkg").read_bytes()

    target = DeckFactory(owner=learner, slug="target")
    for name, data in (("ours.apkg", ours), ("theirs.apkg", theirs)):
        response = learner_client.post(
            reverse("deck_import", args=[target.slug]), {"file": SimpleUploadedFile(name, data)}
        )
        assert response.status_code == 200, response.content.decode()
        token = learner_client.session[f"import:{target.id}"]["token"]
        learner_client.post(reverse("deck_import_confirm", args=[target.slug]), {"token": token})
    first, second = CardImage.objects.filter(deck=target).order_by("id")
    assert (first.width, second.width) == (40, 12)
    assert target.cards.get(front="Ours").back == f"See ![describe the image](/images/{first.id}/)"
    assert target.cards.get(key="anki-t1").front == f"Which chart?![image](/images/{second.id}/)"


def test_images_go_to_a_cloud_storage_bucket_when_one_is_named():
    """The storage is chosen at start from the environment: run a fresh interpreter with GS_BUCKET_NAME set (nothing
    talks to Google until a file is written or read)."""
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup();"
        "from django.core.files.storage import storages; s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.default_acl, s.querystring_auth)"
    )
    env = os.environ | {"GS_BUCKET_NAME": "pmle-cards-media", "DJANGO_SETTINGS_MODULE": "pmle.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "GoogleCloudStorage pmle-cards-media None True"
