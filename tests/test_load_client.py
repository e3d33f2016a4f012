"""The load benchmark still speaks Streamlit's protocol: a simulated learner's slider move changes what the
server sends, a focus move is answered by the view's fragment alone, a short run of two learners (20 s) ends
with no errors, and an upload goes through the uploader as a browser's does."""

import asyncio
import sys
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_load import class_run
from load_client import Learner

from tests.browser_harness import streamlit_server

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as (url, _proc, _):
        yield url


def test_a_simulated_slider_move_changes_the_model_the_server_shows(server):
    async def scenario(url):
        user = Learner(url, "view=gates")
        opened = await user.open()
        bounds = user.slider_bounds["step"], user.slider_bounds["units_1"]
        before = user.metrics.get("Parameters")
        moved = await user.set_slider("units_1", 15)
        after = user.metrics.get("Parameters")
        checking = await user.set_slider("step", 3, kind="focus")  # the badge still polls: the view alone reruns
        for _ in range(600):
            if "vs Keras =" in user.keras_badge:
                break
            await asyncio.sleep(0.1)
        checked = user.keras_badge  # (its polls went on after the view's run)
        focus = await user.set_slider("step", 4, kind="focus")
        again = await user.set_slider("units_1", 14)  # the page again, after a fragment run
        await user.close()
        return opened, bounds, before, moved, after, checking, checked, focus, again

    opened, bounds, before, moved, after, checking, checked, focus, again = asyncio.run(scenario(server))
    users = asyncio.run(class_run(server, 2, 20, (2, 5), 0.0, False, seed=1))
    assert opened.ok and moved.ok and moved.messages > 10 and not moved.fragment
    assert bounds == ((1, 12), (1, 256))  # each slider's own range, as drawn (the walk never presses past an end)
    assert checking.ok and checking.fragment and "vs Keras =" in checked  # the view restarted the badge's polling
    assert focus.ok and focus.fragment and focus.messages < moved.messages / 4  # the gates view only, not the page
    assert again.ok and not again.fragment and again.messages > 10
    lstm = lambda units, inputs: 4 * (units * (inputs + units) + units)  # noqa: E731 (Keras's LSTM parameter count)
    assert (before, after) == (f"{lstm(16, 3) + lstm(8, 16):,}", f"{lstm(15, 3) + lstm(8, 15):,}")  # lstm_1: 16 → 15
    results = [r for u in users for r in u.results]
    assert results and all(r.ok for r in results), [r for r in results if not r.ok]
    assert any(r.kind in ("slider", "focus") for r in results)


def _stored_upload_bytes(url: str) -> int:
    """What Streamlit's in-memory upload store holds, from its own metrics endpoint."""
    text = urllib.request.urlopen(url + "/_stcore/metrics", timeout=10).read().decode()
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines() if 'cache_type="UploadedFileManager"' in line)


def test_uploads_through_the_protocol_and_a_script_that_never_deletes_is_kept_to_two_files(server):
    async def scenario(url):
        user = Learner(url, "")
        await user.open()
        bomb = (CORPUS / "not_a_model.keras").read_bytes()
        refused = await user.upload("model_file", "not_a_model.keras", bomb)
        said = list(user.alerts)
        good = await user.upload("model_file", "good_stack.keras", (CORPUS / "good_stack.keras").read_bytes())
        for _ in range(300):  # the loader answers; the status fragment's poll reruns the page
            if any("Every view shows **your model**" in a for a in user.alerts):
                break
            await asyncio.sleep(0.1)
        shown = user.metrics.get("Parameters")
        big = bytes(2 * 2**20)  # not a model: refused at once, but Streamlit stored it first
        for k in range(6):
            await user.upload("model_file", f"junk_{k}.keras", big, delete_previous=False)
        await asyncio.sleep(1.0)  # a sweep or more
        stored = _stored_upload_bytes(url)
        await user.close()
        return refused, said, good, shown, stored

    refused, said, good, shown, stored = asyncio.run(scenario(server))
    assert refused.ok and any("not a Keras model file" in a for a in said)
    assert good.ok and shown == "602"  # good_stack.keras: LSTM(8) → LSTM(4) → Dense(2)
    assert stored <= 2 * (2 * 2**20) + 4096  # six uploads, two kept
