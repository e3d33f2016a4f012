"""Background work (the Keras check, building ahead) waits for a moment when no page is being drawn."""

import os
import threading
import time
import weakref

import pytest

from explorer import LSTMConfig, activity, build_model, make_sequence, trace
from explorer.heavy_lane import HeavyLane


def _in_thread(fn, *args) -> tuple[threading.Thread, list]:
    out: list = []
    thread = threading.Thread(target=lambda: out.append(fn(*args)), daemon=True)
    thread.start()
    return thread, out


def test_quiet_at_once_when_no_page_is_drawn():
    assert activity.reruns_running() == 0
    assert activity.wait_until_quiet(0.0) is True


def test_a_waiter_starts_when_the_last_rerun_ends_and_not_before():
    first, second = activity.page_rerun(), activity.page_rerun()
    first.__enter__()
    second.__enter__()
    assert activity.reruns_running() == 2
    waiter, result = _in_thread(activity.wait_until_quiet, 30)
    try:
        first.__exit__(None, None, None)
        waiter.join(0.3)
        assert waiter.is_alive()  # one rerun is still running
    finally:
        second.__exit__(None, None, None)
    waiter.join(5)
    assert result == [True] and activity.reruns_running() == 0


def test_the_wait_runs_out_and_a_failed_rerun_still_counts_as_ended():
    with activity.page_rerun():
        started = time.monotonic()
        assert activity.wait_until_quiet(0.1) is False
        assert time.monotonic() - started >= 0.1
    with pytest.raises(RuntimeError), activity.page_rerun():
        raise RuntimeError("a script that failed")
    assert activity.reruns_running() == 0


def test_the_keras_check_waits_while_a_page_is_drawn(monkeypatch):
    from explorer.ui.cache import checks

    monkeypatch.setattr(checks, "CHECK_DELAY_S", 0)
    monkeypatch.setattr(checks, "CHECK_MAX_WAIT_S", 30)
    cfg = LSTMConfig(timesteps=3, features=2, units=(2,), return_sequences=(False,))
    model, x = build_model(cfg), make_sequence("sine", timesteps=3, features=2, batch_size=1, seed=0)
    tr = trace(model, x)
    with activity.page_rerun():
        check, result = _in_thread(checks._locked_check, weakref.ref(model), x, weakref.ref(tr))
        check.join(0.5)
        assert check.is_alive() and not result  # waiting: the page's rerun goes first
    check.join(60)
    assert result and result[0] < 1e-5


def test_building_ahead_yields_to_a_running_rerun(monkeypatch):
    from explorer.ui.cache import prefetch
    from explorer.ui.cache.models import MODELS

    monkeypatch.setattr(prefetch, "PREFETCH_DELAY_S", 0)
    monkeypatch.setattr(prefetch, "PREFETCH_MAX_WAIT_S", 30)
    cfg = LSTMConfig(timesteps=3, features=2, units=(3,), return_sequences=(False,), seed=4242)
    assert (cfg, None) not in MODELS
    with activity.page_rerun():
        build, _ = _in_thread(prefetch._build_ahead, cfg)
        build.join(0.5)
        assert build.is_alive() and (cfg, None) not in MODELS
    build.join(60)
    assert (cfg, None) in MODELS


def test_a_session_that_reruns_fast_lets_the_others_go_first(monkeypatch):
    from collections import deque

    monkeypatch.setattr(activity, "RAPID_MAX_WAIT_S", 0.2)
    learner = deque()
    for k in range(6):  # a move every 1.5 s: never rapid, never waits, even on a busy server
        with activity.page_rerun():
            assert activity.yield_if_rapid(learner, now=100 + 1.5 * k) == 0.0
    hammer = deque()
    assert [activity.yield_if_rapid(hammer, now=200 + 0.1 * k) for k in range(3)] == [0.0] * 3  # idle server
    assert activity.yield_if_rapid(hammer, now=200.3) < 0.1  # rapid, but nobody else is being drawn
    with activity.page_rerun():  # another session's rerun is running
        assert activity.yield_if_rapid(hammer, now=200.4) >= 0.2  # rapid: it waited (at most the cap)
    assert len(hammer) == 5 and activity.yield_if_rapid(hammer, now=210) == 0.0  # later, calm again
    assert list(hammer) == [210]


def test_a_heavy_run_waits_at_its_checkpoints_for_the_learners_runs_and_no_longer_than_its_cap(monkeypatch):
    monkeypatch.setattr(activity, "CHECKPOINT_MAX_WAIT_S", 5.0)
    learner = activity.page_rerun()
    learner.__enter__()
    assert activity.learners_running() == 1 and activity.let_learners_first() == 0.0  # not heavy: never waits

    def heavy_run():
        with activity.page_rerun(heavy=True):
            assert activity.learners_running() == 1  # a heavy run is not a learner's
            return activity.let_learners_first()

    heavy, waited = _in_thread(heavy_run)
    try:
        heavy.join(0.3)
        assert heavy.is_alive()  # paused while the learner's run is under way
    finally:
        learner.__exit__(None, None, None)
    heavy.join(5)
    assert 0.25 < waited[0] < 5 and activity.reruns_running() == 0
    monkeypatch.setattr(activity, "RUN_MAX_WAIT_S", 0.2)  # the cap: slowed, never starved
    learner = activity.page_rerun()
    learner.__enter__()
    try:
        heavy, waited = _in_thread(heavy_run)
        heavy.join(5)
        assert not heavy.is_alive() and waited[0] < 0.5
    finally:
        learner.__exit__(None, None, None)


