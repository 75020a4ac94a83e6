"""One call run in a forked child while this process goes on: the import of a build.

A build imports the sources first and reads the content after. The import of an unchanged
archive still looks at every source and article (0.7 s at 10,000 articles, on one core),
while the build's own set-up (its modules, settings, caches) needs no content and waited for
it, with the second core idle. The child runs the import; the build sets up meanwhile and
takes the import's result when it needs the content (:meth:`ForkedCall.result`).

The child stops as the command stops: Ctrl-C reaches both; a SIGTERM to the command is passed
on and waited for; a command killed outright takes the child with it (it gets SIGTERM). The
child ends as the import does when told to stop: what it wrote, it records.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


class ForkedCallError(RuntimeError):
    """The child failed with an error that cannot be sent back as it is, or died."""


class ForkedCall:
    """``function(*args, **kwargs)`` in a forked child; :meth:`result` waits for its outcome.

    Its outcome comes back as it would from a call here: the value, the ``SystemExit`` (with
    its code or message) or the exception. Where a fork is not possible (one core, no
    ``fork``) the call is made here, at once.
    """

    def __init__(self, function: Callable[..., object], *args: object, **kwargs: object) -> None:
        self._pid = 0
        self._read = -1
        self._outcome: tuple[str, object] | None = None
        if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
            self._outcome = _call(function, args, kwargs)
            return
        for stream in (sys.stdout, sys.stderr):  # nothing written twice by two processes
            with contextlib.suppress(Exception):
                stream.flush()
        parent = os.getpid()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read)
            code = 1
            try:
                _die_with(parent)
                outcome = _call(function, args, kwargs)
                data = _pickled(outcome)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                code = 0
            finally:
                for stream in (sys.stdout, sys.stderr):
                    with contextlib.suppress(Exception):
                        stream.flush()
                os._exit(code)  # neither the parent's exit handlers nor its buffers
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> object:
        """Wait for the child; return its value or raise its exit or exception."""
        if self._outcome is None:
            self._outcome = self._wait()
        kind, value = self._outcome
        if kind == "value":
            return value
        if kind == "exit":
            raise SystemExit(value)
        raise value  # type: ignore[misc]

    def stop(self) -> None:
        """Tell a child still at work to stop (SIGTERM) and wait for it to end."""
        if self._outcome is not None or not self._pid:
            return
        with contextlib.suppress(OSError):
            os.close(self._read)
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            os.waitpid(self._pid, 0)
        self._outcome = ("error", ForkedCallError("stopped"))

    def _wait(self) -> tuple[str, object]:
        data = b""
        try:
            with os.fdopen(self._read, "rb") as pipe:
                data = pipe.read()
            _pid, status = os.waitpid(self._pid, 0)
        except BaseException:
            # This command was told to stop while waiting: so is the child, which ends as the
            # import does when stopped; the command returns once it has.
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGTERM)
            with contextlib.suppress(OSError):
                os.waitpid(self._pid, 0)
            raise
        if not data:
            if os.WIFSIGNALED(status):
                raise ForkedCallError(f"stopped by signal {os.WTERMSIG(status)}")
            raise ForkedCallError(f"ended with code {os.waitstatus_to_exitcode(status)}")
        return pickle.loads(data)


def _call(function: Callable[..., object], args: tuple, kwargs: dict) -> tuple[str, object]:
    try:
        return ("value", function(*args, **kwargs))
    except SystemExit as stop:
        return ("exit", stop.code)
    except Exception as error:
        return ("error", error)


def _pickled(outcome: tuple[str, object]) -> bytes:
    """The outcome as bytes; an error that does not pickle is sent as its traceback."""
    try:
        return pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        error = outcome[1]
        if isinstance(error, BaseException):
            text = "".join(traceback.format_exception(error))
        else:
            text = repr(error)
        return pickle.dumps(("error", ForkedCallError(text)), protocol=pickle.HIGHEST_PROTOCOL)


def _die_with(parent: int) -> None:
    """In the child: get SIGTERM when the parent dies (Linux); end now if it is gone already."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        raise SystemExit(1)
