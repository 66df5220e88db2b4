"""What each saved query's text was parsed into, kept between runs, as Python keeps the bytecode of its modules.

Parsing a query's ``#+`` YAML header and scanning its text for parameters is most of what a fresh ``drugkg queries``
or ``drugkg query`` does before it answers: importing PyYAML alone takes about as long as the interpreter's start-up.
The parsed form (summary, description, tags, defaults, parameters) of each text read is kept in one file, looked up
by the whole text (so an edited query is never matched to its old form), and written when the process ends if it
parsed anything new. The file's name carries Python's version and the size and time of :mod:`drugkg.queries`, so a
new parser never reads what an old one wrote.

The file lives in ``$DRUGKG_CACHE_DIR`` (empty: keep nothing), else ``$XDG_CACHE_HOME/drugkg``, else
``~/.cache/drugkg``. It is safe to delete at any time; a file that cannot be read is ignored and one that cannot
be written is not kept. ``marshal`` writes it: no import to pay for, and it reads only what this user wrote.
"""

from __future__ import annotations

import atexit
import marshal
import os
import sys
from pathlib import Path

LIMIT = 1000  # texts kept: those parsed most recently
PREFIX = "saved-queries-"


def cache_file() -> Path | None:
    """Where the parsed queries are kept (see the module's description), or None when nothing is kept."""
    folder = os.environ.get("DRUGKG_CACHE_DIR")
    if folder is None:
        home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(home, "drugkg")
    if not folder:
        return None
    parser = Path(__file__).with_name("queries.py").stat()
    return Path(folder) / f"{PREFIX}{sys.implementation.cache_tag}-{parser.st_size}-{parser.st_mtime_ns}.marshal"


class ParsedQueries:
    """The parsed form of each query text: ``get(text)`` what was kept (None if nothing), ``put(text, parsed)``
    what was parsed now, written at the process's end (or by ``flush``). ``parsed`` holds only what ``marshal``
    can write: strings, numbers, booleans, None, tuples, lists and dicts of them."""

    def __init__(self) -> None:
        self._kept: dict | None = None  # read on first use
        self._new: dict = {}
        self._file: Path | None = None

    def get(self, text: str):
        if self._kept is None:
            self._kept = self._read()
        return self._new.get(text) or self._kept.get(text)

    def put(self, text: str, parsed) -> None:
        if not self._new:
            atexit.register(self.flush)
        self._new[text] = parsed

    def _read(self) -> dict:
        self._file = cache_file()
        if self._file is None:
            return {}
        try:
            kept = marshal.loads(self._file.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):  # none yet, unreadable or cut short: parse afresh
            return {}
        return kept if isinstance(kept, dict) else {}

    def flush(self) -> None:
        """Write what was kept and what was parsed since (the latest :data:`LIMIT` texts); drop the files an
        older parser wrote. Any error leaves the cache as it was: it is only ever a shortcut."""
        if not self._new:
            return
        if self._kept is None:
            self._kept = self._read()
        if self._file is None:
            return
        kept = {text: parsed for text, parsed in self._kept.items() if text not in self._new}
        merged = dict(list(kept.items())[max(0, len(kept) + len(self._new) - LIMIT):])
        merged.update(list(self._new.items())[-LIMIT:])
        temporary = self._file.with_name(f".{self._file.name}.{os.getpid()}")
        try:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(marshal.dumps(merged))
            os.replace(temporary, self._file)
            for old in self._file.parent.glob(f"{PREFIX}*.marshal"):
                if old != self._file:
                    old.unlink(missing_ok=True)
        except (OSError, ValueError):  # a read-only or full disk; a value marshal cannot write
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass
            return
        self._kept, self._new = merged, {}
