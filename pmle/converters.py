from __future__ import annotations

import re

# A database id as text: ASCII digits only (str.isdigit() also accepts '²', which int() refuses), at most 18.
ID_RE = re.compile(r"[0-9]{1,18}")


class IdConverter:
    """A database id in a URL: at most 18 digits, so that no path can carry a number the database cannot hold
    (Django's own ``int`` converter accepts any length, and a foreign-key lookup with it overflows)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class IdListConverter:
    """A list of database ids in a URL, joined by "-" ("12-15-19"): at most 100 (every consideration of an
    edition), each bounded as above."""

    regex = "[0-9]{1,18}(?:-[0-9]{1,18}){0,99}"

    def to_python(self, value: str) -> list[int]:
        return [int(part) for part in value.split("-")]

    def to_url(self, value: list[int]) -> str:
        return "-".join(str(part) for part in value)
