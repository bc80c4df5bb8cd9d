"""Is a secret key fit for production? Checked when the site starts serving (pmle/wsgi.py, pmle/asgi.py) and by
``manage.py check --deploy``, so that tests and build steps may use a throwaway key but no server runs with one."""

from __future__ import annotations

import os
from pathlib import Path

MIN_LENGTH = 50
MIN_DISTINCT = 5
_SKIPPED_DIRS = {".git", ".venv", "venv", "node_modules", "staticfiles", "__pycache__", ".ruff_cache", ".pytest_cache"}
_TEXT_SUFFIXES = {
    ".py",
    ".md",
    ".txt",
    ".toml",
    ".cfg",
    ".ini",
    ".yml",
    ".yaml",
    ".sh",
    ".html",
    ".json",
    ".js",
    ".css",
}
_TEXT_NAMES = {"Makefile", "Dockerfile", "run", ".dockerignore", ".gitignore", ".env"}


def _repository_texts(root: Path):
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
        for name in files:
            if name in _TEXT_NAMES or Path(name).suffix in _TEXT_SUFFIXES:
                try:
                    yield (Path(folder) / name).read_text(encoding="utf-8", errors="ignore")
                except OSError:
                    continue


def weakness(key: str, root: Path) -> str:
    """Why ``key`` must not sign a production site's sessions, or an empty string when it may."""
    if len(key) < MIN_LENGTH:
        return f"it has {len(key)} characters; use at least {MIN_LENGTH}"
    if len(set(key)) < MIN_DISTINCT:
        return f"it uses fewer than {MIN_DISTINCT} different characters"
    if any(key in text for text in _repository_texts(root)):
        return "it is written in the repository, where anyone can read it"
    return ""


def refuse_weak_key() -> None:
    """Raise ImproperlyConfigured when a production (DEBUG off) site would run with a weak key."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    if settings.DEBUG:
        return
    reason = weakness(settings.SECRET_KEY, settings.BASE_DIR)
    if reason:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is too weak for production: {reason}. Generate one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )


def check_secret_key(app_configs=None, **kwargs) -> list:
    """``manage.py check --deploy``: the same rule as at start-up, as an error."""
    from django.conf import settings
    from django.core.checks import Error

    reason = weakness(settings.SECRET_KEY, settings.BASE_DIR)
    if not reason:
        return []
    return [Error(f"DJANGO_SECRET_KEY is too weak for production: {reason}.", id="pmle.E001")]
