"""The heavy lane: heavy sessions' runs one at a time, first come first served, and together only a share of the time.

A *heavy* session (`explorer.ui.priority`: one that reruns fast, opens in a flood of new sessions or has used up a
rate limit) asks the server for work the moment an answer arrives. Taking turns alone left one heavy run under way at
every moment, so each learner's run shared the interpreter with it. The lane also *rests*: after a heavy run that kept
the interpreter busy for ``d`` seconds, the next heavy run starts ``d × (1 − share) / share`` seconds later at the
earliest, so heavy runs take at most ``share`` of the wall clock, and learners' runs have the rest to themselves. The
lane rests only while learners are about (``rest_needed``): alone on a server, a presenter holding an arrow key is not
slowed for nobody's sake.

A run that has waited `max_wait_s` goes ahead without its turn: heavy sessions are slowed, never starved.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable

RECHECK_S = 0.25  # a resting lane asks this often whether anyone still needs the rest


class HeavyLane:
    """Turns for heavy runs: ``slots`` at once, in arrival order, using at most ``share`` of the wall clock.

    Args:
        slots: heavy runs under way at once.
        share: the fraction of the wall clock heavy runs may take together, in (0, 1]; 1 means no rest.
        max_wait_s: the longest a run waits for its turn before it goes ahead anyway.
        rest_needed: whether anyone would gain from a rest now (default: always).
    """

    def __init__(
        self, slots: int = 1, share: float = 1.0, max_wait_s: float = 3.0, rest_needed: Callable[[], bool] = lambda: True
    ):
        if slots < 1 or not 0 < share <= 1:
            raise ValueError(f"slots must be ≥ 1 and share in (0, 1], not {slots} and {share}")
        self.slots, self.share, self.max_wait_s = slots, share, max_wait_s
        self._rest_needed = rest_needed
        self._cond = threading.Condition()
        self._free = slots
        self._opens_at = 0.0  # time.monotonic() when the lane's rest after the last heavy run ends
        self._queue: deque[object] = deque()

    def enter(self) -> bool:
        """Wait for a turn (at most `max_wait_s`). Returns whether the run got one; pass that to `leave`."""
        ticket = object()
        deadline = time.monotonic() + self.max_wait_s
        with self._cond:
            self._queue.append(ticket)
            try:
                while True:
                    now = time.monotonic()
                    rested = now >= self._opens_at or not self._rest_needed()
                    if self._queue[0] is ticket and self._free and rested:
                        self._free -= 1
                        return True
                    if now >= deadline:
                        return False
                    wake = deadline if not self._free or self._queue[0] is not ticket else min(deadline, self._opens_at)
                    self._cond.wait(min(max(wake - now, 1e-3), RECHECK_S))  # learners may have left meanwhile
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()

    def leave(self, had_turn: bool, busy_s: float) -> None:
        """End a heavy run that kept the interpreter busy ``busy_s`` seconds; the lane rests in proportion."""
        with self._cond:
            if had_turn:
                self._free += 1
            rest = busy_s * (1 - self.share) / self.share
            self._opens_at = max(self._opens_at, time.monotonic() + rest)
            self._cond.notify_all()

    def waiting(self) -> int:
        """Heavy runs waiting for a turn now."""
        with self._cond:
            return len(self._queue)


def lane_from_environment(rest_needed: Callable[[], bool] = lambda: True) -> HeavyLane:
    """The server's lane: ``LSTM_EXPLORER_HEAVY_SLOTS`` (1), ``LSTM_EXPLORER_HEAVY_SHARE`` (0.2) and
    ``LSTM_EXPLORER_HEAVY_MAX_WAIT_S`` (10)."""
    return HeavyLane(
        rest_needed=rest_needed,
        slots=int(os.environ.get("LSTM_EXPLORER_HEAVY_SLOTS", "1")),
        share=float(os.environ.get("LSTM_EXPLORER_HEAVY_SHARE", "0.2")),
        max_wait_s=float(os.environ.get("LSTM_EXPLORER_HEAVY_MAX_WAIT_S", "10")),
    )
