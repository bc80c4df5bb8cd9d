"""Images on cards: checked by decoding them with Pillow (never by their name), stored re-encoded, served only to
those who may see their deck.

An upload is refused unless Pillow decodes it fully as PNG, JPEG or WebP within 2 MB and 4,096 x 4,096 pixels.
SVG is refused (it can carry scripts). What is stored is the picture encoded again from its pixels, so trailing
data (a polyglot's script or archive) and metadata never reach a browser, and the content type served is the
decoded format's.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import uuid
import warnings

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from cards.decks import DeckError
from cards.models import CardImage, Deck

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4096
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}


class ImageRefused(ValueError):
    pass


def decode(data: bytes) -> Image.Image:
    """The fully decoded picture, or ImageRefused saying why."""
    if len(data) > MAX_BYTES:
        raise ImageRefused("That image is larger than 2 MB.")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in head:
        raise ImageRefused("SVG images are not accepted (they can carry scripts): save it as PNG instead.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise ImageRefused(f"Only PNG, JPEG and WebP images are accepted, not {probe.format or 'this file'}.")
            if max(probe.size) > MAX_SIDE:
                raise ImageRefused(f"That image is {probe.size[0]} x {probe.size[1]} pixels; at most 4,096 a side.")
            probe.verify()
            picture = Image.open(io.BytesIO(data))
            picture.load()  # every pixel decoded: a truncated or damaged file fails here
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("That file is not an image this site can read (PNG, JPEG or WebP).") from None
    except (OSError, SyntaxError, ValueError) as error:
        if isinstance(error, ImageRefused):
            raise
        raise ImageRefused("That image is damaged: it cannot be decoded.") from None
    return picture


def reencode(picture: Image.Image) -> bytes:
    fmt = picture.format
    out = io.BytesIO()
    if fmt == "JPEG":
        picture.convert("RGB").save(out, "JPEG", quality=90)
    else:
        picture.save(out, fmt)
    return out.getvalue()


@transaction.atomic
def upload(*, user: User | None, deck: Deck, data: bytes) -> CardImage:
    """Store an image for a deck the caller may edit (the view checked); ImageRefused for a bad file. The same
    picture uploaded again to the same deck is the image already there."""
    if deck.owner_id is None:
        raise DeckError("The official deck is changed through its deck files, not here.")
    picture = decode(data)
    content_type, extension = FORMATS[picture.format]
    body = reencode(picture)
    digest = hashlib.sha256(body).hexdigest()
    existing = deck.images.filter(sha256=digest).first()
    if existing is not None:
        return existing
    image = CardImage(
        deck=deck,
        content_type=content_type,
        width=picture.width,
        height=picture.height,
        sha256=digest,
        uploaded_by=user,
    )
    image.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(body), save=False)
    image.save()
    return image


REFERENCE = re.compile(r"\(/images/([0-9]{1,18})/\)")


def rewrite(text: str, new_ids: dict[int, int]) -> str:
    """A card's Markdown with its image references renumbered (an imported deck's images get new ids here)."""
    return REFERENCE.sub(lambda m: f"(/images/{new_ids.get(int(m.group(1)), int(m.group(1)))}/)", text)


def for_export(deck: Deck) -> list[dict]:
    """The deck's images as a JSON deck file carries them."""
    return [
        {"id": image.id, "content_type": image.content_type, "data": base64.b64encode(image.file.read()).decode()}
        for image in deck.images.order_by("id")
    ]
