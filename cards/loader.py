"""Load the exam taxonomy and the official deck from the data files into the database, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cards.deckfile import edition_dirs, read_cards, read_guide
from cards.deckio import normalize_tags
from cards.models import Card, Consideration, Deck, Edition, Objective, Section
from cards.rendering import render_markdown

OFFICIAL_DECK_DESCRIPTION = (
    "The official deck: every consideration of the {title} of the Professional ML Engineer exam."
)
TEXT_FIELDS = ("front", "back", "explanation", "link")


@dataclass
class LoadReport:
    edition: str = ""
    added: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    kept_admin_edits: list[str] = field(default_factory=list)
    taxonomy_changes: int = 0

    def __str__(self) -> str:
        text = (
            f"{self.edition}: cards: {self.added} added, {self.updated} updated, {self.retired} retired, "
            f"{self.unchanged} unchanged; taxonomy rows changed: {self.taxonomy_changes}"
        )
        if self.kept_admin_edits:
            text += (
                f"\nkept {len(self.kept_admin_edits)} admin-edited card(s) that differ from the files "
                f"(use --force to overwrite): {', '.join(self.kept_admin_edits)}"
            )
        return text


def _upsert(model, lookup: dict, values: dict) -> tuple[object, bool]:
    """Create or update a row; True when anything was written."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        # Lookups through a relation ("section__edition") only find rows; the values say where a new one goes.
        return model.objects.create(**{k: v for k, v in lookup.items() if "__" not in k}, **values), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return obj, bool(changed)


def load_all_editions(*, force: bool = False) -> list[LoadReport]:
    """Load every edition's folder, oldest first, so that a card's ``carries`` finds the previous edition's deck."""
    return [load_edition(deck_dir=path, force=force) for path in edition_dirs()]


def _upsert_edition(guide_edition: dict) -> tuple[Edition, bool]:
    values = {"title": guide_edition["title"], "year": guide_edition["year"], "is_current": guide_edition["current"]}
    if values["is_current"]:  # one current edition at a time (a constraint): hand the flag over first
        Edition.objects.filter(is_current=True).exclude(slug=guide_edition["slug"]).update(is_current=False)
    return _upsert(Edition, {"slug": guide_edition["slug"]}, values)


@transaction.atomic
def load_edition(*, deck_dir: Path, force: bool = False) -> LoadReport:
    """Bring one edition's taxonomy and official deck in line with its folder. Cards are matched by key; progress
    is never touched.

    A card an admin edited (``edited_in_admin``) keeps its text unless ``force`` is given. A card whose key left
    the files is retired, not deleted, so learners' history stays.
    """
    guide = read_guide(deck_dir)
    report = LoadReport(edition=guide.slug)
    edition, changed = _upsert_edition(guide.edition)
    report.taxonomy_changes += changed
    considerations: dict[str, Consideration] = {}
    for s in guide.sections:
        section, changed = _upsert(
            Section,
            {"edition": edition, "number": s["number"]},
            {"title": s["title"], "slug": s["slug"], "weight": s.get("weight")},
        )
        report.taxonomy_changes += changed
        for o_pos, o in enumerate(s["objective"], start=1):
            objective, changed = _upsert(
                Objective,
                {"section__edition": edition, "number": o["number"]},
                {"section": section, "title": o["title"], "position": o_pos},
            )
            report.taxonomy_changes += changed
            for c_pos, c in enumerate(o["consideration"], start=1):
                consideration, changed = _upsert(
                    Consideration,
                    {"objective__section__edition": edition, "key": c["key"]},
                    {"objective": objective, "title": c["title"], "position": c_pos},
                )
                report.taxonomy_changes += changed
                considerations[c["key"]] = consideration

    deck, _ = Deck.objects.get_or_create(
        slug=edition.slug,
        owner=None,
        defaults={
            "title": edition.title,
            "description": OFFICIAL_DECK_DESCRIPTION.format(title=edition.title),
            "edition": edition,
        },
    )
    if deck.edition_id != edition.id:
        deck.edition = edition
        deck.save(update_fields=["edition"])
    files = read_cards(deck_dir)
    # The previous edition's official cards that this deck's cards carry over from, by key.
    previous_edition = Edition.objects.filter(year__lt=edition.year).order_by("-year").first()
    previous = dict(
        Card.objects.filter(
            deck__owner__isnull=True,
            deck__edition=previous_edition,
            key__in={data.carries for data in files if data.carries},
        ).values_list("key", "id")
    )
    existing = {card.key: card for card in Card.objects.filter(deck=deck).exclude(key="")}
    new_cards: list[Card] = []  # created in one statement: a first load adds hundreds
    seen: set[str] = set()
    for position, data in enumerate(files, start=1):
        seen.add(data.key)
        values = {
            "consideration_id": considerations[data.consideration].id,
            "front": data.front,
            "back": data.back,
            "explanation": data.explanation,
            "link": data.link,
            "tags": normalize_tags(data.tags),
            "position": position,
            "retired": False,
            "carried_from_id": previous.get(data.carries),
        }
        card = existing.get(data.key)
        if card is None:
            new_cards.append(with_html(Card(deck=deck, key=data.key, **values)))
            report.added += 1
            continue
        if card.edited_in_admin and not force:
            values = {k: v for k, v in values.items() if k not in (*TEXT_FIELDS, "consideration_id")}
            if any(getattr(card, f) != getattr(data, f) for f in TEXT_FIELDS):
                report.kept_admin_edits.append(data.key)
        elif force:
            values["edited_in_admin"] = False
        changed = [name for name, value in values.items() if getattr(card, name) != value]
        if not changed:
            report.unchanged += 1
            continue
        was_retired = card.retired
        for name in changed:
            setattr(card, name, values[name])
        if set(changed) & set(TEXT_FIELDS):
            card.content_changed_at = timezone.now()  # learners see "changed since your last review"
        card.save()
        if set(changed) - {"position", "edited_in_admin", "retired"} or was_retired:
            report.updated += 1
        else:
            report.unchanged += 1
    Card.objects.bulk_create(new_cards, batch_size=500)
    for key, card in existing.items():
        if key not in seen and not card.retired:
            card.retired = True
            card.save(update_fields=["retired"])
            report.retired += 1
    return report


def with_html(card: Card) -> Card:
    """bulk_create skips save(), so the HTML that save() would render is rendered here."""
    card.front_html = render_markdown(card.front)
    card.back_html = render_markdown(card.back)
    card.explanation_html = render_markdown(card.explanation)
    return card