def test_what_makes_a_session_heavy():
    now = 1000.0
    assert not activity.is_rapid([now - 5, now - 3], now) and activity.is_rapid([now - 1.5, now - 1, now - 0.2], now)
    activity._OPENED.clear()
    opened = [activity.opened_in_a_flood(now + 0.1 * k) for k in range(12)]
    assert opened[: activity.FLOOD_SESSIONS + 1] == [False] * (activity.FLOOD_SESSIONS + 1) and all(opened[-2:])
    assert not activity.opened_in_a_flood(now + 100)  # the burst has left the window
    activity._OPENED.clear()


def test_a_flood_makes_only_a_sessions_first_run_heavy_and_a_fast_rerunner_stays_heavy_a_while():
    from explorer.admission import RateLimit
    from explorer.ui.priority import HEAVY_FOR_S, is_heavy

    now = 2000.0
    activity._OPENED.clear()
    for k in range(activity.FLOOD_SESSIONS + 1):
        activity.opened_in_a_flood(now + 0.01 * k)  # a class opening its link at once
    late: dict = {}
    assert is_heavy(late, now + 0.5)  # its first run opens after the others' …
    assert not is_heavy(late, now + 3)  # … and its sliders move as a learner's
    script: dict = {"_rerun_starts": [now + 4, now + 4.2, now + 4.4]}
    assert is_heavy(script, now + 4.5) and not is_heavy({}, now + 100)  # a fresh session after the flood: a learner
    script["_rerun_starts"] = []
    assert is_heavy(script, now + 4.5 + HEAVY_FOR_S - 1) and not is_heavy(script, now + 4.5 + HEAVY_FOR_S + 0.1)
    limited = {"_train_starts": RateLimit(1, 30.0)}
    limited["_train_starts"].admit(now=now)
    assert is_heavy(limited, now + 1)  # a used-up rate limit
    activity._OPENED.clear()


def test_a_rate_limit_says_when_the_next_start_is_allowed():
    from explorer.admission import RateLimit

    limit = RateLimit(3, 30.0)
    assert [limit.admit(now=t) for t in (0.0, 1.0, 2.0)] == [None, None, None]
    assert limit.admit_would_wait(now=5.0) and limit.admit(now=5.0) == 25.0
    assert not limit.admit_would_wait(now=30.5) and limit.admit(now=30.5) is None


def test_heavy_sessions_runs_take_turns_and_learners_never_wait_for_a_turn(monkeypatch):
    monkeypatch.setattr(activity, "LANE", HeavyLane(slots=1, share=1.0, max_wait_s=5.0))
    release = threading.Event()

    def heavy_run(hold: bool):
        with activity.page_rerun(heavy=True):
            if hold:
                release.wait(10)
            return time.monotonic()

    first, _ = _in_thread(heavy_run, True)
    time.sleep(0.1)
    second, ended = _in_thread(heavy_run, False)
    second.join(0.3)
    assert second.is_alive()  # waits for the heavy run under way
    with activity.page_rerun():  # a learner's run: no turn to wait for
        assert activity.reruns_running() == 2
    released = time.monotonic()
    release.set()
    for thread in (first, second):
        thread.join(5)
    assert ended and ended[0] >= released and activity.reruns_running() == 0
    monkeypatch.setattr(activity.LANE, "max_wait_s", 0.2)  # the cap: slowed, never starved
    release.clear()
    first, _ = _in_thread(heavy_run, True)
    time.sleep(0.1)
    started = time.monotonic()
    second, ended = _in_thread(heavy_run, False)
    second.join(5)
    release.set()
    first.join(5)
    assert ended and 0.15 < ended[0] - started < 2


def test_a_heavy_run_and_tensorflows_compute_threads_run_at_a_lower_cpu_priority():
    """In a process of its own: a thread's nice value cannot be lowered back (the tests' threads keep theirs)."""
    import subprocess
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("nice values per thread are Linux's")
    script = """
import threading
from explorer import activity
from explorer.os_priority import BACKGROUND_NICE, lower_tensorflow_threads, thread_nice
seen = {}
def run(heavy):
    with activity.page_rerun(heavy=heavy):
        seen[heavy] = thread_nice()
for heavy in (False, True):
    t = threading.Thread(target=run, args=(heavy,)); t.start(); t.join()
import tensorflow as tf
tf.function(lambda x: tf.reduce_sum(tf.matmul(x, x)))(tf.ones((64, 64)))
print(seen[False], seen[True], BACKGROUND_NICE, thread_nice(), lower_tensorflow_threads())
"""
    env = {**os.environ, "LSTM_EXPLORER_BACKGROUND_NICE": "10"}  # (the tests' own set-up turns it off)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True, env=env)
    learner, heavy, nice, main, tensorflow = map(int, out.stdout.split()[-5:])
    assert (learner, heavy, main) == (0, nice, 0) and nice == 10  # the learner's run and the rest of the process: as they were
    assert tensorflow >= 1  # TensorFlow's compute threads, lowered
