"""How often one session may upload: one file at a time, and a few a minute.

Every upload costs the server a check and, for a file that passes it, a load in the fenced process that
all sessions share. A learner uploads a file, maybe two; a script that uploads in a loop is told to wait,
so that the loader stays free for the class.
"""

from __future__ import annotations

import time
from collections import deque

from explorer.i18n import Message

UPLOADS_PER_WINDOW = 5  # uploads one session may start …
WINDOW_S = 60.0  # … in this many seconds


class SessionUploads:
    """One session's recent uploads (kept in its session state)."""

    def __init__(self, per_window: int = UPLOADS_PER_WINDOW, window_s: float = WINDOW_S):
        self.per_window, self.window_s = per_window, window_s
        self.starts: deque[float] = deque()

    def admit(self, now: float | None = None) -> Message | None:
        """Note an upload now, or return why it must wait (nothing is noted then).

        Args:
            now: ``time.monotonic()`` (the default), or a test's clock.
        """
        now = time.monotonic() if now is None else now
        while self.starts and now - self.starts[0] >= self.window_s:
            self.starts.popleft()
        if len(self.starts) >= self.per_window:
            wait = self.window_s - (now - self.starts[0])
            return Message(
                "You have uploaded {n} files in the last minute; upload the next one in {seconds} s.",
                n=len(self.starts),
                seconds=f"{max(wait, 1):.0f}",
            )
        self.starts.append(now)
        return None
