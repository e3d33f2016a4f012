"""Session-wide test set-up."""

import sys

import pytest


@pytest.fixture(autouse=True, scope="session")
def _no_background_keras_work_after_the_tests():
    """The app's background builds and checks finish inside the session (its warning filters, no stray threads)."""
    yield
    cache = sys.modules.get("explorer.ui.cache")
    if cache is not None:
        cache.shut_down_background_work()
    fence = sys.modules.get("explorer.upload.fence")
    if fence is not None and fence._QUEUE is not None:  # the fenced loader's worker process, if a test started it
        fence._QUEUE.loader.stop()
