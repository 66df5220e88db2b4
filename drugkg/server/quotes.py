"""The lines a curated claim cites, quoted on its page from the document's file.

The graph names each claim's lines (``dkg:citedLine``) and each document's file and SHA-256, not the text: the
documents are read from a folder (``drugkg serve --documents DIR``) and quoted only when the file there is the one
the build checked (same SHA-256). A page for a claim of a document that is not there shows the line numbers alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # a curated document is a few kilobytes; anything larger is not read


class Quotes:
    """Reads each document once (the file name as the graph gives it, inside ``folder`` only)."""

    def __init__(self, folder: Path | None):
        self.folder = folder.resolve() if folder is not None and folder.is_dir() else None
        self._read: dict[tuple[str, str], list[str] | None] = {}

    def lines(self, file: str | None, sha256: str | None) -> list[str] | None:
        """The document's lines, or None: no folder, no such plain file name in it, too large, or not the file the
        build checked."""
        if self.folder is None or not file or not sha256:
            return None
        key = (file, sha256)
        if key not in self._read:
            self._read[key] = self._load(file, sha256)
        return self._read[key]

    def _load(self, file: str, sha256: str) -> list[str] | None:
        path = self.folder / file
        if Path(file).name != file or file in (".", "..") or path.resolve().parent != self.folder:
            return None  # a name with a folder in it is not a document of this folder
        try:
            if not path.is_file() or path.stat().st_size > MAX_DOCUMENT_BYTES:
                return None
            data = path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != sha256:
            return None
        return data.decode("utf-8", errors="replace").splitlines()

    def add(self, page: dict) -> None:
        """Give every source of ``page`` that names lines its ``quote``: (line, text) pairs."""
        sections = page.get("sections") or {}
        for source in _sources(page):
            section = sections.get(source["section"]) or {}
            text = self.lines(section.get("file"), section.get("sha256"))
            if text is not None:
                source["quote"] = [(n, text[n - 1].strip()) for n in source["lines"] if 1 <= n <= len(text)]


def _sources(value, seen: set[int] | None = None):
    """Every source mapping (``section`` and a non-empty ``lines``) anywhere in a page."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, dict):
        if value.get("lines") and isinstance(value.get("section"), str):
            yield value
        for item in value.values():
            yield from _sources(item, seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _sources(item, seen)
