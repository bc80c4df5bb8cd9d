"""A database made for one benchmark run (scripts/bench_dashboard.py, scripts/bench_scale.py), with Django set up."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The test settings' plain static storage: the production one needs collectstatic's manifest.
PLAIN_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@contextlib.contextmanager
def throwaway_database(suffix: str = "") -> Iterator[None]:
    """Set Django up on a fresh, migrated database: a SQLite file in a temporary directory, or with DATABASE_URL a
    test_ copy of that PostgreSQL database (named with ``suffix`` too, so that two processes may have one each),
    dropped at the end. The test environment is on, so the test client is let in whatever ALLOWED_HOSTS says and
    responses carry their context."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmle.settings")
    with tempfile.TemporaryDirectory(prefix="pmle-bench-") as workdir:
        if not os.environ.get("DATABASE_URL"):
            os.environ["SQLITE_PATH"] = str(Path(workdir) / "bench.sqlite3")
        import django

        warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic needed to time a page
        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import setup_test_environment

        setup_test_environment()
        test_db = None
        if os.environ.get("DATABASE_URL"):
            if suffix:
                connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_{suffix}"
            test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        else:
            call_command("migrate", verbosity=0)
        try:
            yield
        finally:
            if test_db is not None:
                connection.creation.destroy_test_db(test_db, verbosity=0)
