"""Running a list of ways to read a photo, on one core or two, until one reads.

zxing-cpp and OpenCV release the GIL while they work, so a second thread
really runs beside the first: when only one photo is being decoded (the usual
case in a chat), a helper thread takes every other attempt off the list and
the photo is done in about half the time. When several photos are decoded at
once the cores are busy already, and each photo runs on its own thread alone.

Attempts are taken in list order; before starting one, a worker asks
`skip(attempt)` (the region may be explained by a code read meanwhile, or the
attempt may only be worth it while nothing at all has been read).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="barcode-helper") if _CORES > 1 else None
_lock = threading.Lock()
_decoding = 0  # photos being decoded right now
_helper_enabled = True


def set_helper_enabled(enabled: bool) -> None:
    """Benchmarks and tests may keep a photo on one core (figures that compare with one-core readers)."""
    global _helper_enabled
    _helper_enabled = enabled


@contextmanager
def photo_in_progress():
    """Counts photos being decoded; yields whether the helper thread may join in."""
    global _decoding
    with _lock:
        _decoding += 1
        alone = _decoding == 1
    try:
        yield alone and _helper is not None and _helper_enabled
    finally:
        with _lock:
            _decoding -= 1


def beside(use_helper: bool, task: Callable[[], T]):
    """Starts `task` on the helper thread (or defers it); returns a function giving its result."""
    if not use_helper:
        return task
    future = _helper.submit(task)
    return future.result


class Attempts(Generic[T]):
    """A list of attempts, shared by the workers that run them."""

    def __init__(self, attempts: Iterable[T], skip: Callable[[T], bool], run: Callable[[T], None]):
        self._attempts = iter(attempts)
        self._skip = skip
        self._run = run
        self.lock = threading.Lock()  # also held by `run` while it records a result

    def _next(self) -> T | None:
        with self.lock:
            for attempt in self._attempts:
                if not self._skip(attempt):
                    return attempt
            return None

    def _work(self) -> None:
        while (attempt := self._next()) is not None:
            self._run(attempt)

    def run_all(self, use_helper: bool) -> None:
        if use_helper:
            other = _helper.submit(self._work)
            try:
                self._work()
            finally:
                other.result()
        else:
            self._work()
