"""A call in a forked child: its value, exit or error comes back as from a call in-process."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from opeds.common.forked import ForkedCall, ForkedCallError


def _pid_and(value: object) -> tuple[int, object]:
    return os.getpid(), value


def _exit_with(code: object) -> None:
    raise SystemExit(code)


def _fail(message: str) -> None:
    raise ValueError(message)


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _print_and_return(text: str) -> int:
    print(text)
    return 1


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # as the tasks' handler does


def _write_until_stopped(folder: Path) -> None:
    """Write a file per tick until SIGTERM, which (as in an import) ends in ``finally``."""
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        for number in range(10_000):
            (folder / f"{number}.tick").write_text("x")
            time.sleep(0.01)
    finally:
        (folder / "recorded").write_text("yes")


def test_the_value_comes_back_from_another_process() -> None:
    pid, value = ForkedCall(_pid_and, {"a": [1, 2]}).result()
    assert value == {"a": [1, 2]}
    if (os.cpu_count() or 1) > 1:
        assert pid != os.getpid()


def test_an_exit_and_its_message_come_back_as_an_exit() -> None:
    with pytest.raises(SystemExit) as stopped:
        ForkedCall(_exit_with, "import failed, nothing was written: busy").result()
    assert stopped.value.code == "import failed, nothing was written: busy"
    with pytest.raises(SystemExit) as stopped:
        ForkedCall(_exit_with, 3).result()
    assert stopped.value.code == 3


def test_an_error_comes_back_as_the_same_error() -> None:
    with pytest.raises(ValueError, match="broken source"):
        ForkedCall(_fail, "broken source").result()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="on one core the call runs in-process")
def test_a_child_that_dies_is_named_as_such() -> None:
    with pytest.raises(ForkedCallError, match=f"signal {int(signal.SIGKILL)}"):
        ForkedCall(_kill_self).result()


def test_what_the_child_prints_is_printed_once(capfd: pytest.CaptureFixture[str]) -> None:
    sys.stdout.write("before ")  # no newline: still buffered when the child is forked
    assert ForkedCall(_print_and_return, "from the child").result() == 1
    out = capfd.readouterr().out
    assert out.count("before") == 1
    assert out.count("from the child") == 1


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="on one core the call runs in-process")
def test_stop_ends_the_child_through_its_own_cleanup_and_waits(tmp_path: Path) -> None:
    call = ForkedCall(_write_until_stopped, tmp_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(tmp_path.glob("*.tick"))) < 3:
        time.sleep(0.01)
    call.stop()
    assert (tmp_path / "recorded").read_text() == "yes"  # its `finally` ran before stop returned
    ticks = len(list(tmp_path.glob("*.tick")))
    time.sleep(0.1)
    assert len(list(tmp_path.glob("*.tick"))) == ticks  # and nothing writes any more
    with pytest.raises(ForkedCallError, match="stopped"):
        call.result()
