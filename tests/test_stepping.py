"""Building ahead: which config is one key press away, and the store that holds built models."""

import threading
import time

import pytest

from explorer.config import LSTMConfig
from explorer.stepping import next_configs
from explorer.ui.store import BoundedStore

BASE = LSTMConfig(timesteps=12, features=3, units=(16, 8), return_sequences=(True, False))


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (BASE.replace(units=(17, 8)), BASE.replace(units=(18, 8))),  # stepping up: one more up
        (BASE.replace(units=(15, 8)), BASE.replace(units=(14, 8))),  # stepping down: one more down
        (BASE.replace(units=(16, 9)), BASE.replace(units=(16, 10))),  # the second layer's slider
        (BASE.replace(timesteps=11), BASE.replace(timesteps=10)),
        (BASE.replace(features=4), BASE.replace(features=5)),
        (BASE.replace(head_units=1), BASE.replace(head_units=2)),
    ],
)
def test_the_next_config_continues_the_step(current, expected):
    assert next_configs(BASE, current) == [expected]


@pytest.mark.parametrize(
    "current",
    [
        BASE,  # nothing changed (a focus slider moved)
        BASE.replace(units=(17, 9)),  # two fields at once
        BASE.replace(units=(17, 8), go_backwards=True),  # an option changed as well
        BASE.replace(units=(20, 8)).replace(go_backwards=True),
        BASE.replace(units=(16, 8, 4), return_sequences=(True, True, False)),  # a layer added
        BASE.replace(return_sequences=(False, False)),  # a toggle: no "next" toggle
    ],
)
def test_no_guess_when_the_step_is_not_a_single_field(current):
    assert next_configs(BASE, current) == []


def test_no_guess_past_the_end_of_a_slider_or_without_a_previous_config():
    assert next_configs(BASE.replace(units=(255, 8)), BASE.replace(units=(256, 8))) == []
    assert next_configs(BASE.replace(timesteps=2), BASE.replace(timesteps=1)) == []
    assert next_configs(None, BASE) == []


def test_store_builds_once_and_forgets_the_least_recently_used():
    built = []
    store = BoundedStore(lambda k: built.append(k) or k * 10, max_entries=2)
    assert store.get(1) == 10 and store.get(2) == 20 and store.get(1) == 10
    assert built == [1, 2]
    store.get(3)  # evicts 2, the least recently used
    assert 2 not in store and 1 in store and 3 in store and len(store) == 2
    store.get(2)
    assert built == [1, 2, 3, 2]


def test_store_builds_once_when_two_threads_ask_at_the_same_time():
    calls = []

    def slow_build(key):
        calls.append(key)
        time.sleep(0.2)
        return object()

    store = BoundedStore(slow_build, max_entries=4)
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.get("cfg"))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["cfg"] and len(results) == 4 and all(r is results[0] for r in results)


def test_store_does_not_keep_a_failed_build():
    attempts = []

    def flaky(key):
        attempts.append(key)
        if len(attempts) == 1:
            raise RuntimeError("first build fails")
        return "ok"

    store = BoundedStore(flaky, max_entries=2)
    with pytest.raises(RuntimeError):
        store.get("k")
    assert "k" not in store
    assert store.get("k") == "ok" and attempts == ["k", "k"]


def test_store_keeps_its_values_within_a_cost_budget():
    store = BoundedStore(lambda k: k, max_entries=10, cost=lambda v: v, max_cost=10)
    for k in (1, 2, 3):
        store.get(k)
    assert store.total_cost == 6 and len(store) == 3
    store.get(1)  # used again: now 2 is the least recently used
    store.get(5)  # 11 > 10: 2 goes (9 left)
    assert [k in store for k in (1, 2, 3, 5)] == [True, False, True, True] and store.total_cost == 9
    store.get(8)  # 17: 3, 1 and 5 go, in that order, until 8 fits alone
    assert [k in store for k in (1, 3, 5, 8)] == [False, False, False, True] and store.total_cost == 8
    store.get(30)  # larger than the whole budget: kept alone, since it is what was just asked for
    assert 30 in store and len(store) == 1 and store.total_cost == 30


def test_a_value_being_built_is_not_evicted_for_the_budget():
    release = threading.Event()

    def build(k):
        if k == "slow":
            release.wait(5)
        return 4

    store = BoundedStore(build, max_entries=10, cost=lambda v: v, max_cost=6)
    slow = threading.Thread(target=store.get, args=("slow",))
    slow.start()
    time.sleep(0.05)
    store.get("a")
    store.get("b")  # 8 > 6: "a" goes; "slow", still building, stays
    assert "slow" in store and "a" not in store and "b" in store
    release.set()
    slow.join()
    assert "slow" in store and "b" not in store and store.total_cost == 4  # "slow" done: the budget holds again


def test_a_value_being_built_is_not_evicted_for_the_count():
    """Thirty learners' builds in flight must not push each other out (each would be built again)."""
    release = threading.Event()
    calls = []

    def slow(key):
        calls.append(key)
        if key == "slow":
            release.wait(5)
        return key

    store = BoundedStore(slow, max_entries=1)
    waiter = threading.Thread(target=store.get, args=("slow",))
    waiter.start()
    time.sleep(0.05)
    for k in ("a", "b", "c"):  # three more values while "slow" is still being built
        assert store.get(k) == k
    assert "slow" in store and "c" in store and len(store) == 2  # over the count by the pending build only
    second = threading.Thread(target=store.get, args=("slow",))  # another learner asks for it meanwhile
    second.start()
    release.set()
    waiter.join(), second.join()
    assert calls.count("slow") == 1  # built once
    assert len(store) == 1 and "slow" in store  # back within the count once built: the newest value stays
