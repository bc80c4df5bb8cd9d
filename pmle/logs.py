"""Structured logs: one JSON object a line on stdout, each carrying the id of the request it belongs to.

The request id comes from the proxy (``X-Request-ID``, or the trace id of Google's ``X-Cloud-Trace-Context``)
when it sends a sane one, else it is made here; the response returns it in ``X-Request-ID`` so that a learner's
report can be matched with the log lines.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _incoming_id(request: HttpRequest) -> str | None:
    candidate = request.META.get("HTTP_X_REQUEST_ID", "")
    if not candidate:
        candidate = request.META.get("HTTP_X_CLOUD_TRACE_CONTEXT", "").split("/")[0]
    return candidate if _SANE_ID.fullmatch(candidate) else None


def request_id_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        rid = _incoming_id(request) or uuid.uuid4().hex
        # Not reset on the way out: Django logs the response's status ("Bad Request: ...") after every middleware
        # has returned. The next request on this thread sets its own.
        request_id.set(rid)
        request.request_id = rid
        response = get_response(request)
        response["X-Request-ID"] = rid
        return response

    return middleware


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, and the exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "severity": record.levelname,  # what Cloud Logging reads
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
