"""Background work at a lower CPU priority than the pages learners are waiting for (Linux; elsewhere a no-op).

Training is TensorFlow's native threads computing for seconds on end: on two cores, two jobs took the CPU a rerun
needed. Linux keeps a nice value per thread, and its scheduler gives a thread at nice 10 about a tenth of what one
at nice 0 gets when both want the same core, and all of a core nobody else wants. So a job still trains at full
speed on an idle server, and in the gaps of a busy one.

An unprivileged thread may raise its nice value but never lower it again; so only threads that do nothing else are
lowered: the training workers, TensorFlow's compute threads, and the script thread of a heavy session's run
(Streamlit starts a new thread for each run).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

BACKGROUND_NICE = int(os.environ.get("LSTM_EXPLORER_BACKGROUND_NICE", "10"))  # 0: no lowering
TENSORFLOW_THREADS = ("tf_",)  # the names TensorFlow gives its compute threads (tf_Compute, tf_graph_runner, …)


def _supported() -> bool:
    return sys.platform.startswith("linux") and BACKGROUND_NICE > 0


def _lower(tid: int, nice: int) -> bool:
    try:
        if os.getpriority(os.PRIO_PROCESS, tid) < nice:
            os.setpriority(os.PRIO_PROCESS, tid, nice)  # Linux: this thread only (NPTL keeps nice per thread)
        return True
    except OSError:  # the thread ended meanwhile, or the system refuses
        return False


def lower_this_thread(nice: int = BACKGROUND_NICE) -> bool:
    """Give the calling thread the nice value ``nice`` (never back up). Returns whether it is lowered."""
    return _supported() and _lower(threading.get_native_id(), nice)


def lower_tensorflow_threads(nice: int = BACKGROUND_NICE) -> int:
    """Give TensorFlow's compute threads the nice value ``nice``; returns how many there are at it now.

    They are created when TensorFlow first runs and shared by all its work (training, the Keras checks, the
    builds); the page's own Keras work is short, and a check that finishes later only delays its badge.
    """
    if not _supported():
        return 0
    lowered = 0
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
        except OSError:
            continue
        if name.startswith(TENSORFLOW_THREADS) and _lower(int(task.name), nice):
            lowered += 1
    return lowered


def thread_nice(tid: int | None = None) -> int:
    """The nice value of thread ``tid`` (default: the calling thread)."""
    return os.getpriority(os.PRIO_PROCESS, tid or threading.get_native_id())
