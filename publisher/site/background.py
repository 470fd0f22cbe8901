"""Work started now and collected later, in a forked process that shares what is already loaded.

A build runs pure-Python jobs that need all the records but nothing else of the build (the static
search index, a large type's XLSX export) beside the rest of it, on the second core.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """`function(*args)` in a forked process; `result()` waits for it and returns or raises."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._receive, send = multiprocessing.Pipe(duplex=False)
        self._process = multiprocessing.get_context("fork").Process(target=_run, args=(send, function, args))
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


def _run(send: Any, function: Callable[..., Any], args: tuple) -> None:
    try:
        send.send(("ok", function(*args)))
    except BaseException as exc:  # the parent raises it: a failed job fails the build
        send.send(("error", f"{type(exc).__name__}: {exc}"))
