"""Whether any page is being drawn, so that learners' reruns go first.

Every rerun of the page holds `page_rerun` while its script runs. Background work (the Keras check,
a build ahead, each training chunk) calls `wait_until_quiet` before it takes the GIL for long (tens
to hundreds of ms); it starts once no page is being drawn, or after ``max_wait_s`` at the latest, so
a busy server still checks, builds ahead and trains, only later.

A session that reruns fast (`RAPID_RERUNS` starts within `RAPID_WINDOW_S`: a held arrow key, a script
hammering the server) also waits, at most `RAPID_MAX_WAIT_S`, for the others' reruns to finish first
(`yield_if_rapid`).

A *heavy* session's run (one that reruns fast, opens in a flood of new sessions, or has used up a rate limit:
`explorer.ui.priority` decides) runs at low priority: it waits for its turn in the heavy lane (`LANE`, one heavy run
at a time and, while learners are about, a share of the time), and at checkpoints between its steps
(`let_learners_first`) it waits while any other session's run is under way, so that it takes the interpreter only when
no learner needs it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from explorer.heavy_lane import lane_from_environment
from explorer.os_priority import lower_this_thread

_RUNNING = 0  # page reruns running now
_LEARNERS = 0  # of them, runs of sessions that are not heavy
_CHANGED = threading.Condition()
_THIS_RUN = threading.local()  # .heavy: whether the run on this thread is a heavy session's
CHECKPOINT_MAX_WAIT_S = 0.5  # a heavy run waits at most this long at one checkpoint …
RUN_MAX_WAIT_S = 2.0  # … and this long in all, so it is slowed, never starved


LEARNERS_ABOUT_S = 5.0  # a learner's run started this recently: heavy runs leave the learners their share
_LAST_LEARNER_RUN = -1e9  # time.monotonic() when a run of a session that is not heavy last started


def learners_about(within_s: float = LEARNERS_ABOUT_S) -> bool:
    """Whether a learner's run (a session that is not heavy) started in the last ``within_s`` seconds."""
    return time.monotonic() - _LAST_LEARNER_RUN <= within_s


LANE = lane_from_environment(learners_about)  # heavy sessions' runs: one at a time, a share of the time (heavy_lane)


@contextmanager
def page_rerun(heavy: bool = False) -> Iterator[None]:
    """Mark one page rerun as running for the duration of the ``with`` block (``heavy``: a heavy session's).

    A heavy session's run first waits for its turn in the heavy lane (`LANE`): with three scripts each rerunning as
    fast as answered, every learner's run shared the interpreter with three of them, and with turns alone, with one.
    """
    global _RUNNING, _LEARNERS, _LAST_LEARNER_RUN
    turn = heavy and LANE.enter()
    started = time.monotonic()
    with _CHANGED:
        _RUNNING += 1
        _LEARNERS += not heavy
        if not heavy:
            _LAST_LEARNER_RUN = started
    _THIS_RUN.heavy, _THIS_RUN.waited = heavy, 0.0
    if heavy:  # its script thread, started for this session's runs, at a lower CPU priority too
        lower_this_thread()
    try:
        yield
    finally:
        paused = _THIS_RUN.waited  # at its checkpoints, waiting for the learners: not the lane's time
        _THIS_RUN.heavy = False
        with _CHANGED:
            _RUNNING -= 1
            _LEARNERS -= not heavy
            _CHANGED.notify_all()
        if heavy:
            LANE.leave(turn, max(time.monotonic() - started - paused, 0.0))


def let_learners_first() -> float:
    """In a heavy session's run, between two of its steps: wait while other sessions' runs are under way (at most
    `CHECKPOINT_MAX_WAIT_S` here, `RUN_MAX_WAIT_S` in the run). Elsewhere a no-op. Returns the seconds waited."""
    if not getattr(_THIS_RUN, "heavy", False):
        return 0.0
    start = time.monotonic()
    deadline = start + min(CHECKPOINT_MAX_WAIT_S, RUN_MAX_WAIT_S - _THIS_RUN.waited)
    with _CHANGED:
        while _LEARNERS and (left := deadline - time.monotonic()) > 0:
            _CHANGED.wait(left)
    waited = time.monotonic() - start
    _THIS_RUN.waited += waited
    return waited


def learners_running() -> int:
    """Runs of sessions that are not heavy, running now."""
    with _CHANGED:
        return _LEARNERS


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


def is_rapid(starts, now: float | None = None) -> bool:
    """Whether a session whose recent rerun start times are ``starts`` reruns fast (nothing is noted)."""
    now = time.monotonic() if now is None else now
    return sum(now - t <= RAPID_WINDOW_S for t in starts) >= RAPID_RERUNS


FLOOD_SESSIONS = 8  # more new sessions than this …
FLOOD_WINDOW_S = 10.0  # … in this many seconds is a flood: the newest open at low priority
_OPENED: deque = deque()  # the server's recent first runs of sessions
_OPENED_LOCK = threading.Lock()


def opened_in_a_flood(now: float | None = None) -> bool:
    """Note a session's first run; whether more than `FLOOD_SESSIONS` others opened in the last `FLOOD_WINDOW_S`.

    A class opens its link in the first minute: the first few sessions of a burst open at full priority, the rest
    only slightly later. A script opening session after session (each one's first run is its whole work) is always in
    a flood, and so always at low priority.
    """
    now = time.monotonic() if now is None else now
    with _OPENED_LOCK:
        while _OPENED and now - _OPENED[0] > FLOOD_WINDOW_S:
            _OPENED.popleft()
        _OPENED.append(now)
        return len(_OPENED) > FLOOD_SESSIONS + 1


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
