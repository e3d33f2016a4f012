"""How often one session may start something expensive: a few times a window, then it waits its turn.

Each costly start (opening an uploaded file in the fenced loader, a training run, whose start traces a
training step for ~0.5 s of the server's interpreter) is noted in the session's `RateLimit`. A learner
starts one now and then; a script or a mashed button that starts one every second is told how long to
wait, so that the class's slider moves keep their share of the server.
"""

from __future__ import annotations

import time
from collections import deque


class RateLimit:
    """At most ``per_window`` starts in any ``window_s`` seconds (kept in one session's state)."""

    def __init__(self, per_window: int, window_s: float):
        self.per_window, self.window_s = per_window, window_s
        self.starts: deque[float] = deque()

    def admit_would_wait(self, now: float | None = None) -> bool:
        """Whether a start now would be refused (nothing is noted)."""
        now = time.monotonic() if now is None else now
        return sum(now - t < self.window_s for t in self.starts) >= self.per_window

    def admit(self, now: float | None = None) -> float | None:
        """Note a start now and return ``None``, or return the seconds until one is allowed (nothing is noted then).

        Args:
            now: ``time.monotonic()`` (the default), or a test's clock.
        """
        now = time.monotonic() if now is None else now
        while self.starts and now - self.starts[0] >= self.window_s:
            self.starts.popleft()
        if len(self.starts) >= self.per_window:
            return max(self.window_s - (now - self.starts[0]), 1.0)
        self.starts.append(now)
        return None
