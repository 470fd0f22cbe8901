"""Work done in another process: forked, sharing what is already loaded, or in a fresh interpreter.

A build runs pure-Python jobs that need all the records but nothing else of the build (the static
search index, a large type's XLSX export) beside the rest of it, on the second core (`Background`).
A job that needs little of the build but much memory of its own runs in a fresh interpreter (`apart`),
so its peak is not added to the build's.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """`function(*args)` in a forked process; `result()` waits for it and returns or raises."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._receive, send = multiprocessing.Pipe(duplex=False)
        self._process = multiprocessing.get_context("fork").Process(target=_run, args=(send, function, args,
                                                                                       os.getpid()))
        self._process.start()
        send.close()

    def result(self) -> T:
        try:
            status, value = self._receive.recv()
        except EOFError:
            status, value = "error", "the process died"
        finally:
            self._process.join()
            self._receive.close()
        if status != "ok":
            raise RuntimeError(f"background job failed: {value}")
        return value


def _run(send: Any, function: Callable[..., Any], args: tuple, parent: int) -> None:
    _die_with(parent)
    try:
        send.send(("ok", function(*args)))
    except BaseException as exc:  # the parent raises it: a failed job fails the build
        send.send(("error", f"{type(exc).__name__}: {exc}"))


def _die_with(parent: int) -> None:
    """End this process when its parent dies (Linux): a run killed mid-build leaves no job writing into the
    build folder the next run deletes."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # the process's own libc: no ldconfig search
    if os.getppid() != parent:  # died before the line above: the signal would never come
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def apart(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a fresh interpreter: arguments and result pickled over its stdin and stdout.

    Not multiprocessing's "spawn", which imports the caller's main script again (a script without a
    `__main__` guard would run twice); the function must be importable by name."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-c", "from publisher.site.background import _apart_main; _apart_main()"],
                          input=pickle.dumps((function, args)), stdout=subprocess.PIPE, env=env, check=False)
    try:
        status, value = pickle.loads(done.stdout)
    except Exception:
        status, value = "error", f"the process died (exit {done.returncode})"
    if status != "ok":
        raise RuntimeError(f"job in a fresh interpreter failed: {value}")
    return value


def _apart_main() -> None:
    function, args = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # whatever the job prints must not mix with the pickled answer
    try:
        answer = ("ok", function(*args))
    except BaseException as exc:  # the caller raises it
        answer = ("error", f"{type(exc).__name__}: {exc}")
    out.write(pickle.dumps(answer))
    out.flush()
