"""A bounded, thread-safe store of values built once per key (Keras models and traces, here).

Like ``st.cache_resource``, but usable from a background thread as well as from
a script run, so the app can build the model a learner will most likely ask for
next while they look at the current one (see `explorer.stepping`); and bounded
by what its values cost (bytes, parameters) as well as by their number, so a few
large models cannot take the memory that a dozen small ones fit in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedStore(Generic[K, V]):
    """Maps a key to ``build(key)``, built once even when asked from several threads at a time.

    Holds at most ``max_entries`` values and, when ``cost`` is given, values costing at most
    ``max_cost`` together (``cost(value)`` is measured once, when the value is built); the least
    recently used go first, but the value just built always stays, and a value still being built
    is never dropped (another session waiting for it would build it again: with a class of
    learners that turned into rebuilds one after another); the store may exceed ``max_entries``
    while builds are under way. A build that raises is not kept (the next ``get`` tries again).
    """

    def __init__(
        self,
        build: Callable[[K], V],
        max_entries: int,
        *,
        cost: Callable[[V], float] | None = None,
        max_cost: float = float("inf"),
    ):
        self._build = build
        self._max_entries = max_entries
        self._cost = cost
        self._max_cost = max_cost
        self._lock = threading.Lock()
        self._items: OrderedDict[K, Future] = OrderedDict()
        self._costs: dict[K, float] = {}  # built values only

    def get(self, key: K) -> V:
        """The value for ``key``: built now, being built by another thread (waits for it), or kept."""
        with self._lock:
            future = self._items.get(key)
            builder = future is None
            if builder:
                future = self._items[key] = Future()
                self._trim_to_max_entries()
            else:
                self._items.move_to_end(key)
        if builder:
            try:
                value = self._build(key)
            except BaseException as exc:
                future.set_exception(exc)
                with self._lock:
                    if self._items.get(key) is future:
                        self._forget(key)
                raise
            future.set_result(value)
            if self._cost is not None:
                self._keep_within_budget(key, future, self._cost(value))
            with self._lock:
                self._trim_to_max_entries(keep=key)  # entries kept over the count while they were being built
        return future.result()

    def _trim_to_max_entries(self, keep: K | None = None) -> None:
        """Drop the least recently used *built* values until at most ``max_entries`` remain (pending builds stay,
        and so does ``keep``, the value just built)."""
        excess = len(self._items) - self._max_entries
        for old in [k for k, f in self._items.items() if f.done() and k != keep][: max(excess, 0)]:
            self._forget(old)

    def _keep_within_budget(self, key: K, future: Future, cost: float) -> None:
        with self._lock:
            if self._items.get(key) is not future:
                return  # already pushed out by newer entries
            self._costs[key] = cost
            for old in [k for k in self._items if k != key]:  # least recently used first
                if self.total_cost <= self._max_cost:
                    break
                if old in self._costs:  # values still being built cost nothing yet
                    self._forget(old)

    def _forget(self, key: K) -> None:
        del self._items[key]
        self._costs.pop(key, None)

    @property
    def total_cost(self) -> float:
        """What the built values kept cost together (0 without a ``cost`` function)."""
        return sum(self._costs.values())

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
