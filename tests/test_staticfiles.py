"""The production static storage (pmle/staticfiles.py): whitenoise's hashed, compressed files, each URL worked out
once per process."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.template import Context, Template

from pmle.staticfiles import StaticFilesStorage

PRODUCTION = {"BACKEND": "pmle.staticfiles.StaticFilesStorage"}


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION}
    call_command("collectstatic", interactive=False, verbosity=0)
    return tmp_path


def test_pages_link_the_hashed_files_and_each_url_is_worked_out_once(collected, monkeypatch):
    html = Template("{% load static %}{% static 'css/app.css' %} {% static 'js/app.js' %}").render(Context())
    css, js = html.split()
    assert css.startswith("/static/css/app.") and css.endswith(".css") and css != "/static/css/app.css"
    assert (collected / css.removeprefix("/static/")).exists() and (collected / js.removeprefix("/static/")).exists()
    assert (collected / (css.removeprefix("/static/") + ".gz")).exists()  # whitenoise's compressed copy

    storage = StaticFilesStorage()
    worked_out = []
    parent = StaticFilesStorage.__mro__[1]
    monkeypatch.setattr(parent, "url", lambda self, name, force=False: worked_out.append(name) or f"/u/{name}")
    assert [storage.url("css/app.css") for _ in range(3)] == ["/u/css/app.css"] * 3
    assert storage.url("js/app.js") == "/u/js/app.js"
    assert worked_out == ["css/app.css", "js/app.js"]


def test_a_file_missing_from_the_manifest_is_still_an_error(collected):
    storage = StaticFilesStorage()
    for _ in range(2):  # not remembered as a URL either
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/nowhere.css")
