"""The load benchmark still speaks Streamlit's protocol: a simulated learner's slider move changes what the
server sends, a focus move is answered by the view's fragment alone, and a short run of two learners (20 s) ends
with no errors."""

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_load import class_run
from load_client import Learner

from tests.browser_harness import streamlit_server


def test_a_simulated_slider_move_changes_the_model_the_server_shows():
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

    with streamlit_server() as (url, _proc, _):
        opened, bounds, before, moved, after, checking, checked, focus, again = asyncio.run(scenario(url))
        users = asyncio.run(class_run(url, 2, 20, (2, 5), 0.0, False, seed=1))
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
