"""Whether any page is being drawn: background work (build-ahead, the Keras check) waits for a quiet moment.

Every rerun of the page holds `page_rerun` while its script runs. A background thread calls
`wait_until_quiet` before it takes the GIL for long (a Keras build or check holds it for tens to
hundreds of ms); it starts once no page is being drawn, or after ``max_wait_s`` at the latest, so
a busy server still gets its badges and its models built ahead, only later.
"""

from __future__ import annotations

import threading
import time
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
