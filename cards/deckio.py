"""Decks as files: JSON (lossless) and CSV, written and read without touching the database.

Writing turns a deck's cards into a file. Reading turns a file into validated rows, or a list of problems that each
name their row ("row 12: unknown consideration '9.9'"); nothing is written until every row is right
(cards/imports.py does the writing). Considerations are named by their key within an edition ("3.4.2"), by key and
edition ("2024:3.4.2"), or by their exact title within the edition; the caller passes the lookup tables in.

JSON keeps everything a card has: its stable key, text, link, consideration (with its edition), tags, position
and whether it is retired. CSV keeps key, text, link, consideration and tags, one card a row, with a header row;
its delimiter (comma, semicolon or tab) and encoding (UTF-8 with or without a byte order mark, UTF-16 with one,
else Windows-1252 as spreadsheets on Windows write it) are detected.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from cards.rendering import validate_markup

FORMAT = "pmle-cards-deck"
VERSION = 1
MAX_CARDS = 10_000
TAG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
CSV_COLUMNS = ("key", "front", "back", "explanation", "link", "consideration", "tags")
LIMITS = {"front": 1000, "back": 4000, "explanation": 4000, "link": 500}


class FileError(ValueError):
    """The file as a whole cannot be read (not JSON, no header row, too many cards...)."""


def normalize_tags(text: str | Iterable[str]) -> str:
    """Tags as stored: lower-case, each once, sorted, separated by single spaces. Raises ValueError for a tag that
    is not lower-case words joined by '-'."""
    words = text.split() if isinstance(text, str) else [str(t) for t in text]
    tags = sorted({w.strip().lower() for w in words if w.strip()})
    bad = [t for t in tags if not TAG_RE.match(t)]
    if bad:
        raise ValueError(f"tag {bad[0]!r} must be lower-case letters and digits, words joined by '-'")
    result = " ".join(tags)
    if len(result) > 500:
        raise ValueError("too many tags (500 characters at most)")
    return result


def card_key(card) -> str:
    """The key a card is written under: its own, or one made from its id (which an import back matches)."""
    return card.key or f"card-{card.id}"


def consideration_name(consideration) -> str:
    if consideration is None:
        return ""
    return f"{consideration.objective.section.edition.year}:{consideration.key}"


# --- writing ------------------------------------------------------------------------------------------------------


def to_json(deck, cards, schedules: dict[int, dict] | None = None, images: list[dict] | None = None) -> str:
    """The deck and its cards (retired ones too, marked), in position order; with ``schedules`` (card id -> the
    learner's own scheduling), each card also carries its "schedule" (null for a card not started). An import
    reads the cards and leaves the schedules alone. ``images`` (id, content type, base64 data) are the deck's
    images, which the cards reference as /images/ID/."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "deck": {"title": deck.title, "description": deck.description},
        "cards": [
            {
                "key": card_key(c),
                "front": c.front,
                "back": c.back,
                "explanation": c.explanation,
                "link": c.link,
                "consideration": consideration_name(c.consideration),
                "tags": c.tags.split(),
                "retired": c.retired,
            }
            | ({"schedule": schedules.get(c.id)} if schedules is not None else {})
            for c in cards
        ],
    }
    if images:
        data["images"] = images
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def to_csv(cards) -> str:
    """The active cards, one a row, with a header row. Text keeps its line breaks (quoted)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in cards:
        if not c.retired:
            writer.writerow(
                [card_key(c), c.front, c.back, c.explanation, c.link, consideration_name(c.consideration), c.tags]
            )
    return out.getvalue()


# --- reading ------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One card read from a file, validated."""

    where: str  # "row 12" or "card 3": how a message names it
    key: str
    front: str
    back: str
    explanation: str = ""
    link: str = ""
    consideration_id: int | None = None
    tags: str = ""
    retired: bool | None = None  # None: the file does not say (CSV), so an existing card keeps its state


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # any of these, and nothing is imported
    left_out: list[str] = field(default_factory=list)  # what the format had that cards cannot hold (Anki), by note
    images: list[tuple[int, bytes]] = field(default_factory=list)  # (id in the file, bytes): a JSON deck's images


@dataclass
class Considerations:
    """What a file may name: per edition year, considerations by key and by lower-cased title; the default year."""

    by_key: dict[int, dict[str, int]]
    by_title: dict[int, dict[str, int]]
    default_year: int

    def find(self, name: str) -> int | None:
        year, _, rest = name.partition(":") if re.match(r"^\d{4}:", name) else ("", "", name)
        year = int(year) if year else self.default_year
        rest = rest.strip()
        return self.by_key.get(year, {}).get(rest) or self.by_title.get(year, {}).get(rest.lower())


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # a cut-off last character must not stop the checks
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_url = URLValidator(schemes=["http", "https"])


