"""A bounded, thread-safe store of values built once per key (Keras models, here).

Like ``st.cache_resource``, but usable from a background thread as well as from
a script run, so the app can build the model a learner will most likely ask for
next while they look at the current one (see `explorer.stepping`).
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

    Holds at most ``max_entries`` values; the least recently used goes first. A build
    that raises is not kept (the next ``get`` tries again).
    """

    def __init__(self, build: Callable[[K], V], max_entries: int):
        self._build = build
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._items: OrderedDict[K, Future] = OrderedDict()

    def get(self, key: K) -> V:
        """The value for ``key``: built now, being built by another thread (waits for it), or kept."""
        with self._lock:
            future = self._items.get(key)
            builder = future is None
            if builder:
                future = self._items[key] = Future()
                while len(self._items) > self._max_entries:
                    self._items.popitem(last=False)
            else:
                self._items.move_to_end(key)
        if builder:
            try:
                future.set_result(self._build(key))
            except BaseException as exc:
                future.set_exception(exc)
                with self._lock:
                    if self._items.get(key) is future:
                        del self._items[key]
        return future.result()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
