"""Which sessions run at low priority: the ones that cost the class more than a learner does.

A session is *heavy* for `HEAVY_FOR_S` after it reruns fast (a held key, a script) or uses up one of its rate limits
(training starts, uploads), and for its first run when it opens in a flood of new sessions (a script opening session
after session). Its runs take turns in the heavy lane (`explorer.heavy_lane`) and let every other session's run go
first at each checkpoint (`explorer.activity.let_learners_first`): they are slowed, never refused.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping

import streamlit as st

from explorer.activity import is_rapid, opened_in_a_flood

HEAVY_FOR_S = 10.0
LIMITS = ("_train_starts", "_upload_allowance")  # the session's RateLimits (explorer.admission)


def session_is_heavy() -> bool:
    """Whether this session's run should yield to the others (call once per run of the page, before it starts)."""
    return is_heavy(st.session_state, time.monotonic())


def is_heavy(state: MutableMapping, now: float) -> bool:
    """`session_is_heavy` on a session's ``state`` at ``now``: notes the first run, and how long the session stays heavy.

    A fast rerunner or a used-up rate limit stays heavy for `HEAVY_FOR_S` (a script pausing for a moment does not
    become a learner). A session opened in a flood is heavy for that first run only: a class opening its link at once
    opens a little later, then moves its sliders as learners.
    """
    first = "_opened_at" not in state
    state.setdefault("_opened_at", now)
    heavy = is_rapid(state.get("_rerun_starts", ()), now)
    for key in LIMITS:
        limit = state.get(key)
        heavy |= limit is not None and limit.admit_would_wait(now)
    if heavy:
        state["_heavy_until"] = now + HEAVY_FOR_S
    return now < state.get("_heavy_until", 0.0) or (first and opened_in_a_flood(now))
