"""Whether any page is being drawn, so that learners' reruns go first.

Every rerun of the page holds `page_rerun` while its script runs. Background work (the Keras check,
a build ahead, each training chunk) calls `wait_until_quiet` before it takes the GIL for long (tens
to hundreds of ms); it starts once no page is being drawn, or after ``max_wait_s`` at the latest, so
a busy server still checks, builds ahead and trains, only later.

A session that reruns fast (`RAPID_RERUNS` starts within `RAPID_WINDOW_S`: a held arrow key, a script
hammering the server) also waits, at most `RAPID_MAX_WAIT_S`, for the others' reruns to finish first
(`yield_if_rapid`).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

_RUNNING = 0  # page reruns running now
_CHANGED = threading.Condition()


@contextmanager
def page_rerun() -> Iterator[None]:
    """Mark one page rerun as running for the duration of the ``with`` block."""
    global _RUNNING
    with _CHANGED:
        _RUNNING += 1
    try:
        yield
    finally:
        with _CHANGED:
            _RUNNING -= 1
            _CHANGED.notify_all()


def reruns_running() -> int:
    """How many page reruns are running now."""
    with _CHANGED:
        return _RUNNING


def wait_until_quiet(max_wait_s: float) -> bool:
    """Block until no page rerun is running, for at most ``max_wait_s`` seconds.

    Returns:
        ``True`` when the server went quiet, ``False`` when the wait ran out (the caller goes ahead anyway).
    """
    deadline = time.monotonic() + max_wait_s
    with _CHANGED:
        while _RUNNING:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            _CHANGED.wait(left)
    return True


def seconds_waiting_for_quiet(max_wait_s: float) -> float:
    """`wait_until_quiet`, returning the seconds it waited."""
    t0 = time.monotonic()
    wait_until_quiet(max_wait_s)
    return time.monotonic() - t0


RAPID_RERUNS = 3  # a session that started this many reruns …
RAPID_WINDOW_S = 2.0  # … within this many seconds …
RAPID_MAX_WAIT_S = 0.5  # … lets the other sessions' running reruns finish first, waiting this long at most


def yield_if_rapid(starts: deque, now: float | None = None) -> float:
    """Note a rerun start in one session's ``starts``; if the session reruns fast, wait for the others first.

    Call it before `page_rerun` (the waiting rerun does not count as running yet). A learner moving a
    slider every few seconds never waits; a session that reruns several times a second waits for a
    moment when no other page is being drawn, at most `RAPID_MAX_WAIT_S`, so it cannot make the
    others wait more than their share.

    Args:
        starts: the session's recent rerun start times (``time.monotonic()``); this call appends to it.
        now: the current time (default ``time.monotonic()``).

    Returns:
        The seconds waited.
    """
    now = time.monotonic() if now is None else now
    while starts and now - starts[0] > RAPID_WINDOW_S:
        starts.popleft()
    rapid = len(starts) >= RAPID_RERUNS
    starts.append(now)
    return seconds_waiting_for_quiet(RAPID_MAX_WAIT_S) if rapid else 0.0
