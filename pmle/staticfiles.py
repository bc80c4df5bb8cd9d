"""whitenoise's compressed manifest storage, with each static file's URL worked out once per process.

Every page asks for the same few URLs (the style sheet, the scripts, the icon), and each cost about 25 µs to work
out from the manifest: a few percent of a review page. The manifest is read when the process starts and does not
change while it runs (a deploy with new files starts new processes), so neither do the URLs.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}

    def url(self, name: str, force: bool = False) -> str:
        key = (name, force)
        if key not in self._urls:
            self._urls[key] = super().url(name, force)
        return self._urls[key]
