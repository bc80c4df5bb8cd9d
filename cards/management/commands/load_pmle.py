from __future__ import annotations

from django.core.management.base import BaseCommand

from cards.loader import load_official_deck


class Command(BaseCommand):
    help = "Load (or update) the exam taxonomy and the official PMLE deck from cards/content/. Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Overwrite cards that were edited in Django admin with the files."
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        report = load_official_deck(force=force)
        self.stdout.write(str(report))
