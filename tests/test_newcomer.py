"""A newcomer's set-up as the README tells it: the admin command works as written, the port is documented, and
under `make run` (debug on) a missing page is the app's own 404 page, not Django's technical one (whose inline
styles the Content-Security-Policy blocks)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()


def test_the_readmes_createsuperuser_command_works_as_written_without_debug_in_the_environment(tmp_path):
    match = re.search(r"`([^`]*manage\.py createsuperuser)`", README)
    assert match, "the README names the createsuperuser command"
    words = shlex.split(match.group(1))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    assignments = dict(w.split("=", 1) for w in words if re.fullmatch(r"[A-Z_]+=.*", w))
    command = [w for w in words if w not in {f"{k}={v}" for k, v in assignments.items()}]
    assert command[0] == ".venv/bin/python"
    env |= assignments | {"SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    # --help loads the settings exactly as the real command does, without asking for a password.
    result = subprocess.run(
        [sys.executable, *command[1:], "--help"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert "Used to create a superuser" in result.stdout


def test_port_is_documented_and_used_by_make_run():
    assert re.search(r"\| `PORT` \| `8000` \|", README)
    assert "PORT ?= 8000" in MAKEFILE and "runserver $(HOST):$(PORT)" in MAKEFILE
    assert "export DJANGO_DEBUG ?= 1" in MAKEFILE  # which is why the 404 test below runs with debug on


@pytest.fixture
def as_under_make_run(settings):
    settings.DEBUG = True


@pytest.mark.parametrize("path", ["/no-such-page/", "/decks/no-such-deck/", "/sections/nope/"])
def test_under_make_run_a_missing_page_is_the_apps_404_page(client, learner, as_under_make_run, path):
    client.force_login(learner)
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is nothing here, or it is not yours to see." in html
    assert "URLconf" not in html and "<style" not in html  # not the technical page
    assert "/static/css/app.css" in html  # styled by the app's stylesheet, which the CSP allows
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_under_make_run_a_missing_slash_is_still_added(client, learner, as_under_make_run):
    client.force_login(learner)
    response = client.get("/decks")
    assert response.status_code == 301 and response.url == reverse("deck_list")


def test_under_make_run_a_404_a_view_renders_itself_is_left_alone(client, learner, as_under_make_run):
    client.force_login(learner)
    # An invite link that opens nothing: the join page says why, with a 404.
    response = client.get(reverse("group_join", args=["not-a-real-token"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This invite link is not valid" in html and "There is nothing here" not in html
