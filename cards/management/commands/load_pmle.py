from __future__ import annotations

from django.core.management.base import BaseCommand

from cards.loader import load_all_editions


class Command(BaseCommand):
    help = (
        "Load (or update) every exam guide edition's taxonomy and official deck from cards/content/<edition>/. "
        "Idempotent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Overwrite cards that were edited in Django admin with the files."
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        for report in load_all_editions(force=force):
            self.stdout.write(str(report))