def _validate(where: str, raw: dict, considerations: Considerations) -> tuple[Row | None, list[str]]:
    problems = []

    def text(name: str) -> str:
        value = raw.get(name)
        value = "" if value is None else value
        if not isinstance(value, str):
            problems.append(f"{where}: {name} must be text")
            return ""
        value = value.replace("\r\n", "\n").strip()
        if "\x00" in value:
            problems.append(f"{where}: {name} contains a NUL character")
        if len(value) > LIMITS.get(name, 100):
            problems.append(f"{where}: {name} is longer than {LIMITS.get(name, 100):,} characters")
        elif name in ("front", "back", "explanation"):
            try:
                validate_markup(value)
            except ValidationError as error:
                problems.append(f"{where}: {name}: {error.messages[0]}")
        return value

    key, front, back = text("key"), text("front"), text("back")
    explanation, link, consideration = text("explanation"), text("link"), text("consideration")
    if not front:
        problems.append(f"{where}: the front (question) is empty")
    if not back:
        problems.append(f"{where}: the back (answer) is empty")
    if key and not KEY_RE.match(key):
        problems.append(f"{where}: key {key!r} may hold only letters, digits and . _ : - (100 at most)")
    if link:
        if "://" not in link:
            link = "https://" + link
        try:
            _url(link)
        except ValidationError:
            problems.append(f"{where}: link {link!r} is not a web address")
    consideration_id = None
    if consideration:
        consideration_id = considerations.find(consideration)
        if consideration_id is None:
            problems.append(f"{where}: unknown consideration {consideration!r}")
    tags = raw.get("tags") or ""
    try:
        tags = normalize_tags(tags if isinstance(tags, str | list) else str(tags))
    except ValueError as error:
        problems.append(f"{where}: {error}")
        tags = ""
    retired = raw.get("retired")
    if retired is not None and not isinstance(retired, bool):
        problems.append(f"{where}: retired must be true or false")
    if problems:
        return None, problems
    row = Row(where, key, front, back, explanation, link, consideration_id, tags, retired)
    return row, []


def check_items(items: list[tuple[str, dict]], considerations: Considerations) -> Parsed:
    if len(items) > MAX_CARDS:
        raise FileError(f"The file has {len(items):,} cards; at most {MAX_CARDS:,} are imported at once.")
    if not items:
        raise FileError("The file has no cards.")
    parsed, seen = Parsed(), {}
    for where, raw in items:
        row, problems = _validate(where, raw, considerations)
        parsed.problems += problems
        if row is None:
            continue
        if row.key:
            if row.key in seen:
                parsed.problems.append(f"{where}: key {row.key!r} is used again (first in {seen[row.key]})")
                continue
            seen[row.key] = where
        parsed.rows.append(row)
    return parsed


def read_json(text: str, considerations: Considerations) -> Parsed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileError(f"This is not valid JSON (line {error.lineno}: {error.msg}).") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FileError(f'This JSON is not a deck file of this app (it needs "format": "{FORMAT}").')
    if data.get("version") != VERSION:
        raise FileError(f"This deck file is version {data.get('version')!r}; this app reads version {VERSION}.")
    cards = data.get("cards")
    if not isinstance(cards, list) or not all(isinstance(c, dict) for c in cards):
        raise FileError('The deck file needs "cards": a list of cards.')
    parsed = check_items([(f"card {n}", c) for n, c in enumerate(cards, start=1)], considerations)
    for n, image in enumerate(data.get("images") or [], start=1):
        try:
            parsed.images.append((int(image["id"]), base64.b64decode(image["data"], validate=True)))
        except (KeyError, TypeError, ValueError, binascii.Error):
            parsed.problems.append(f"image {n}: it needs an id and its data in base64")
    return parsed


def read_csv(text: str, considerations: Considerations) -> Parsed:
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), delimiter=dialect.delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise FileError("The file is empty.") from None
    except csv.Error as error:  # a first "row" longer than any field may be
        raise FileError(f"The CSV's first row cannot be read: {error}.") from None
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    if "front" not in header or "back" not in header or unknown:
        raise FileError(
            "The first row must name the columns: front and back, and any of key, explanation, link, consideration "
            f"and tags{f' (not {unknown[0]!r})' if unknown else ''}."
        )
    items, extra = [], []
    try:
        for line, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue  # a blank line, as spreadsheets leave at the end
            if len(values) > len(header):
                extra.append(f"row {line}: {len(values)} values for {len(header)} columns")
            items.append((f"row {line}", dict(zip(header, values, strict=False))))
    except csv.Error as error:
        raise FileError(f"The CSV cannot be read near row {reader.line_num}: {error}.") from None
    parsed = check_items(items, considerations)
    parsed.problems = sorted(extra + parsed.problems, key=lambda p: int(p.split(":")[0].removeprefix("row ")))
    return parsed
