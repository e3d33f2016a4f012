"""Session-wide test set-up."""

import os
import shutil
import sys
import tempfile

import pytest

# The tests run the browser on the server's own two cores: training at a lower CPU priority than Chromium's drawing
# (`explorer.os_priority`, right for a server of its own) starved the tests' training runs (a picture's lesson run
# waited past 120 s). The servers the tests start, and this process, keep every thread at the same priority; the
# priority itself is tested in a process of its own (tests/test_activity.py), and the benchmarks keep the default.
os.environ.setdefault("LSTM_EXPLORER_BACKGROUND_NICE", "0")

# The suite runs in two processes (pytest-xdist, `addopts` in pyproject.toml). Each keeps its temporary files, and those
# of the servers it starts, in a folder of its own, so a test that checks what a load left behind sees only its own.
_WORKER_TMP = None
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    _WORKER_TMP = tempfile.mkdtemp(prefix=f"lstm-explorer-tests-{worker}-")
    os.environ["TMPDIR"] = tempfile.tempdir = _WORKER_TMP


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
    if _WORKER_TMP:
        shutil.rmtree(_WORKER_TMP, ignore_errors=True)


# The browser tests' shared fixtures (a module that defines its own ``server`` uses that one).


@pytest.fixture(scope="module")
def server():
    """The real app on a free loopback port, for one test module; yields its URL."""
    from tests.browser_harness import streamlit_server

    with streamlit_server() as (url, _proc, _started):
        yield url


@pytest.fixture(scope="module")
def playwright():
    """Playwright's sync API for one test module (it drives Debian's Chromium: `tests.browser_harness`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p
