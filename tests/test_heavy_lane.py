"""The heavy lane: heavy runs take turns in arrival order, rest in proportion to their work, and are never starved."""

import threading
import time

import pytest

from explorer.heavy_lane import HeavyLane, lane_from_environment


def _enter_in_thread(lane: HeavyLane, log: list, name: str) -> threading.Thread:
    def run():
        turn = lane.enter()
        log.append((name, turn, time.monotonic()))
        lane.leave(turn, 0.0)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_turns_go_in_arrival_order_one_at_a_time():
    lane, log = HeavyLane(slots=1, share=1.0, max_wait_s=5.0), []
    assert lane.enter() is True  # a run under way holds the only turn
    threads = []
    for name in "abcd":
        threads.append(_enter_in_thread(lane, log, name))
        time.sleep(0.05)  # arrive in this order
    time.sleep(0.2)
    assert log == [] and lane.waiting() == 4  # nobody starts while the turn is taken
    lane.leave(True, 0.0)
    for thread in threads:
        thread.join(5)
    assert [name for name, _, _ in log] == list("abcd") and all(turn for _, turn, _ in log)


def test_the_lane_rests_so_heavy_runs_take_only_their_share_of_the_time():
    lane = HeavyLane(slots=1, share=0.25, max_wait_s=5.0)
    assert lane.enter() is True
    left = time.monotonic()
    lane.leave(True, 0.1)  # 0.1 s of work at a 25 % share: the lane rests 0.3 s
    assert lane.enter() is True
    waited = time.monotonic() - left
    lane.leave(True, 0.0)
    assert 0.25 <= waited < 1.0
    quick = time.monotonic()
    assert lane.enter() is True  # a run that did no work leaves no rest
    assert time.monotonic() - quick < 0.1


def test_a_run_that_waited_its_longest_goes_ahead_without_a_turn_and_gives_nothing_back():
    lane = HeavyLane(slots=1, share=1.0, max_wait_s=0.2)
    assert lane.enter() is True
    started = time.monotonic()
    assert lane.enter() is False  # slowed, never starved
    assert 0.15 <= time.monotonic() - started < 1.0
    lane.leave(False, 0.0)  # it had no turn: the one under way still holds it
    assert lane.enter() is False
    lane.leave(True, 0.0)
    assert lane.enter() is True


def test_settings_come_from_the_environment_and_nonsense_is_refused(monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_HEAVY_SLOTS", "2")
    monkeypatch.setenv("LSTM_EXPLORER_HEAVY_SHARE", "0.5")
    monkeypatch.setenv("LSTM_EXPLORER_HEAVY_MAX_WAIT_S", "4")
    lane = lane_from_environment()
    assert (lane.slots, lane.share, lane.max_wait_s) == (2, 0.5, 4.0)
    with pytest.raises(ValueError, match="share"):
        HeavyLane(share=0)
    with pytest.raises(ValueError, match="slots"):
        HeavyLane(slots=0)


def test_the_lane_rests_only_while_someone_gains_from_it():
    about = [False]
    lane = HeavyLane(slots=1, share=0.1, max_wait_s=5.0, rest_needed=lambda: about[0])
    assert lane.enter() is True
    lane.leave(True, 0.5)  # 4.5 s of rest, if anyone needed it
    quick = time.monotonic()
    assert lane.enter() is True  # alone on the server: no rest
    assert time.monotonic() - quick < 0.1
    lane.leave(True, 0.5)
    about[0] = True  # learners arrive: the lane rests …
    log: list = []
    thread = _enter_in_thread(lane, log, "a")
    time.sleep(0.4)
    assert log == []
    about[0] = False  # … until they leave
    thread.join(2)
    assert log and log[0][1] is True
