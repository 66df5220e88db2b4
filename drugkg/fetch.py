"""Download the current SPL label of each set id from DailyMed into a labels folder, checked and atomically.

A set id names a label across all its versions; DailyMed's web services answer a set id with its current version.
Each answer is read with the project's hardened SPL reader (:func:`loaders.spl.read.read_label`: no DTD, no
entities, size and depth limits) and must be the label asked for, then it is written as ``<SETID>_<VERSION>.xml``
so that versions fetched at different times sit side by side (the build keeps each version). A file is written
whole or not at all: the answer goes to a hidden temporary file in the folder, is checked and fsynced, and is
linked into place in one step that fails if the name is taken, so an existing file is never replaced.

>>> label_url("https://dailymed.nlm.nih.gov/dailymed/", "608d4f0d-b19f-46d3-749a-7159aa5f933d")
'https://dailymed.nlm.nih.gov/dailymed/services/v2/spls/608d4f0d-b19f-46d3-749a-7159aa5f933d.xml'
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from drugkg.engine import connection_failure
from drugkg.errors import UsageError

DAILYMED = "https://dailymed.nlm.nih.gov/dailymed"
# DailyMed's RESTful web services, version 2: base URI {DAILYMED}/services/, the version after it, the format
# as the extension, GET only, errors as HTTP status codes
# (https://dailymed.nlm.nih.gov/dailymed/app-support-web-services.cfm). The resource /spls/{SETID} is the current
# SPL document of a set id, served as XML only; its own help page (webservices-help/v2/spls_setid_api.cfm) was not
# at hand, the form follows its documented siblings, e.g. /spls/{SETID}/history.json
# (https://dailymed.nlm.nih.gov/dailymed/webservices-help/v2/spls_setid_history_api.cfm). The history is not
# needed here: the document itself states its version and effective date.
SPL_PATH = "/services/v2/spls/{set_id}.xml"

# Five groups of hex digits, 8-4-4-4-12. Only the form is checked: SPL set ids are not all RFC 4122 UUIDs (Humira's
# 608d4f0d-b19f-46d3-749a-7159aa5f933d has the variant digit 7).
_SET_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)

_CHUNK = 1 << 16
_CHECK_URL = f"check that --base-url is DailyMed's, {DAILYMED}, and try again later"


@dataclass(frozen=True, slots=True)
class Fetched:
    """One label in the folder: ``already`` when the same version with the same bytes was there before."""

    set_id: str
    url: str
    path: Path
    version: int
    effective_iso: str
    size: int
    already: bool = False


class FetchError(Exception):
    """One set id that could not be fetched, shown as ``set-id: what happened (how to fix it)``; nothing of it
    was written.

    >>> str(FetchError("608d4f0d-b19f-46d3-749a-7159aa5f933d", "http://x/a.xml", "http://x/a.xml answered HTTP 500",
    ...                "try again later"))
    '608d4f0d-b19f-46d3-749a-7159aa5f933d: http://x/a.xml answered HTTP 500 (try again later)'
    """

    def __init__(self, set_id: str, url: str, reason: str, fix: str):
        self.set_id, self.url, self.reason, self.fix = set_id, url, reason, fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.set_id}: {self.reason} ({self.fix})"


def parse_set_ids(values: Iterable[str]) -> list[str]:
    """The set ids in ``values``, lower-cased (as DailyMed writes them), duplicates dropped, order kept.

    Raises :class:`UsageError` naming every value that is not of the form 8-4-4-4-12 hex digits.

    >>> parse_set_ids(["608D4F0D-B19F-46D3-749A-7159AA5F933D", "608d4f0d-b19f-46d3-749a-7159aa5f933d"])
    ['608d4f0d-b19f-46d3-749a-7159aa5f933d']
    >>> parse_set_ids(["humira"])
    Traceback (most recent call last):
    ...
    drugkg.errors.UsageError: 'humira' is not a set id: a set id is 32 hex digits grouped 8-4-4-4-12, like ...
    """
    values = list(values)
    bad = [v for v in values if not _SET_ID.fullmatch(v)]
    if bad:
        names = ", ".join(repr(v) for v in bad)
        raise UsageError(f"{names} {'is not a set id' if len(bad) == 1 else 'are not set ids'}: a set id is 32 hex "
                         "digits grouped 8-4-4-4-12, like 608d4f0d-b19f-46d3-749a-7159aa5f933d (find it on the "
                         "label's DailyMed page, after setid=)")
    return list(dict.fromkeys(v.lower() for v in values))


def label_url(base_url: str, set_id: str) -> str:
    """The URL of the current SPL document of ``set_id`` under DailyMed's base URL ``base_url``."""
    return base_url.rstrip("/") + SPL_PATH.format(set_id=set_id)


