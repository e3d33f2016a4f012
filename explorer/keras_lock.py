"""Who may be inside Keras at once, and when Keras's global state may be cleared.

Streamlit calls ``keras.backend.clear_session()`` after every rerun. It swaps Keras's
global (per-thread) state for a fresh one and clears TensorFlow's kernel cache, which
would break another thread that is in the middle of building a model or tracing a
function. Two shared locks keep that from happening without making anyone wait for anyone:

- `KERAS_LOCK` (shared): model builds and checks, short (ms to ~1 s). Builds run side by
  side: Keras's global state is per thread, and each build has its own seeds and names, so a
  learner's small model never queues behind another session's large one.
- `TRAINING` (shared): every training chunk holds it for one compiled call (tens of ms);
  any number of chunks run at once, on as many cores as there are.

The per-rerun clear is the only exclusive holder: it takes both only if both are free
*right now* (`try_exclusive`), and skips otherwise (the next rerun clears). A job never
holds either for its whole run, so a clear finds a gap between chunks.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class SharedLock:
    """Many holders at once (`shared`, or ``with lock:``), or one exclusive holder that never waits (`try_exclusive`).

    A shared hold is re-entrant (a build inside a check holds it twice): only the exclusive holder, which never
    waits for anything, can make a shared holder wait, and only for as long as it runs.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._holders = 0
        self._exclusive = False

    def shared(self) -> SharedLock:
        """Hold the lock along with any other shared holders (waits only while an exclusive holder runs)."""
        return self

    def __enter__(self) -> None:
        with self._cond:
            while self._exclusive:
                self._cond.wait()
            self._holders += 1

    def __exit__(self, *exc) -> None:
        with self._cond:
            self._holders -= 1
            self._cond.notify_all()

    @contextmanager
    def try_exclusive(self) -> Iterator[bool]:
        """Yields True while held alone, or False at once when anyone holds it (nothing is held then)."""
        with self._cond:
            got = not self._exclusive and self._holders == 0
            if got:
                self._exclusive = True
        try:
            yield got
        finally:
            if got:
                with self._cond:
                    self._exclusive = False
                    self._cond.notify_all()

    @property
    def holders(self) -> int:
        """How many shared holders there are now."""
        with self._cond:
            return self._holders


KERAS_LOCK = SharedLock()  # held (shared) while building a model or running Keras in a check
TRAINING = SharedLock()
