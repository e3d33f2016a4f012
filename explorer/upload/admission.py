"""How often one session may upload: one file at a time (the page sees to it), and a few a minute.

Every upload costs the server a check and, for a file that passes it, a load in the fenced process that
all sessions share. A learner uploads a file, maybe two; a script that uploads in a loop is told to wait,
so that the loader stays free for the class.
"""

from __future__ import annotations

from explorer.admission import RateLimit
from explorer.i18n import Message

UPLOADS_PER_WINDOW = 5  # uploads one session may start …
WINDOW_S = 60.0  # … in this many seconds


class SessionUploads(RateLimit):
    """One session's recent uploads (kept in its session state)."""

    def __init__(self, per_window: int = UPLOADS_PER_WINDOW, window_s: float = WINDOW_S):
        super().__init__(per_window, window_s)

    def refusal(self, now: float | None = None) -> Message | None:
        """Note an upload now, or return why it must wait (nothing is noted then)."""
        wait = self.admit(now)
        if wait is None:
            return None
        return Message(
            "You have uploaded {n} files in the last minute; upload the next one in {seconds} s.",
            n=len(self.starts),
            seconds=f"{wait:.0f}",
        )