def fetch_labels(set_ids: Iterable[str], out_dir: str | Path, base_url: str = DAILYMED, timeout: float = 60.0,
                 progress: Callable[[str], None] | None = None,
                 max_bytes: int | None = None) -> list[Fetched | FetchError]:
    """Download the current SPL label of each set id into ``out_dir`` as ``<SETID>_<VERSION>.xml``.

    Every set id is tried; the answer for each is a :class:`Fetched` or a :class:`FetchError`, in the order
    given. ``timeout`` bounds each whole request (connecting, the answer's head and its whole body); ``max_bytes``
    (default: the reader's ``MAX_FILE_BYTES``, 50 MiB) caps each answer, which is read no further. ``progress``
    gets one line per label fetched or already present.

    Raises :class:`UsageError`, before any request, for a value that is not a set id, a base URL that is not
    http(s), a timeout that is not positive, or an output folder that cannot be made.
    """
    from loaders.spl.read import MAX_FILE_BYTES

    ids = parse_set_ids(set_ids)
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--base-url {base_url!r} is not an http:// or https:// URL (DailyMed's is {DAILYMED})")
    if not timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, got {timeout:g}")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot make the output folder {out}: {exc.strerror or exc}; choose another --out") from None
    cap = MAX_FILE_BYTES if max_bytes is None else max_bytes
    results: list[Fetched | FetchError] = []
    for set_id in ids:
        try:
            got = _fetch_one(set_id, out, label_url(base_url, set_id), timeout, cap)
        except FetchError as exc:
            results.append(exc)
            continue
        results.append(got)
        if progress is not None:
            what = f"{got.set_id} version {got.version} ({got.effective_iso}), {_size(got.size)}"
            progress(f"already have {what} in {got.path}" if got.already else f"fetched {what} -> {got.path}")
    return results


def _size(n: int) -> str:
    """A byte count as people read it: ``394 kB``, ``4.2 MB``, ``812 bytes``."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    return f"{round(n / 1000):,} kB" if n >= 1000 else f"{n} bytes"


def _fetch_one(set_id: str, out: Path, url: str, timeout: float, max_bytes: int) -> Fetched:
    from loaders.spl.read import LabelError, read_label

    body = _download(set_id, url, timeout, max_bytes)
    # a hidden name that does not end in .xml, so a reader of the folder never takes a leftover for a label
    tmp = out / f".{set_id}.{secrets.token_hex(4)}.part"
    try:
        try:
            _write_synced(tmp, body)
        except OSError as exc:
            raise FetchError(set_id, url, f"cannot write {tmp}: {exc.strerror or exc}",
                             "check the output folder's permissions and free space") from None
        try:
            label = read_label(tmp)
        except LabelError as exc:
            at = f"line {exc.line}: " if exc.line else ""
            raise FetchError(set_id, url, f"the answer from {url} is not an SPL label: {at}{exc.reason}",
                             _CHECK_URL) from None
        if label.set_id.lower() != set_id:
            raise FetchError(set_id, url, f"{url} answered with the label of set id {label.set_id} (version "
                             f"{label.version}), not {set_id}", _CHECK_URL)
        target = out / f"{set_id}_{label.version}.xml"
        already = _place(set_id, url, tmp, target, body)
        return Fetched(set_id, url, target, label.version, label.effective_iso, len(body), already)
    finally:
        tmp.unlink(missing_ok=True)


def _write_synced(path: Path, data: bytes) -> None:
    """Write a new file (refusing to reuse a name) and fsync it, so a rename publishes complete bytes."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _place(set_id: str, url: str, tmp: Path, target: Path, body: bytes) -> bool:
    """Give ``tmp`` the name ``target`` unless ``target`` exists; True if it held the same bytes already.

    A hard link, not a rename: it fails if the name is taken, in one step, so two fetches into the same folder at
    once can never replace each other's file (the caller removes ``tmp`` afterwards)."""
    try:
        try:
            os.link(tmp, target)
        except FileExistsError:
            if target.read_bytes() == body:
                return True
            raise FetchError(set_id, url, f"{target} already exists with other content than the answer from {url}",
                             "the same set id and version should be the same document: look at both, then move "
                             "the old file away and fetch again") from None
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the new name survives a crash
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise FetchError(set_id, url, f"cannot write {target}: {exc.strerror or exc}",
                         "check the output folder's permissions and free space") from None
    return False


