"""Publishing the build: ``dist`` switches from one complete build to the next in one atomic step, whatever happens.

Each test makes a previous build in a fresh folder, in one of the two layouts a build can find:

* ``link``: ``dist -> .dist-versions/1``, as this drugkg publishes;
* ``folder``: ``dist/`` a real folder, as older drugkg versions wrote it.

The previous build is a copy of the session's real build (``built``) with a marker file ``previous.txt``; a build
published by :func:`publish_copy` (the publishing code of ``drugkg build`` on a copied build, fast) carries
``following.txt``; a real ``drugkg build`` carries neither. :func:`state` checks that ``dist`` resolves to a complete
build (``void.ttl`` present, the store opens read-only with every triple) and says which one it is.

Builds are killed with SIGKILL: from outside when the staging folder has its first file, and from inside right
after a chosen step of the publishing (a wrapper around the real system call sends the signal to its own process),
so every moment is hit exactly, without timing.
"""

from __future__ import annotations

import doctest
import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import drugkg.publish as publish
from drugkg.cli import main
from drugkg.engine import open_store
from drugkg.errors import UsageError
from drugkg.publish import Stage, hold
from tests.conftest import DATA, ONTOLOGY

BUILD = [sys.executable, "-m", "drugkg.cli", "build", "--data", str(DATA), "--ontology", str(ONTOLOGY), "--no-labels"]
DISK_FULL_FIX = "free disk space (or raise the file size limit, ulimit -f), or choose another --out on a disk with room"


# ----------------------------------------------------------------------------------------------------- helpers


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An empty folder for one output, ``dist``, with its path resolved (as the build names it)."""
    folder = tmp_path.resolve() / "site"
    folder.mkdir()
    return folder


def make_previous(root: Path, built, layout: str) -> Path:
    """A previous build in ``root/dist`` in ``layout`` ('link' or 'folder'), marked with ``previous.txt``."""
    out = root / "dist"
    target = root / ".dist-versions" / "1" if layout == "link" else out
    shutil.copytree(built.out, target)
    (target / "previous.txt").write_text("previous build\n", encoding="utf-8")
    if layout == "link":
        out.symlink_to(".dist-versions/1")
    return out


def publish_copy(out: Path, built) -> Path:
    """Publish a copy of the session's build, marked ``following.txt``, with the publishing code of ``drugkg build``."""
    with Stage(out) as stage:
        shutil.copytree(built.out, stage.path, dirs_exist_ok=True)
        (stage.path / "following.txt").write_text("following build\n", encoding="utf-8")
        return stage.publish()


def state(out: Path, built) -> str:
    """Check that ``out`` resolves to a complete build; return which: 'previous', 'following' or 'new'."""
    assert (out / "void.ttl").is_file(), f"{out} holds no complete build"
    store = ox.Store.read_only(str(out / "store"))
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == built.compiled.counts["triples"]
    del store
    for name in ("previous", "following"):
        if (out / f"{name}.txt").is_file():
            return name
    return "new"


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def assert_tidy(root: Path) -> None:
    """Only ``dist`` and its versions folder, holding exactly the published version: no leftover of any build."""
    assert names(root) == [".dist-versions", "dist"]
    assert names(root / ".dist-versions") == [os.readlink(root / "dist").split("/")[1]]


def run_holder(code: str, *args: str) -> subprocess.Popen:
    """A Python process that runs ``code`` (which prints one line when ready, then reads stdin) and waits: it
    keeps what it took (a lock) until its stdin is closed."""
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line:
        raise AssertionError(f"the holder failed: {process.communicate()[1]}")
    process.line = line.strip()
    return process


def stop(process: subprocess.Popen) -> None:
    process.stdin.close()
    assert process.wait(timeout=60) == 0, process.stderr.read()


HOLD = "import sys; from pathlib import Path; from drugkg.publish import hold; h = hold(Path(sys.argv[1])); " \
       "print(h.path, flush=True); sys.stdin.read()"


# ----------------------------------------------------------------------------------------------------- the layout


def test_the_output_is_a_relative_link_to_a_version_that_readers_follow(root, built):
    out = root / "dist"
    publish_copy(out, built)
    assert os.readlink(out) == ".dist-versions/1"
    assert_tidy(root)
    moved = root.parent / "moved"
    root.rename(moved)  # a relative link still points at the build when the folder holding both is moved
    assert state(moved / "dist", built) == "following"
    assert len(list(open_store(moved / "dist").quads_for_pattern(None, None, None, ox.DefaultGraph()))) == \
        built.compiled.counts["triples"]
    with hold(moved / "dist") as held:
        assert held.path == moved / ".dist-versions" / "1"
    missing = moved / "missing"
    with pytest.raises(UsageError) as info:
        hold(missing)
    assert str(info.value) == f"no built graph in {missing}/ (missing {missing}); run 'drugkg build' first or pass --store DIR"


