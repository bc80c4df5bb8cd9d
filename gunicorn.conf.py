"""gunicorn's settings for the image (the Dockerfile starts `gunicorn -c gunicorn.conf.py`); each can be overridden
by the environment variable named beside it."""

from __future__ import annotations

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Two processes per CPU plus one keeps a CPU busy while another waits on the database; WEB_CONCURRENCY overrides.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# Each with threads: with one request per process (sync workers), a burst of slow dashboards fills every worker
# and the load balancer's health check waits in the queue behind them until it times out. scripts/load.py, 32
# learners on 2 idle CPUs, 4 threads against 8: the slowest health check 0.82 s against 0.32 s on SQLite and 0.83 s
# against 0.34 s on PostgreSQL (with other jobs running, 4 threads let 2 of 86 checks pass 1 s; 8 let none). On
# PostgreSQL 8 threads also serve more (94 against 80 requests/s, p99 0.9 s against 1.3 s); on SQLite its single
# writer then serves the queue of grades less evenly (p99 of all requests 2.5 s against 1.1 s).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request that takes longer than this is killed and its worker replaced: no request here needs 30 s, so one
# that does is stuck (the Markdown limits keep renders in milliseconds).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30  # on SIGTERM (Cloud Run scales in), requests in flight get this long to finish
keepalive = 5  # behind a load balancer that keeps connections open
# Recycle workers now and then, so that slow leaks never grow; but rarely: a worker's restart costs the app far more
# than its requests do (at 2,000, make bench's /healthz ran at 40% of the rate it reaches without recycling).
# make bench prints the workers' memory after its runs (flat, about 65 MB).
max_requests = 20_000
max_requests_jitter = 2_000
# The proxy in front terminates TLS; DJANGO_BEHIND_PROXY decides whether Django trusts its headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = "-"  # stdout, beside the app's own JSON lines
errorlog = "-"
# One JSON object a line, with the request id the app returned (X-Request-ID), status and duration in ms.
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", "method": "%(m)s", '
    '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, "remote": "%(h)s", "agent": "%(a)s"}'
)
