from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cards.deckfile import CardData, edition_dirs, read_cards, read_guide, write_section
from cards.models import Card, Edition


class Command(BaseCommand):
    help = (
        "Write the official decks' cards from the database back into their data files (cards/content/<edition>/), "
        "so that edits made in Django admin go back into the files. Loading the written files changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--edition", help="One edition's slug (e.g. pmle-2024); all editions by default.")
        parser.add_argument("--out", help="Write into this folder (one sub-folder per edition) instead of in place.")

    def handle(self, *args, edition=None, out=None, **options) -> None:
        folders = {read_guide(path).slug: path for path in edition_dirs()}
        if edition and edition not in folders:
            raise CommandError(f"No edition {edition!r}; there are {', '.join(folders)}.")
        for slug, folder in folders.items():
            if edition and slug != edition:
                continue
            target = Path(out) / folder.name if out else folder
            target.mkdir(parents=True, exist_ok=True)
            if target != folder:
                shutil.copy(folder / "guide.toml", target / "guide.toml")
            written = self._dump(Edition.objects.get(slug=slug), folder, target)
            self.stdout.write(f"{slug}: {written} cards written to {target}")

    def _dump(self, edition: Edition, folder: Path, target: Path) -> int:
        kinds = {card.key: card.kind for card in read_cards(folder)}  # the one field only the files hold
        cards = (
            Card.objects.filter(deck__owner__isnull=True, deck__edition=edition, retired=False)
            .select_related("consideration__objective__section", "carried_from")
            .order_by("position", "id")
        )
        sections: dict[int, tuple[str, list]] = {}
        for card in cards:
            objective = card.consideration.objective
            section = objective.section
            header = (
                f"# Section {section.number}: {section.title} ({edition.title}).\n"
                f"# Written by manage.py dump_pmle; checked with: python3 cards/deckfile.py {folder.name}\n"
            )
            data = CardData(
                key=card.key,
                consideration=card.consideration.key,
                front=card.front,
                back=card.back,
                explanation=card.explanation,
                link=card.link,
                kind=kinds.get(card.key, ""),
                tags=tuple(card.tags.split()),
                carries=card.carried_from.key if card.carried_from else "",
            )
            sections.setdefault(section.number, (header, []))[1].append((f"{objective.number} {objective.title}", data))
        for old in target.glob("section-*.toml"):
            old.unlink()
        for number, (header, rows) in sections.items():
            (target / f"section-{number}.toml").write_text(write_section(header, rows), encoding="utf-8")
        return sum(len(rows) for _, rows in sections.values())
