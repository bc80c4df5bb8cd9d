from __future__ import annotations

from django.core.management.base import BaseCommand

from exams.loader import load_all_banks


class Command(BaseCommand):
    help = "Load (or update) every edition's official question bank from exams/content/<edition>/. Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Overwrite questions that were edited in Django admin with the files."
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        for report in load_all_banks(force=force):
            self.stdout.write(str(report))
