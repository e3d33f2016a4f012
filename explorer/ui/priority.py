"""Which sessions run at low priority: the ones that cost the class more than a learner does.

A session is *heavy* for `HEAVY_FOR_S` after it reruns fast (a held key, a script), opens in a flood of new
sessions (a script opening session after session), or uses up one of its rate limits (training starts,
uploads). Its runs then let every other session's run go first at each checkpoint
(`explorer.activity.let_learners_first`): they are slowed, never refused.
"""

from __future__ import annotations

import time

import streamlit as st

from explorer.activity import is_rapid, opened_in_a_flood

HEAVY_FOR_S = 10.0
LIMITS = ("_train_starts", "_upload_allowance")  # the session's RateLimits (explorer.admission)


def session_is_heavy() -> bool:
    """Whether this session's run should yield to the others (call once per run of the page, before it starts)."""
    now = time.monotonic()
    state = st.session_state
    first = "_opened_at" not in state
    state.setdefault("_opened_at", now)
    heavy = is_rapid(state.get("_rerun_starts", ()), now) or (first and opened_in_a_flood(now))
    for key in LIMITS:
        limit = state.get(key)
        heavy |= limit is not None and limit.admit_would_wait(now)
    if heavy:
        state["_heavy_until"] = now + HEAVY_FOR_S
    return now < state.get("_heavy_until", 0.0)
