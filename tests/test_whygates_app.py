"""The Why gates tab on the page: the gradient through time of the live model beside a GRU and a SimpleRNN of its size
(their sizes Keras's own), the three trained side by side on the pool, the forget-bias LSTM, and the sweep over T."""

from __future__ import annotations

import time

import numpy as np

from explorer.training.jobs import JobState
from explorer.whygates.compare import build_recurrent, matched_units
from tests.test_app import assert_clean, figures, new_app, plotly_array


def wait_for(at, key: str, timeout: float = 120):
    """Rerun while this session's jobs under ``key`` train, as the page's polling does."""
    deadline = time.time() + timeout
    while any(job.progress().active for job in at.session_state[key].values()):
        assert time.time() < deadline, {n: j.progress().state for n, j in at.session_state[key].items()}
        time.sleep(0.3)
        at.run()
        assert_clean(at)
    at.run()
    assert_clean(at)
    return at.session_state[key]


def test_the_tab_shows_the_gradient_of_three_models_of_one_size():
    at = new_app({"task": "first", "timesteps": "30", "view": "why"})
    assert_clean(at)
    why = figures(at)["why"]
    names = [t["name"] for t in why["data"]]
    assert [t["meta"] for t in why["data"]] == [
        "gradient:LSTM",
        "gradient:GRU",
        "gradient:SimpleRNN",
        "forget:mean",
        "forget:max",
    ]
    features, units = 3, at.slider(key="units_1").value
    for kind, name in zip(("GRU", "SimpleRNN"), names[1:3], strict=True):  # the sizes shown are what Keras counts
        n = matched_units(kind, units, features)
        layer = build_recurrent(kind, n, 30, features, (3, "softmax"), per_step=False, seed=0).layers[0]
        assert name == f"{kind}, {n} units, {layer.count_params():,} parameters"
    assert len(plotly_array(why["data"][0]["x"])) == 30 and why["layout"]["yaxis"]["type"] == "log"
    assert any("What reaches step 1" in m.value for m in at.markdown)
    assert any("tf.GradientTape" in c.value for c in at.caption)


def test_without_a_task_or_with_a_real_model_the_tab_says_why():
    at = new_app({"view": "why"})
    assert_clean(at)
    assert "why" not in figures(at) and any("task=first&timesteps=30&view=why" in i.value for i in at.info)
    at = new_app({"view": "why", "task": "brackets", "bidirectional": "1", "units": "6", "timesteps": "12"})
    assert_clean(at)
    assert "why" not in figures(at)


def test_the_three_train_side_by_side_and_the_forget_bias_lstms_join_them():
    at = new_app({"task": "first", "timesteps": "10", "units": "8", "view": "why", "epochs": "1"})
    at.session_state["why_forget_biases"] = [0.0, 3.0]  # the pills: b_f = 0 and b_f = 3 besides Keras's default
    at.run()
    at.button(key="why_race").click().run()
    assert_clean(at)
    jobs = wait_for(at, "_race")
    assert list(jobs) == ["LSTM", "GRU", "SimpleRNN", "LSTM, b_f = 0", "LSTM, b_f = 3"]
    specs = [j.spec for j in jobs.values()]
    assert {(s.task, s.seed, s.model.timesteps, s.epochs) for s in specs} == {("first", 0, 10, 1)}  # one task, data, seed
    assert [s.cell for s in specs] == ["LSTM", "GRU", "SimpleRNN", "LSTM", "LSTM"]
    assert [s.forget_bias for s in specs] == [None, None, None, 0.0, 3.0]
    assert all(j.progress().state is JobState.DONE for j in jobs.values())
    shown = figures(at)
    race = shown["why_race"]
    names = [*jobs, "baseline"]
    assert [t["meta"] for t in race["data"]] == [f"loss:{n}" for n in jobs] + ["baseline"] and len(names) == 6
    assert all(("✓" in t["name"]) != ("✗" in t["name"]) for t in race["data"][:5])  # each says solved or not
    last = {n: j.progress().snapshots[-1] for n, j in jobs.items()}
    assert [round(last[n].loss, 6) for n in jobs] == [round(float(plotly_array(t["y"])[-1]), 6) for t in race["data"][:5]]
    why = shown["why"]
    assert "after training" in why["layout"]["title"]["text"]
    assert len([t for t in why["data"] if t["meta"].startswith("gradient:")]) == 5
    start = {n: np.asarray(jobs[n].progress().snapshots[0].arrays[2]) for n in ("LSTM", "LSTM, b_f = 0", "LSTM, b_f = 3")}
    units = specs[0].cell_units  # the three LSTMs' biases at step 0 differ in their forget slice only
    assert [float(start[n][units : 2 * units].mean()) for n in start] == [1.0, 0.0, 3.0]


def test_the_sweep_trains_the_three_at_three_lengths():
    at = new_app({"task": "first", "timesteps": "10", "units": "4", "view": "why", "epochs": "1", "train_batch": "128"})
    at.button(key="why_sweep").click().run()
    assert_clean(at)
    jobs = wait_for(at, "_sweep", timeout=240)
    assert sorted({t for _n, t in jobs}) == [10, 30, 60] and len(jobs) == 9
    assert {j.spec.model.timesteps for (_n, t), j in jobs.items() if t == 60} == {60}
    sweep = figures(at)["why_sweep"]
    assert [t["meta"] for t in sweep["data"]] == ["sweep:LSTM", "sweep:GRU", "sweep:SimpleRNN", "threshold"]
    assert all(list(plotly_array(t["x"])) == [10, 30, 60] for t in sweep["data"][:3])
    assert any("9 of 9 runs done" in c.value for c in at.caption)


def test_the_remembering_unit_opens_in_the_cell_view():
    at = new_app({"task": "first", "timesteps": "12", "units": "8", "return_sequences": "0", "view": "why"})
    assert_clean(at)
    button = at.button(key="why_focus")
    unit = int(button.label.split("unit ")[1].split(" ")[0])
    why = figures(at)["why"]
    assert f"unit {unit} " in next(t["name"] for t in why["data"] if t["meta"] == "forget:max")  # the chart's unit
    button.click().run()
    assert_clean(at)
    assert at.session_state["unit"] == unit and at.session_state["layer"] == 0
    assert "cell" in figures(at)