def _download(set_id: str, url: str, timeout: float, max_bytes: int) -> bytes:
    """The body of a GET of ``url``: the whole answer within ``timeout`` seconds, at most ``max_bytes``.

    The request runs on a helper thread and is given up when the time is up, whatever it is waiting for (a name
    lookup, a connection, a head or a body that trickles in): a socket timeout alone bounds each read, not the
    whole. The helper stops at its next read.
    """
    outcome: dict[str, object] = {}
    stop = threading.Event()

    def work() -> None:
        try:
            outcome["body"] = _get(url, timeout, max_bytes, stop)
        except BaseException as exc:  # handed to the caller's thread, which decides what it means
            outcome["error"] = exc

    worker = threading.Thread(target=work, name=f"drugkg fetch {set_id}", daemon=True)
    worker.start()
    worker.join(timeout)
    late = FetchError(set_id, url, f"{url} did not send its whole answer within {timeout:g} s",
                      "try again later, or raise --timeout")
    if worker.is_alive():
        stop.set()
        raise late
    error = outcome.get("error")
    if error is None:
        return outcome["body"]  # type: ignore[return-value]
    if isinstance(error, _TooLarge):
        raise FetchError(set_id, url, f"the answer from {url} is {error}, over the limit of {max_bytes:,} bytes",
                         "an SPL label is at most a few MB; " + _CHECK_URL) from None
    if isinstance(error, urllib.error.HTTPError):
        error.close()  # its body is not read: the status says it all
        if error.code == 404:
            raise FetchError(set_id, url, f"no SPL with set id {set_id} at {url} (HTTP 404)",
                             "check the set id on DailyMed") from None
        raise FetchError(set_id, url, f"{url} answered HTTP {error.code} {error.reason}", _CHECK_URL) from None
    if isinstance(error, TimeoutError) or (isinstance(error, urllib.error.URLError)
                                           and isinstance(error.reason, TimeoutError)):
        raise late from None  # the socket's own timeout, the same span as the join's: one message for both
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        detail = getattr(reason, "strerror", None) or str(reason)
        raise FetchError(set_id, url, f"cannot reach {url} ({detail})",
                         "check the network and --base-url, then try again") from None
    if isinstance(error, (http.client.HTTPException, OSError)):
        raise FetchError(set_id, url, connection_failure(url, error), _CHECK_URL) from None
    raise error  # a bug, not a network fault: let it show


class _TooLarge(Exception):
    """An answer over the size cap; the message says how large it is (announced or read so far)."""


def _get(url: str, timeout: float, max_bytes: int, stop: threading.Event) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/xml, text/xml", "User-Agent": "drugkg"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        announced = response.headers.get("Content-Length")
        if announced and announced.isdigit() and int(announced) > max_bytes:
            raise _TooLarge(f"announced as {int(announced):,} bytes")
        parts: list[bytes] = []
        size = 0
        while not stop.is_set():
            # read1: whatever has arrived, so the stop flag is seen while an answer trickles in
            part = response.read1(_CHUNK)
            if not part:
                break
            size += len(part)
            if size > max_bytes:
                raise _TooLarge(f"more than {max_bytes:,} bytes")
            parts.append(part)
        body = b"".join(parts)
        if getattr(response, "length", None):  # read1 takes an early close for the end; read() would have raised
            raise http.client.IncompleteRead(body, response.length)
        return body

