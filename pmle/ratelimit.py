"""A fixed-window rate limit counted in the shared cache, so that every worker and app server sees one count."""

from __future__ import annotations

import time

from django.core.cache import cache


def allow(scope: str, ident: object, *, limit: int, window: int = 60) -> bool:
    """Count one request of ``ident`` in ``scope``; False once ``limit`` requests fell in the current window."""
    key = f"rl:{scope}:{ident}:{int(time.time()) // window}"
    if cache.add(key, 1, timeout=window + 1):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the key expired between add and incr: this request opens a new window
        cache.add(key, 1, timeout=window + 1)
        return True
