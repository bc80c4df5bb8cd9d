"""A consistent copy of the whole database, taken while the site runs.

SQLite: the online backup API (a page-by-page copy that sees one committed state, WAL included). PostgreSQL:
``pg_dump --format=custom``. Restoring is described in the README ("Backups").
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone


class Command(BaseCommand):
    help = "Back the database up to a file (SQLite: online backup API; PostgreSQL: pg_dump custom format)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", help="The file to write; by default backups/pmle-<time>.<sqlite3|dump>.")

    def handle(self, *args, output: str | None = None, **options) -> None:
        db = connections["default"]
        vendor = db.vendor
        if vendor not in ("sqlite", "postgresql"):
            raise CommandError(f"No backup for the {vendor} database.")
        suffix = "sqlite3" if vendor == "sqlite" else "dump"
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = Path(output) if output else Path(settings.BASE_DIR) / "backups" / f"pmle-{stamp}.{suffix}"
        if target.exists():
            raise CommandError(f"{target} exists already: choose another file, nothing was overwritten.")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")  # a crash never leaves a file that looks complete
        if vendor == "sqlite":
            _sqlite_backup(db.settings_dict["NAME"], partial)
        else:
            _pg_dump(db.settings_dict, partial)
        partial.rename(target)
        self.stdout.write(f"Backed up to {target} ({target.stat().st_size:,} bytes).")


def _sqlite_backup(source: str | Path, target: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_dump(params: dict, target: Path) -> None:
    env = os.environ.copy()
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]  # never on the command line, where `ps` would show it
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={params['NAME']}"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            command.append(f"{flag}={params[key]}")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
