"""User-facing errors: every one names the file, line, record, the problem and the fix.

Exit codes (documented in the README): 0 success, 1 invalid data, 2 usage or tool error.
"""

from __future__ import annotations

from collections import namedtuple

EXIT_OK = 0
EXIT_DATA_INVALID = 1
EXIT_USAGE = 2


# A named tuple, not a dataclass: immutable, ordered by file, line, record, message and fix, and importing it does
# not import ``dataclasses`` (and ``inspect`` with it), which 'drugkg queries' would pay for at every start.
class DataError(namedtuple("DataError", "file line record message fix")):
    """One problem in the input data, formatted as ``file:line: record-id: what is wrong (how to fix)``.

    >>> str(DataError("data/a.yaml", 3, "x", "unknown field 'foo'", "remove it"))
    "data/a.yaml:3: x: unknown field 'foo' (remove it)"
    """

    __slots__ = ()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.record}: {self.message} ({self.fix})"


class DataInvalid(Exception):
    """Raised when input data has errors; carries all of them, sorted by file and line."""

    def __init__(self, errors: list[DataError]):
        self.errors = sorted(set(errors))
        super().__init__(f"{len(self.errors)} error(s) in the input data")

    def __reduce__(self):  # pickled by its errors (a child process's error is raised in its parent)
        return DataInvalid, (self.errors,)


class UsageError(Exception):
    """A mistake in how the tool was called (exit code 2), with the fix in the message."""
