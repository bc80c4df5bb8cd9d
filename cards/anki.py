"""Anki's formats: a deck written as an ``.apkg`` package (genanki) that AnkiDroid, AnkiMobile and desktop Anki open,
and packages of any Anki version and Anki's own text export read into rows for cards/imports.py. No database.

An exported note keeps the card's Markdown (in its "Source" field) beside the HTML Anki shows, so a package made
here imports back exactly; a note of another origin is read from its HTML (paragraphs, line breaks, bold, italics,
code, links and images become Markdown; other markup is dropped). Images travel as Anki media and come back as
the deck's images (PNG, JPEG and WebP, checked as an upload is). Only notes of a standard (non-cloze) note type with
a question and an answer field are imported; every other note is listed by number, as is every image left out.
"""

from __future__ import annotations

import json
import re
import tempfile
import zlib
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from cards import deckio

MODEL_ID = 1_741_502_024  # fixed: Anki recognises the note type again on every import
CONSIDERATION_TAG = re.compile(r"^pmle::(\d{4})::(\d+\.\d+\.\d+)$")
FIELDS = ["Front", "Back", "Explanation", "Link", "Consideration", "Key", "Source"]
CARD_CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; } .explanation { color: #555; }"


def _model():
    import genanki

    return genanki.Model(
        MODEL_ID,
        "PMLE Cards",
        fields=[{"name": name} for name in FIELDS],
        templates=[
            {
                "name": "Card",
                "qfmt": "{{Front}}",
                "afmt": (
                    '{{FrontSide}}<hr id="answer">{{Back}}'
                    '{{#Explanation}}<div class="explanation">{{Explanation}}</div>{{/Explanation}}'
                    '{{#Link}}<p><a href="{{Link}}">Read next</a></p>{{/Link}}'
                ),
            }
        ],
        css=CARD_CSS,
    )


def to_apkg(deck, cards) -> bytes:
    """The deck's active cards as an Anki package: one note each, its tags and consideration as tags."""
    import genanki

    package_deck = genanki.Deck(zlib.crc32(f"pmle-cards:{deck.slug}".encode()) & 0x7FFFFFFF, deck.title)
    model = _model()
    for card in cards:
        if card.retired:
            continue
        consideration = deckio.consideration_name(card.consideration)
        source = {"front": card.front, "back": card.back, "explanation": card.explanation}
        tags = card.tags.split()
        if consideration:
            tags.append("pmle::" + consideration.replace(":", "::"))
        key = deckio.card_key(card)
        fields = [card.front_html, card.back_html, card.explanation_html, escape(card.link), consideration, key]
        package_deck.add_note(
            genanki.Note(
                model=model,
                fields=[*fields, json.dumps(source, ensure_ascii=False)],
                tags=tags,
                guid=genanki.guid_for("pmle-cards", key),
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        names = {}  # the deck's images, as Anki keeps them: files beside the notes, named in their HTML
        for image in deck.images.all() if deck.pk else []:
            names[image.id] = f"pmle-{image.id}.{image.file.name.rsplit('.', 1)[-1]}"
            (Path(tmp) / names[image.id]).write_bytes(image.file.read())

        def media_name(match: re.Match) -> str:
            name = names.get(int(match.group(1)))
            return f'src="{name}"' if name else match.group(0)

        for note in package_deck.notes:
            note.fields[:3] = [OWN_IMAGE_SRC.sub(media_name, html) for html in note.fields[:3]]
        path = Path(tmp) / "deck.apkg"
        package = genanki.Package(package_deck)
        package.media_files = [str(Path(tmp) / name) for name in names.values()]
        package.write_to_file(str(path))
        return path.read_bytes()


OWN_IMAGE_SRC = re.compile(r'src="/images/([0-9]{1,18})/"')


# --- reading ------------------------------------------------------------------------------------------------------


class _Markdown(HTMLParser):
    """Anki field HTML to Markdown text: the markup a flashcard needs, everything else as plain text."""

    BLOCK = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}

    def __init__(self, media=None) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: list[str | None] = []
        self.media = media  # src -> the id the picture is imported under, or None (left out)
        self.images = 0  # left out

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "br":
            self.out.append("\n")
        elif tag in self.BLOCK:
            self.out.append("\n\n")
            if tag == "li":
                self.out.append("- ")
        elif tag in self.INLINE:
            self.out.append(self.INLINE[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.href.append(href if href.startswith(("http://", "https://")) else None)
            if self.href[-1]:
                self.out.append("[")
        elif tag == "img":
            found = dict(attrs)
            image_id = self.media(found.get("src") or "") if self.media else None
            if image_id is None:
                self.images += 1
            else:
                self.out.append(f"![{found.get('alt') or 'image'}](/images/{image_id}/)")

    def handle_endtag(self, tag) -> None:
        if tag in self.BLOCK:
            self.out.append("\n\n")
        elif tag in self.INLINE:
            self.out.append(self.INLINE[tag])
        elif tag == "a" and self.href:
            href = self.href.pop()
            if href:
                self.out.append(f"]({href})")

    def handle_data(self, data) -> None:
        self.out.append(data)


def html_to_markdown(html: str, media=None) -> tuple[str, int]:
    """The field as Markdown, and how many of its images were left out (``media`` finds the others)."""
    parser = _Markdown(media)
    parser.feed(html)
    parser.close()
    text = re.sub(r"\n{3,}", "\n\n", "".join(parser.out)).strip()
    return text, parser.images


def _note_row(where: str, fields: dict[str, str], tags: list[str], guid: str, media=None) -> tuple[dict, list[str]]:
    """One note as the raw row deckio validates, and notes for the learner about what was left out."""
    notes = []
    plain_tags = [t for t in tags if not CONSIDERATION_TAG.match(t)]
    consideration = ""
    for tag in tags:
        match = CONSIDERATION_TAG.match(tag)
        if match:
            consideration = f"{match.group(1)}:{match.group(2)}"
    if "Source" in fields and fields["Source"]:
        try:
            source = json.loads(unescape(fields["Source"]))
        except json.JSONDecodeError:
            source = None
        if isinstance(source, dict):
            return {
                "key": fields.get("Key") or "",
                "front": source.get("front"),
                "back": source.get("back"),
                "explanation": source.get("explanation") or "",
                "link": unescape(fields.get("Link") or ""),
                "consideration": fields.get("Consideration") or consideration,
                "tags": [t.lower() for t in plain_tags],
            }, notes
    names = list(fields)
    front, front_images = html_to_markdown(fields[names[0]], media)
    back, back_images = html_to_markdown(fields[names[1]], media)
    if front_images + back_images:
        notes.append(f"{where}: {front_images + back_images} image(s) left out (missing, or not PNG, JPEG or WebP)")
    usable = [t.lower() for t in plain_tags if deckio.TAG_RE.match(t.lower())]
    if len(usable) < len(plain_tags):
        notes.append(f"{where}: tags that are not lower-case words joined by '-' were left out")
    return {"key": f"anki-{guid}", "front": front, "back": back, "consideration": consideration, "tags": usable}, notes


FOREIGN_IDS = 10**17  # ids given to a foreign package's pictures in the rows, renumbered when imported


def read_apkg(data: bytes) -> tuple[list[tuple[str, dict]], list[str], list[tuple[int, bytes]]]:
    """An Anki package (any version Anki reads) as raw rows, what was left out (by note), and its pictures as
    (id in the rows, bytes). A note exported from here names its images by their ids on this site; a foreign
    note's images get new ids.

    Raises deckio.FileError for a file Anki cannot open.
    """
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.errors import BackendError

    from cards.images import REFERENCE, ImageRefused, decode

    items, notes, pictures = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(tmp) / "upload.apkg"
        package.write_bytes(data)
        col = Collection(str(Path(tmp) / "collection.anki2"))
        media_dir = Path(col.media.dir())

        def picture(name: str) -> bytes | None:
            path = media_dir / Path(unquote(name)).name  # a bare file name: nothing outside the media folder
            if not path.is_file():
                return None
            try:
                body = path.read_bytes()
                decode(body)
            except (ImageRefused, OSError):
                return None
            return body

        def foreign(src: str) -> int | None:
            body = picture(src)
            if body is None:
                return None
            image_id = FOREIGN_IDS + len(pictures)
            pictures[image_id] = body
            return image_id

        try:
            try:
                col.import_anki_package(
                    ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
                )
            except BackendError as error:  # a damaged or foreign file
                raise deckio.FileError(f"Anki could not open this package: {error}.") from None
            exported = {p.name.split(".")[0]: p.name for p in media_dir.glob("pmle-*")}
            for n, note_id in enumerate(sorted(col.find_notes("")), start=1):
                note = col.get_note(note_id)
                kind = note.note_type()
                where = f"note {n}"
                if kind.get("type") == 1 or len(note.keys()) < 2:
                    notes.append(f"{where} ({kind['name']}): left out: only question-and-answer notes are imported")
                    continue
                row, row_notes = _note_row(where, dict(note.items()), list(note.tags), note.guid, foreign)
                for text in (row.get("front") or "", row.get("back") or "", row.get("explanation") or ""):
                    for found in REFERENCE.findall(text):  # a note from here: its pictures by their ids
                        body = picture(exported.get(f"pmle-{found}", ""))
                        if body is not None:
                            pictures[int(found)] = body
                items.append((where, row))
                notes += row_notes
        finally:
            col.close()
    if len(items) > deckio.MAX_CARDS:
        raise deckio.FileError(f"The package has {len(items):,} notes; at most {deckio.MAX_CARDS:,} are imported.")
    return items, notes, list(pictures.items())


def read_text_export(text: str) -> tuple[list[tuple[str, dict]], list[str]]:
    """Anki's "Notes in Plain Text" export: '#key:value' header lines, then one note a line (question, answer, and
    the tags column if the header names one)."""
    settings, lines = {}, text.splitlines()
    while lines and lines[0].startswith("#"):
        key, _, value = lines.pop(0)[1:].partition(":")
        settings[key.strip().lower()] = value.strip()
    separator = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}.get(
        settings.get("separator", "tab"), "\t"
    )
    html = settings.get("html", "false") == "true"
    tags_column = int(settings["tags column"]) - 1 if settings.get("tags column", "").isdigit() else None
    guid_column = int(settings["guid column"]) - 1 if settings.get("guid column", "").isdigit() else None
    skip = {c for c in (guid_column, tags_column) if c is not None}
    for name in ("notetype column", "deck column"):
        if settings.get(name, "").isdigit():
            skip.add(int(settings[name]) - 1)
    import csv
    import io

    items, notes = [], []
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=separator)
    for number, values in enumerate(reader, start=len(text.splitlines()) - len(lines) + 1):
        if not any(v.strip() for v in values):
            continue
        content = [v for i, v in enumerate(values) if i not in skip]
        front, back = (content + ["", ""])[:2]
        if html:
            front, back = html_to_markdown(front)[0], html_to_markdown(back)[0]
        row = {"front": front, "back": back}
        if tags_column is not None and tags_column < len(values):
            tags = values[tags_column].lower().split()
            row["tags"] = [t for t in tags if deckio.TAG_RE.match(t)]
            if len(row["tags"]) < len(tags):
                notes.append(f"line {number}: tags that are not lower-case words joined by '-' were left out")
        if guid_column is not None and guid_column < len(values):
            row["key"] = "anki-" + values[guid_column]
        items.append((f"line {number}", row))
    return items, notes
