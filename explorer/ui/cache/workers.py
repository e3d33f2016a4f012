"""The background threads (model prefetch, Keras check): single-thread executors that end with the process."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

_BACKGROUND: list[ThreadPoolExecutor] = []  # every single-thread executor made below, for shut_down_background_work


def _background_thread(name: str) -> ThreadPoolExecutor:
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    _BACKGROUND.append(executor)
    return executor


def shut_down_background_work() -> None:
    """Drop the queued builds and checks and wait for the running ones: at the end of a process (the tests call it,
    so no Keras work outlives their session). The app cannot start background work afterwards."""
    for executor in list(_BACKGROUND):
        executor.shutdown(wait=True, cancel_futures=True)
