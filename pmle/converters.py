from __future__ import annotations


class IdConverter:
    """A database id in a URL: at most 18 digits, so that no path can carry a number the database cannot hold
    (Django's own ``int`` converter accepts any length, and a foreign-key lookup with it overflows)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
