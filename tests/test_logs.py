"""Structured logs with a request id, and the gunicorn configuration the image starts with."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import multiprocessing
from pathlib import Path

import pytest
from django.urls import reverse

from pmle.logs import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


def test_every_response_carries_a_request_id_and_the_log_lines_of_its_request_name_it(learner_client, json_lines):
    response = learner_client.post(reverse("grade"), {"card": "x"})  # a 400, which django.request logs
    rid = response["X-Request-ID"]
    assert len(rid) == 32
    lines = [line for line in json_lines() if line["logger"] == "django.request"]
    assert lines and lines[-1]["request_id"] == rid
    assert lines[-1]["level"] == "WARNING" and lines[-1]["status"] == 400
    assert {"time", "message", "severity"} <= set(lines[-1])


@pytest.mark.parametrize(
    ("headers", "kept"),
    [
        ({"HTTP_X_REQUEST_ID": "abc123def456"}, "abc123def456"),
        ({"HTTP_X_CLOUD_TRACE_CONTEXT": "105445aa7843bc8bf206b12000100000/1;o=1"}, "105445aa7843bc8bf206b12000100000"),
        ({"HTTP_X_REQUEST_ID": "bad id\nwith a newline"}, None),
        ({"HTTP_X_REQUEST_ID": "x" * 200}, None),
    ],
)
def test_a_proxys_request_id_is_kept_only_when_it_is_sane(client, db, headers, kept):
    rid = client.get(reverse("healthz"), **headers)["X-Request-ID"]
    assert rid == kept if kept else (len(rid) == 32 and "\n" not in rid)


def test_an_exception_is_logged_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, __import__("sys").exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line and "ValueError: boom" in json.loads(line)["exception"]


def _gunicorn_config(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "PORT", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_takes_its_workers_from_the_cpu_count_unless_told(monkeypatch):
    conf = _gunicorn_config(monkeypatch)
    assert conf.workers == multiprocessing.cpu_count() * 2 + 1
    assert (conf.bind, conf.timeout, conf.accesslog) == ("0.0.0.0:8000", 30, "-")
    assert (conf.worker_class, conf.threads) == ("gthread", 8)  # a health check never queues behind a burst
    conf = _gunicorn_config(monkeypatch, WEB_CONCURRENCY="4", PORT="9000", GUNICORN_TIMEOUT="20")
    assert (conf.workers, conf.bind, conf.timeout) == (4, "0.0.0.0:9000", 20)


def test_the_image_starts_gunicorn_with_the_config_file():
    assert "gunicorn pmle.wsgi:application --config gunicorn.conf.py" in (ROOT / "Dockerfile").read_text()