def test_a_real_build_replaces_an_old_style_folder_by_the_link(root, built, capsys):
    make_previous(root, built, "folder")
    assert main([*BUILD[3:], "--out", str(root / "dist")]) == 0
    assert os.readlink(root / "dist") == ".dist-versions/1"
    assert state(root / "dist", built) == "new"
    assert_tidy(root)
    assert capsys.readouterr().out.splitlines()[1].startswith(f"Wrote to {root / 'dist'}/: drugkg.ttl")


def test_the_docstring_examples_run():
    result = doctest.testmod(publish, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8
    assert result.failed == 0


# ----------------------------------------------------------------------------------------------------- killed builds


def test_a_build_killed_while_writing_leaves_the_previous_build(root, built, capsys):
    """A real 'drugkg build' killed from outside once its staging folder holds the first export."""
    out = make_previous(root, built, "link")
    log = root.parent / "build.log"
    with log.open("wb") as handle:
        process = subprocess.Popen([*BUILD, "--out", str(out)], stdout=handle, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120  # a bound on waiting, not a timing assertion
        while not list(root.glob(".dist-building-*/drugkg.nt")):
            assert process.poll() is None, f"the build ended before it wrote: {log.read_text()}"
            assert time.monotonic() < deadline, "the build wrote no staging folder"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    staged = list(root.glob(".dist-building-*"))
    # Killed before publishing (the staging folder is still there, never renamed): the previous build is published.
    assert len(staged) == 1 and state(out, built) == "previous"
    assert main([*BUILD[3:], "--out", str(out)]) == 0  # the next build succeeds and removes what the killed one left
    assert state(out, built) == "new"
    assert_tidy(root)


KILLER = r"""
import os, shutil, signal, sys
from pathlib import Path
import drugkg.publish as publish
from drugkg.cli import main

step, out = sys.argv[1], Path(sys.argv[2])

def after(owner, name, wanted):
    real = getattr(owner, name)
    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        if wanted(*args):
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    setattr(owner, name, wrapper)

if step == "version":  # the staging folder is renamed into .dist-versions/
    after(os, "rename", lambda src, dst: Path(dst).parent.name == ".dist-versions")
elif step == "link":  # the temporary link to the new version is made
    after(os, "symlink", lambda target, link: "-link-" in Path(link).name)
elif step == "switch":  # the link is renamed over dist, or exchanged with the real dist folder
    after(os, "replace", lambda src, dst: Path(dst) == out)
    after(publish, "exchange", lambda a, b: True)
elif step == "old":  # the exchanged real folder is renamed to .dist-old-*
    after(os, "rename", lambda src, dst: "-old-" in Path(dst).name)
elif step == "cleanup":  # the previous version is removed
    after(shutil, "rmtree", lambda path, *rest: Path(path).parent.name == ".dist-versions")
elif step == "fallback":  # no atomic exchange: the real dist folder is renamed away, before the link replaces it
    publish.exchange = lambda a, b: False
    after(os, "rename", lambda src, dst: Path(src) == out)
sys.exit(main(sys.argv[3:] + ["--out", str(out)]))
"""


@pytest.mark.parametrize(("layout", "step", "published", "versions"), [
    ("link", "version", "previous", ["1", "2", "build.lock"]),
    ("link", "link", "previous", ["1", "2", "build.lock"]),
    ("link", "switch", "new", ["1", "2", "build.lock"]),
    ("link", "cleanup", "new", ["2", "build.lock"]),
    ("folder", "switch", "new", ["1", "build.lock"]),
    ("folder", "old", "new", ["1", "build.lock"]),
])
def test_a_build_killed_while_publishing_leaves_a_complete_build(root, built, layout, step, published, versions):
    """A real 'drugkg build' killed right after one step of publishing: dist resolves to the previous build or the
    new one, both complete; the next build succeeds and leaves nothing behind."""
    out = make_previous(root, built, layout)
    result = subprocess.run([sys.executable, "-c", KILLER, step, str(out), *BUILD[3:]], capture_output=True, text=True)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert state(out, built) == published
    assert os.readlink(out) == (".dist-versions/1" if published == "previous" or layout == "folder" else ".dist-versions/2")
    assert names(root / ".dist-versions") == versions  # what the killed build left, for the next one to remove
    publish_copy(out, built)
    assert state(out, built) == "following"
    assert_tidy(root)


def test_a_build_killed_between_the_two_renames_of_the_fallback_is_finished_by_the_next(root, built):
    """Without an atomic exchange, a real dist folder is renamed away before the link takes its place: killed in
    between, dist is missing, and the next build (even one that publishes nothing) points it at the new build."""
    out = make_previous(root, built, "folder")
    result = subprocess.run([sys.executable, "-c", KILLER, "fallback", str(out), *BUILD[3:]], capture_output=True,
                            text=True)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert not os.path.lexists(out)
    with Stage(out):
        pass
    assert state(out, built) == "new"
    assert_tidy(root)


# ----------------------------------------------------------------------------------------------------- failing steps


def failing(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize(("layout", "owner", "name", "code", "message"), [
    ("link", os, "fsync", errno.ENOSPC,
     "cannot write {out}/drugkg-ontology.ttl: No space left on device; the previous build in {out}/ is untouched; "
     + DISK_FULL_FIX),
    ("link", os, "rename", errno.EIO,
     "cannot publish the build to {out}/: Input/output error; the previous build in {out}/ is untouched; "
     "check that {root}/ is writable, or choose another --out"),
    ("link", os, "symlink", errno.ENOSPC,
     "cannot publish the build to {out}/: No space left on device; the previous build in {out}/ is untouched; "
     + DISK_FULL_FIX),
    ("link", os, "replace", errno.EIO,
     "cannot publish the build to {out}/: Input/output error; the previous build in {out}/ is untouched; "
     "check that {root}/ is writable, or choose another --out"),
    ("folder", publish, "exchange", errno.EIO,
     "cannot publish the build to {out}/: Input/output error; the previous build in {out}/ is untouched; "
     "check that {root}/ is writable, or choose another --out"),
])
def test_a_failing_publishing_step_leaves_the_previous_build(root, built, monkeypatch, layout, owner, name, code,
                                                             message):
    out = make_previous(root, built, layout)
    with pytest.raises(UsageError) as info, Stage(out) as stage:
        shutil.copytree(built.out, stage.path, dirs_exist_ok=True)
        with monkeypatch.context() as patch:
            patch.setattr(owner, name, failing(code))
            stage.publish()
    assert str(info.value) == message.format(out=out, root=root)
    assert state(out, built) == "previous"
    assert names(root) == ([".dist-versions", "dist"] if layout == "link" else ["dist"])  # nothing of the failed build
    publish_copy(out, built)
    assert state(out, built) == "following"
    assert_tidy(root)


def test_a_failing_rename_without_exchange_puts_the_old_folder_back(root, built, monkeypatch):
    out = make_previous(root, built, "folder")
    monkeypatch.setattr(publish, "exchange", lambda a, b: False)
    with pytest.raises(UsageError, match="^cannot publish the build to .*: Input/output error; the previous build"), \
            Stage(out) as stage:
        shutil.copytree(built.out, stage.path, dirs_exist_ok=True)
        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", failing(errno.EIO))
            stage.publish()
    assert out.is_dir() and not out.is_symlink()
    assert state(out, built) == "previous"
    assert names(root) == ["dist"]


# ----------------------------------------------------------------------------------------------------- clean-up


def test_a_build_removes_what_killed_builds_left(root, built):
    out = make_previous(root, built, "folder")
    for prefix in [".dist-building-"] * 6 + [".dist-old-"] * 5:  # what 18 killed builds of older drugkg left
        stale = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
        (stale / "store").mkdir()
        (stale / "store" / "CURRENT").write_text("MANIFEST-000005\n")
    assert len(names(root)) == 12
    assert main([*BUILD[3:], "--out", str(out)]) == 0
    assert state(out, built) == "new"
    assert_tidy(root)


def test_a_failing_build_cleans_up_at_its_start_too(root, built, capsys):
    out = make_previous(root, built, "link")
    shutil.copytree(built.out, root / ".dist-versions" / "5")  # a version a killed build made and never published
    (root / ".dist-link-0a1b2c3d").symlink_to(".dist-versions/5")  # ... and its temporary link
    Path(tempfile.mkdtemp(prefix=".dist-building-", dir=root))
    (root / ".dist-versions" / "build.lock").write_text("999999\n")  # the lock file of a killed build, not locked
    missing = root / "no-such-data"
    assert main(["build", "--data", str(missing), "--ontology", str(ONTOLOGY), "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith(f"drugkg: error: data folder {missing} does not exist")
    assert state(out, built) == "previous"
    assert names(root) == [".dist-versions", "dist"]
    assert names(root / ".dist-versions") == ["1"]


def test_a_version_a_server_holds_is_kept_until_it_lets_go(root, built):
    out = make_previous(root, built, "link")
    holder = run_holder(HOLD, str(out))
    try:
        assert holder.line == str(root / ".dist-versions" / "1")
        publish_copy(out, built)
        assert os.readlink(out) == ".dist-versions/2"
        assert names(root / ".dist-versions") == ["1", "2"]  # the served version stays, complete
        assert state(root / ".dist-versions" / "1", built) == "previous"
    finally:
        stop(holder)
    publish_copy(out, built)
    assert os.readlink(out) == ".dist-versions/3"
    assert_tidy(root)


READER = "import sys; from pathlib import Path; from drugkg.engine import open_store; " \
         "print(len(open_store(Path(sys.argv[1]))), flush=True); sys.stdin.read()"


def test_a_version_drugkg_query_reads_is_kept_until_it_ends(root, built):
    """``drugkg query`` and ``drugkg push`` hold the build they read (engine.held_build), as the server does."""
    out = make_previous(root, built, "link")
    reader = run_holder(READER, str(out))
    try:
        assert int(reader.line) > 0
        publish_copy(out, built)
        assert names(root / ".dist-versions") == ["1", "2"]
        assert state(root / ".dist-versions" / "1", built) == "previous"
    finally:
        stop(reader)
    publish_copy(out, built)
    assert_tidy(root)


def test_an_old_style_folder_a_server_holds_is_not_switched_under_it(root, built):
    """A server holding a real folder reads it by its name, which the switch would give to the link: the build is
    refused (found in review: the server's restarted workers read the new build, its pages the old)."""
    out = make_previous(root, built, "folder")
    holder = run_holder(HOLD, str(out))
    try:
        assert holder.line == str(out)
        with pytest.raises(UsageError) as refused:
            publish_copy(out, built)
        assert str(refused.value) == (
            f"{out}/ is a folder written by an older drugkg, and a running 'drugkg serve' (or query, or push) is "
            f"reading it; stop it and build again: from then on {out} is a link, which a build switches while "
            f"servers keep reading their own version")
        assert not out.is_symlink() and state(out, built) == "previous"
    finally:
        stop(holder)
    publish_copy(out, built)
    assert out.is_symlink() and state(out, built) == "following"
    assert_tidy(root)


def test_a_second_build_into_the_same_output_is_refused(root, built, capsys):
    out = make_previous(root, built, "link")
    holder = run_holder("import sys; from pathlib import Path; from drugkg.publish import Stage; "
                        "s = Stage(Path(sys.argv[1])).__enter__(); print('building', flush=True); sys.stdin.read()",
                        str(out))
    try:
        assert main([*BUILD[3:], "--out", str(out)]) == 2
        assert capsys.readouterr().err.splitlines() == [
            f"drugkg: error: another drugkg build is writing {out}/ (pid {holder.pid}); wait for it to finish, or "
            "choose another --out; nothing was written."]
    finally:
        stop(holder)  # exits without releasing anything, as a killed build would
    assert state(out, built) == "previous"
    publish_copy(out, built)
    assert_tidy(root)


# ----------------------------------------------------------------------------------------------------- errors


def test_an_output_under_a_file_is_a_usage_error(root, capsys, monkeypatch):
    (root / "notes").write_text("a file\n")
    monkeypatch.chdir(root)
    assert main([*BUILD[3:], "--out", "notes/dist"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "drugkg: error: cannot create the output folder notes/dist: notes is a file, not a folder; choose another "
        "--out, or move notes away; nothing was written."]
    assert names(root) == ["notes"]
    assert main([*BUILD[3:], "--out", "notes"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "drugkg: error: notes exists and is not a folder; choose another --out; nothing was written."]


LIMITED = r"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))  # drugkg.nt, written first, is 400 kB
from drugkg.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("layout", ["link", "none"])
def test_a_full_disk_names_the_file_and_keeps_the_previous_build(root, built, layout):
    out = make_previous(root, built, layout) if layout == "link" else root / "dist"
    result = subprocess.run([sys.executable, "-c", LIMITED, *BUILD[3:], "--out", "dist"], capture_output=True,
                            text=True, cwd=root)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    kept = "the previous build in dist/ is untouched" if layout == "link" else "dist/ was not created"
    assert result.stderr.splitlines()[-1] == (
        f"drugkg: error: cannot write dist/drugkg.nt: File too large; {kept}; {DISK_FULL_FIX}; nothing was written.")
    if layout == "link":
        assert state(out, built) == "previous"
        assert_tidy(root)
    else:
        assert names(root) == []
