"""Load the exam taxonomy and the official deck from the data files into the database, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cards.deckfile import OFFICIAL_DECK_DIR, read_cards, read_guide
from cards.models import Card, Consideration, Deck, Objective, Section

OFFICIAL_DECK_SLUG = "pmle-2020"
OFFICIAL_DECK_TITLE = "PMLE exam guide (2020)"
OFFICIAL_DECK_DESCRIPTION = (
    "The official deck: every consideration of the Professional Machine Learning Engineer exam guide."
)
TEXT_FIELDS = ("front", "back", "explanation", "link")


@dataclass
class LoadReport:
    added: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0
    kept_admin_edits: list[str] = field(default_factory=list)
    taxonomy_changes: int = 0

    def __str__(self) -> str:
        text = (
            f"cards: {self.added} added, {self.updated} updated, {self.retired} retired, "
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
        return model.objects.create(**lookup, **values), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return obj, bool(changed)


@transaction.atomic
def load_official_deck(*, deck_dir: Path = OFFICIAL_DECK_DIR, force: bool = False) -> LoadReport:
    """Bring the database in line with the files. Cards are matched by key; progress is never touched.

    A card an admin edited (``edited_in_admin``) keeps its text unless ``force`` is given. A card whose key left
    the files is retired, not deleted, so learners' history stays.
    """
    report = LoadReport()
    guide = read_guide(deck_dir)
    considerations: dict[str, Consideration] = {}
    for s in guide.sections:
        section, changed = _upsert(Section, {"number": s["number"]}, {"title": s["title"], "slug": s["slug"]})
        report.taxonomy_changes += changed
        for o_pos, o in enumerate(s["objective"], start=1):
            objective, changed = _upsert(
                Objective, {"number": o["number"]}, {"section": section, "title": o["title"], "position": o_pos}
            )
            report.taxonomy_changes += changed
            for c_pos, c in enumerate(o["consideration"], start=1):
                consideration, changed = _upsert(
                    Consideration,
                    {"key": c["key"]},
                    {"objective": objective, "title": c["title"], "position": c_pos},
                )
                report.taxonomy_changes += changed
                considerations[c["key"]] = consideration

    deck, _ = Deck.objects.get_or_create(
        slug=OFFICIAL_DECK_SLUG,
        defaults={"title": OFFICIAL_DECK_TITLE, "description": OFFICIAL_DECK_DESCRIPTION, "owner": None},
    )
    existing = {card.key: card for card in Card.objects.filter(deck=deck).exclude(key="")}
    seen: set[str] = set()
    for position, data in enumerate(read_cards(deck_dir), start=1):
        seen.add(data.key)
        values = {
            "consideration": considerations[data.consideration],
            "front": data.front,
            "back": data.back,
            "explanation": data.explanation,
            "link": data.link,
            "position": position,
            "retired": False,
        }
        card = existing.get(data.key)
        if card is None:
            Card.objects.create(deck=deck, key=data.key, **values)
            report.added += 1
            continue
        if card.edited_in_admin and not force:
            values = {k: v for k, v in values.items() if k not in (*TEXT_FIELDS, "consideration")}
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
    for key, card in existing.items():
        if key not in seen and not card.retired:
            card.retired = True
            card.save(update_fields=["retired"])
            report.retired += 1
    return report
