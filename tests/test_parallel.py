"""Work apart from the main thread or process (drugkg.parallel): results, progress and errors come back as they were
made, whichever way the child process is started."""

from __future__ import annotations

import os
import signal

import pytest

from drugkg import parallel
from drugkg.errors import DataError, DataInvalid, UsageError
from drugkg.parallel import in_process

START_METHODS = ["fork", "forkserver"]


def squares(n: int, progress) -> list[int]:
    for i in range(n):
        progress(f"square of {i}")
    return [i * i for i in range(n)]


def invalid(progress) -> None:
    progress("reading")
    raise DataInvalid([DataError("data/b.yaml", 7, "y", "second", "fix it"), DataError("data/a.yaml", 3, "x", "first", "fix")])


def buggy(progress) -> None:
    {}["missing key in the child"]


def killed(progress) -> None:
    progress("about to be killed")
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.fixture(params=START_METHODS)
def start_method(request, monkeypatch):
    monkeypatch.setattr(parallel, "_start_method", lambda: request.param)
    return request.param


def test_result_and_progress_come_back_in_order(start_method):
    messages = []
    assert in_process(squares, 4, progress=messages.append) == [0, 1, 4, 9]
    assert messages == ["square of 0", "square of 1", "square of 2", "square of 3"]


def test_invalid_data_comes_back_with_every_error(start_method):
    messages = []
    with pytest.raises(DataInvalid) as raised:
        in_process(invalid, progress=messages.append)
    assert raised.value.errors == [DataError("data/a.yaml", 3, "x", "first", "fix"),
                                   DataError("data/b.yaml", 7, "y", "second", "fix it")]
    assert messages == ["reading"]


def test_a_bug_keeps_its_traceback(start_method):
    with pytest.raises(RuntimeError) as raised:
        in_process(buggy, progress=print)
    text = str(raised.value)
    assert text.startswith("in the child process:\nTraceback")
    assert "in buggy" in text and "KeyError: 'missing key in the child'" in text


def test_a_killed_child_is_a_usage_error(start_method):
    messages = []
    with pytest.raises(UsageError) as raised:
        in_process(killed, progress=messages.append)
    assert str(raised.value) == ("killed stopped in its process with exit code -9 (killed: out of memory?); "
                                 "nothing was written")
    assert messages == ["about to be killed"]


def test_the_start_method_forks_only_a_process_of_one_thread():
    import threading

    alone = len(os.listdir("/proc/self/task")) == 1
    assert parallel._start_method() == ("fork" if alone else "forkserver")
    started, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=lambda: (started.set(), stop.wait()))
    thread.start()
    try:
        started.wait()
        assert parallel._start_method() == "forkserver"
    finally:
        stop.set()
        thread.join()
