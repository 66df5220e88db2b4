"""Publishing a build: the output path switches from one complete build to the next in one atomic step.

The output path (``dist`` by default, or ``--out DIR``) is a symbolic link to a version folder beside it::

    dist -> .dist-versions/7        (a relative link, so the parent folder can be moved)
    .dist-versions/7/               the published build: drugkg.ttl, ..., store/
    .dist-versions/build.lock       only while a build runs: its lock, holding its process id

A build (see :class:`Stage`) writes into a staging folder ``.dist-building-XXXXXXXX`` beside ``dist``, flushes every
file to disk, renames the folder to ``.dist-versions/<N>`` (the next number), makes a temporary link
``.dist-link-XXXXXXXX`` to it and renames that link over ``dist``: a rename is atomic, so a reader (``drugkg query``,
``serve``, ``push``) finds either the previous build or the new one, never a mixture nor nothing, whenever the build
is killed. ``dist`` made by an older drugkg is a real folder, which no rename can replace by a link; on Linux
(``renameat2`` with ``RENAME_EXCHANGE``) and macOS (``renamex_np`` with ``RENAME_SWAP``) the link and the folder are
swapped atomically. Elsewhere the folder is renamed away first, and a kill in between leaves ``dist`` missing until
the next build, which finishes the switch from the link it finds (:meth:`Stage.__enter__`).

Every build, under its lock, removes at its start and at its end what killed builds left (staging folders, the
``.dist-old-*`` folders of older drugkg versions, temporary links) and the version folders ``dist`` no longer points
to, except one that a running ``drugkg serve`` holds (:func:`hold`): it keeps a shared lock on the folder it serves,
and a folder whose lock cannot be taken exclusively at once is left for a later build.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from drugkg.errors import UsageError

LOCK_NAME = "build.lock"  # inside the versions folder, while a build runs
_DISK_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


def versions_folder(out: Path) -> Path:
    """The folder beside ``out`` that holds its versions.

    >>> versions_folder(Path("site/dist")).as_posix()
    'site/.dist-versions'
    """
    return out.parent / f".{out.name}-versions"


class Held:
    """A build folder held open with a shared lock, so that no build removes it: see :func:`hold`."""

    def __init__(self, path: Path, fd: int):
        self.path = path  # the version folder itself (the output link resolved), to read everything from
        self._fd: int | None = fd

    def close(self) -> None:
        """Let the folder go (a later build may remove it once it is no longer published)."""
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases its lock
            self._fd = None

    def __enter__(self) -> Held:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Held({str(self.path)!r}, {'open' if self._fd is not None else 'closed'})"


def hold(out: Path) -> Held:
    """Resolve the output link ``out`` once and hold the build it points to while serving it.

    Takes a shared ``flock`` on the version folder itself (no file is written into the build, which may be
    read-only). A build's clean-up removes no folder that is held, so a server that reads everything from
    ``Held.path`` keeps a consistent build however many builds are published meanwhile. A ``dist`` that is a real
    folder (made by an older drugkg) is held the same way. The lock goes when the process exits or on
    :meth:`Held.close`.

    Raises UsageError when ``out`` does not exist.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / ".dist-versions" / "1").mkdir(parents=True)
    >>> (root / "dist").symlink_to(".dist-versions/1")
    >>> with hold(root / "dist") as held:
    ...     held.path == (root / ".dist-versions" / "1").resolve()
    True
    """
    for _ in range(100):  # a folder removed meanwhile by a build: resolve again (the link has moved on)
        path = Path(os.path.realpath(out))
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            if Path(os.path.realpath(out)) == path:  # not a folder that a build removed just after moving the link
                raise UsageError(f"no built graph in {out}/ (missing {out}); run 'drugkg build' first or "
                                 "pass --store DIR") from None
            continue
        except NotADirectoryError:
            raise UsageError(f"{out} is not a folder; pass --store DIR, the folder 'drugkg build' wrote") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # a build is removing it (it holds it exclusively), or this is not a build folder
            if Path(os.path.realpath(out)) != path:
                os.close(fd)
                continue
            fcntl.flock(fd, fcntl.LOCK_SH)  # still the published one: wait for the other holder, then check again
        try:  # still a folder at that path (not removed meanwhile, nor an old-style dist swapped for the link)?
            same = os.path.samestat(os.fstat(fd), os.lstat(path))
        except FileNotFoundError:
            same = False
        if same:
            return Held(path, fd)
        os.close(fd)
    raise UsageError(f"cannot hold the build in {out}/: it keeps changing; try again once 'drugkg build' has finished")


class Stage:
    """One build's claim on the output path: its lock, its staging folder and the atomic switch.

    Use it as a context manager. Entering checks the output path, takes the build lock (a second build into the same
    output fails at once, naming the first one's process id), finishes or undoes what a killed build left and makes
    the staging folder ``Stage.path``. The build writes there, each file inside :meth:`writing` (which turns a write
    error into a message naming the file), then calls :meth:`publish`. Leaving removes what an unpublished build
    made, cleans up again and releases the lock.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for text in ("first", "second"):
    ...     with Stage(root / "dist") as stage:
    ...         with stage.writing("a.txt"):
    ...             _ = (stage.path / "a.txt").write_text(text)
    ...         version = stage.publish()
    >>> (root / "dist" / "a.txt").read_text(), os.readlink(root / "dist")
    ('second', '.dist-versions/2')
    >>> sorted(p.name for p in root.iterdir()), sorted(p.name for p in (root / ".dist-versions").iterdir())
    (['.dist-versions', 'dist'], ['2'])
    """

    def __init__(self, out: Path):
        self.shown = str(out)  # the output as the user gave it: messages name it so
        self.out = _output_path(out, self.shown)
        self.parent = self.out.parent
        self.name = self.out.name
        self.versions = versions_folder(self.out)
        self.path: Path | None = None  # the staging folder, once entered
        self._lock: int | None = None
        self._version: Path | None = None  # the version folder made, until it is published
        self._link: Path | None = None  # the temporary link made, until it replaces the output
        self._previous = False  # whether a build was published in the output when this one started

    # ------------------------------------------------------------------------------------------- enter and leave

    def __enter__(self) -> Stage:
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
            self._take_lock()
        except OSError as exc:
            self._release()
            raise UsageError(f"cannot prepare {self.shown}/: {_reason(exc)}; check that {self.parent}/ is writable, "
                             "or choose another --out") from None
        try:
            self._recover()
            self._clean()
            self._previous = self.out.exists()
            self.path = Path(tempfile.mkdtemp(prefix=f".{self.name}-building-", dir=self.parent))
        except OSError as exc:
            self._release()
            raise UsageError(f"cannot prepare {self.shown}/: {_reason(exc)}; {self._untouched()}; "
                             f"{_fix(exc, self.parent)}") from None
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            self._abandon()
            self._clean()
        except OSError:  # best effort: the next build removes what is left; the build's own error matters more
            pass
        finally:
            self._release()

    @property
    def previous(self) -> Path | None:
        """The build this one replaces (the folder the output links to), while it is being built; None when the
        output holds no build (a first build, or a folder no drugkg build wrote). Meanwhile no other build can
        remove it: this one holds the lock."""
        if not self._previous or not all((self.out / name).exists() for name in ("drugkg.nt", "void.ttl", "store")):
            return None
        return Path(os.path.realpath(self.out))

    # ------------------------------------------------------------------------------------------- writing

    @contextmanager
    def writing(self, name: str) -> Iterator[Path]:
        """Run the block that writes ``name`` (a path inside the staging folder); turn an OSError (disk full, file
        too large, no permission) into a UsageError naming the file as it would be published, e.g. ``dist/drugkg.nt``,
        saying that the previous build is untouched and what to do."""
        try:
            yield self.path / name
        except OSError as exc:
            raise self._write_error(name, exc) from None

    def _write_error(self, name: str, exc: OSError) -> UsageError:
        shown = f"{self.shown}/{name}"
        return UsageError(f"cannot write {shown}: {_reason(exc)}; {self._untouched()}; {_fix(exc, self.parent)}")

    def _untouched(self) -> str:
        if self._previous:
            return f"the previous build in {self.shown}/ is untouched"
        return f"{self.shown}/ was not created"

    # ------------------------------------------------------------------------------------------- publishing

    def publish(self) -> Path:
        """Flush the staging folder to disk, move it into the versions folder and switch the output to it with one
        atomic rename; then remove the versions no longer published (except held ones). Returns the version folder.

        Raises UsageError, with the previous build left published, when any step fails."""
        files = _tree(self.path)
        for name in files:  # each file reaches the disk before the switch makes it visible
            with self.writing(name):
                _sync(self.path / name)
        for folder in {self.path, *((self.path / name).parent for name in files)}:
            _sync_dir(folder)
        try:
            number = _next_number(self.versions, self.out)
            version = self.versions / str(number)
            os.rename(self.path, version)
            self._version = version
            _sync_dir(self.versions)
            self._link = self._temporary_link(f"{self.versions.name}/{number}")
            _sync_dir(self.parent)
            self._switch(self._link)
            self._link = self._version = None  # published: nothing to undo any more
            _sync_dir(self.parent)
        except OSError as exc:
            raise UsageError(f"cannot publish the build to {self.shown}/: {_reason(exc)}; {self._untouched()}; "
                             f"{_fix(exc, self.parent)}") from None
        self._clean()
        return version

    def _temporary_link(self, target: str) -> Path:
        while True:
            link = self.parent / f".{self.name}-link-{secrets.token_hex(4)}"
            try:
                os.symlink(target, link)
                return link
            except FileExistsError:
                continue

    def _switch(self, link: Path) -> None:
        """Make the output ``link``'s target in one step: a rename over the previous link, or an exchange with a
        real output folder (which then moves to ``.NAME-old-*``, for the clean-up)."""
        if not (self.out.is_dir() and not self.out.is_symlink()):
            os.replace(link, self.out)
            return
        # A server holding a real folder reads it by its name, which the exchange gives to the link: refuse rather
        # than switch its files under it (a link is switched while servers keep their own version folder).
        served = os.open(self.out, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(served, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(served)
            raise UsageError(
                f"{self.shown}/ is a folder written by an older drugkg, and a running 'drugkg serve' (or query, or "
                f"push) is reading it; stop it and build again: from then on {self.shown} is a link, which a build "
                f"switches while servers keep reading their own version") from None
        try:
            self._exchange_folder(link)
        finally:
            os.close(served)

    def _exchange_folder(self, link: Path) -> None:
        old = Path(tempfile.mkdtemp(prefix=f".{self.name}-old-", dir=self.parent))
        old.rmdir()
        if exchange(link, self.out):
            self._link = None  # the output is the link now; the old folder has the link's name
            try:
                os.rename(link, old)
            except OSError:  # still named .NAME-link-*: the clean-up removes it all the same
                pass
            return
        os.rename(self.out, old)  # no atomic exchange here: the output is missing until the next line
        try:
            os.replace(link, self.out)
        except BaseException:
            os.rename(old, self.out)
            raise

    # ------------------------------------------------------------------------------------------- recovery and clean-up

    def _recover(self) -> None:
        """Finish what a killed build left half done: if the output is missing, point it at the newest complete
        build left behind (a temporary link's target, else the folder an older drugkg renamed away)."""
        if self.out.exists():
            return
        links = [p for p in self._leftovers("link") if p.is_symlink() and p.is_dir()]
        if links:
            newest = max(links, key=lambda p: _number(os.readlink(p).rpartition("/")[2]))
            os.replace(newest, self.out)
            _sync_dir(self.parent)
            return
        olds = [p for p in self._leftovers("old") if p.is_dir() and not p.is_symlink()
                and (p / "store" / "CURRENT").is_file() and (p / "void.ttl").is_file()]
        if olds:
            newest = max(olds, key=lambda p: p.stat().st_mtime)
            self.versions.mkdir(exist_ok=True)
            number = _next_number(self.versions, self.out)
            os.rename(newest, self.versions / str(number))
            os.replace(self._temporary_link(f"{self.versions.name}/{number}"), self.out)
            _sync_dir(self.parent)

    def _leftovers(self, kind: str) -> list[Path]:
        """What builds into this output make beside it and a killed one leaves: ``.NAME-KIND-XXXXXXXX``."""
        pattern = re.compile(rf"\.{re.escape(self.name)}-{kind}-[a-z0-9_]{{8}}")
        return [p for p in self.parent.iterdir() if pattern.fullmatch(p.name) and not p.name.endswith("-versions")]

    def _clean(self) -> None:
        """Remove the leftovers of killed builds and every version the output no longer points to, except the folder
        being staged and held folders. Best effort: what cannot be removed now is tried again by the next build."""
        if self._lock is None:
            return
        mine = {self.path, self._version, self._link}
        for kind in ("building", "old", "link"):
            for path in self._leftovers(kind):
                if path not in mine:
                    _remove_unless_held(path)
        current = _published_name(self.out)
        if self.versions.is_dir():
            for path in self.versions.iterdir():
                if path.name not in (LOCK_NAME, current) and path not in mine:
                    _remove_unless_held(path)

    def _abandon(self) -> None:
        """Remove what this build made and did not publish."""
        if self._link is not None:
            if self._link.is_symlink():
                self._link.unlink()
            self._link = None
        published = _published_name(self.out)
        for folder in (self.path, self._version):
            if folder is not None and folder.is_dir() and not folder.is_symlink() and folder.name != published:
                shutil.rmtree(folder, ignore_errors=True)
        self._version = None

    # ------------------------------------------------------------------------------------------- the build lock

    def _take_lock(self) -> None:
        """Lock ``.NAME-versions/build.lock`` exclusively, without waiting; raise UsageError naming the holder.

        The file is removed when the build ends, so a build that finds it may hold a file already unlinked; it
        checks after locking that the path is still the file it locked, and tries again otherwise."""
        lock = self.versions / LOCK_NAME
        for _ in range(100):
            self.versions.mkdir(exist_ok=True)
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError:  # the versions folder was removed meanwhile by the build that ended
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise UsageError(f"another drugkg build is writing {self.shown}/ (pid {pid}); wait for it to finish, "
                                 "or choose another --out") from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(lock))
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
                self._lock = fd
                return
            os.close(fd)
        raise UsageError(f"cannot lock {lock}: it keeps changing; try again")

    def _release(self) -> None:
        """Remove the lock file (and the versions folder, if nothing else is in it) and release the lock."""
        if self._lock is None:
            return
        try:
            (self.versions / LOCK_NAME).unlink()
            self.versions.rmdir()  # only when empty: a build that failed before publishing leaves nothing
        except OSError:
            pass
        finally:
            os.close(self._lock)
            self._lock = None


# ----------------------------------------------------------------------------------------------------- helpers


def _output_path(out: Path, shown: str) -> Path:
    """The absolute output path, its last part not resolved (it is the link). A link that is not a build's (e.g.
    ``dist -> /data/dist``) is followed, as drugkg always did. Raises UsageError for an output that cannot be one."""
    path = Path(os.path.abspath(out))
    if not path.name:
        raise UsageError(f"--out {shown} names no folder; give a folder such as dist/")
    path = path.parent.resolve() / path.name
    if path.is_symlink() and not _published_name(path):
        path = Path(os.path.realpath(path))
    if path.exists() and not path.is_dir():
        raise UsageError(f"{shown} exists and is not a folder; choose another --out")
    for ancestor in path.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                named = ancestor if Path(shown).is_absolute() else os.path.relpath(ancestor)  # as the user wrote it
                raise UsageError(f"cannot create the output folder {shown}: {named} is a file, not a folder; "
                                 f"choose another --out, or move {named} away")
            break
    return path


def _published_name(out: Path) -> str | None:
    """The version folder's name that ``out`` links to, or None when ``out`` is not a link into its versions folder.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "dist").symlink_to(".dist-versions/3")
    >>> _published_name(root / "dist"), _published_name(root / "other")
    ('3', None)
    """
    try:
        target = os.readlink(out)
    except OSError:
        return None
    folder, _, name = target.partition("/")
    return name if folder == f".{out.name}-versions" and name and "/" not in name else None


def _number(name: str) -> int:
    return int(name) if name.isdigit() else 0


def _next_number(versions: Path, out: Path) -> int:
    """One more than the highest version number in ``versions`` or published in ``out``.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for name in ("2", "10", "build.lock"):
    ...     (root / name).mkdir()
    >>> _next_number(root, root / "dist")
    11
    """
    names = [p.name for p in versions.iterdir()] if versions.is_dir() else []
    return max([0, _number(_published_name(out) or ""), *(_number(n) for n in names)]) + 1


def exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` (files, links or folders) in one atomic step; False where the system or the
    file system cannot (then nothing changed). Linux: ``renameat2(RENAME_EXCHANGE)``; macOS:
    ``renamex_np(RENAME_SWAP)``.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "folder").mkdir()
    >>> (root / "link").symlink_to("elsewhere")
    >>> exchange(root / "link", root / "folder") is False or (root / "link").is_dir() and (root / "folder").is_symlink()
    True
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if sys.platform.startswith("linux"):
            call = libc.renameat2
            call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            at_fdcwd, rename_exchange = -100, 2
            result = call(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
        elif sys.platform == "darwin":
            call = libc.renamex_np
            call.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
            result = call(os.fsencode(a), os.fsencode(b), 2)  # RENAME_SWAP
        else:
            return False
    except (OSError, AttributeError):  # no such C library or function (e.g. glibc before 2.28)
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _remove_unless_held(path: Path) -> bool:
    """Remove a file, link or folder; a folder only if its lock can be taken exclusively at once (no server holds
    it), holding that lock while removing it so that no server can take it meanwhile. True if removed."""
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink()
            return True
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        shutil.rmtree(path, ignore_errors=True)
        return not path.exists()
    finally:
        os.close(fd)


def _tree(folder: Path) -> list[str]:
    """Every file below ``folder``, as paths relative to it, sorted."""
    return sorted(str((Path(root) / name).relative_to(folder)) for root, _, files in os.walk(folder) for name in files)


def _sync(path: Path) -> None:
    """Flush a written file to the disk (a full disk may only show here, with delayed allocation)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename or a new file in it) to disk, where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a folder; the rename itself is still atomic
        pass
    finally:
        os.close(fd)


def _code(exc: OSError) -> int | None:
    """The errno of ``exc``; pyoxigraph's errors carry it only in the text, as '(os error 27)' or RocksDB's words."""
    if exc.errno is not None:
        return exc.errno
    text = str(exc)
    found = re.search(r"\(os error (\d+)\)", text)
    if found:
        return int(found.group(1))
    return next((code for code in _DISK_FULL if os.strerror(code) in text), None)


def _reason(exc: OSError) -> str:
    """What went wrong, in the system's words.

    >>> _reason(OSError("File too large (os error 27)")), _reason(OSError(28, "No space left on device"))
    ('File too large', 'No space left on device')
    """
    code = _code(exc)
    return os.strerror(code) if code is not None else str(exc)


def _fix(exc: OSError, parent: Path) -> str:
    if _code(exc) in _DISK_FULL:
        return "free disk space (or raise the file size limit, ulimit -f), or choose another --out on a disk with room"
    return f"check that {parent}/ is writable, or choose another --out"
