"""The app's wiring, with Streamlit's AppTest: controls → model → figures, URL, broken stacks."""

import base64
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.config import LSTMConfig
from explorer.reference import trace
from explorer.sequences import make_sequence
from explorer.training.snapshots import model_weights
from explorer.upload.loading import load_uploaded_model
from explorer.upload.stack import read_stack
from explorer.view import PANELS, QUESTIONS

TIMEOUT = 60  # TensorFlow's import is slow
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def new_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def figures(at: AppTest) -> dict:
    """{view name: figure JSON} of the Plotly charts on the page."""
    out = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        out[spec["layout"]["meta"]["view"]] = spec
    return out


def open_panel(at: AppTest, key: str) -> AppTest:
    at.session_state["panel"] = PANELS[key]
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_defaults_render_every_view():
    at = new_app()
    assert_clean(at)
    assert not at.error
    seen = set()
    for key in PANELS:
        open_panel(at, key)
        assert_clean(at)
        seen |= figures(at).keys()
    assert seen == {"unrolled", "cell", "shapes", "gates", "trajectories", "state_space"}
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Input shape"] == "(None, 12, 3)"
    assert metrics["Parameters"] == "2,080"


def test_units_slider_sets_heatmap_rows_and_timesteps_sets_columns():
    at = new_app()
    open_panel(at, "gates")
    at.slider(key="units_1").set_value(7)
    at.slider(key="timesteps").set_value(5)
    at.run()
    assert_clean(at)
    heatmaps = [t for t in figures(at)["gates"]["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 6
    for h in heatmaps:
        z = h["z"]
        rows = len(z) if isinstance(z, list) else z["shape"].split(",")[0]
        cols = len(z[0]) if isinstance(z, list) else z["shape"].split(",")[1]
        assert (int(rows), int(cols)) == (7, 5)
    assert at.query_params["units"] == "7,8"  # the URL follows the sliders


@pytest.mark.parametrize(
    ("key", "value"),
    [("timesteps", 1), ("timesteps", 200), ("features", 1), ("features", 64), ("n_layers", 1), ("n_layers", 4),
     ("units_1", 1), ("units_1", 256), ("batch_size", 1), ("batch_size", 8)],
)  # fmt: skip
def test_every_slider_at_its_extremes(key, value):
    at = new_app()
    at.slider(key=key).set_value(value).run()
    assert_clean(at)
    for panel in ("gates", "trajectories"):
        open_panel(at, panel)
        assert_clean(at)
        assert figures(at)


def test_advanced_options_and_every_sequence():
    at = new_app()
    at.toggle(key="return_state").set_value(True)
    at.toggle(key="go_backwards").set_value(True)
    at.selectbox(key="activation").set_value("relu")
    at.selectbox(key="recurrent_activation").set_value("hard_sigmoid")
    at.toggle(key="use_bias").set_value(False)
    at.toggle(key="use_head").set_value(True)
    at.run()
    at.selectbox(key="head_activation").set_value("softmax").run()
    assert_clean(at)
    assert "always outputs 1.0" in at.warning[0].value  # Dense(1, softmax): the page says why it is useless
    at.slider(key="head_units").set_value(10).run()
    assert not at.warning  # Dense(10, softmax) is fine
    assert {m.label: m.value for m in at.metric}["Output shape"] == "[output, h, c]"
    for sequence in at.selectbox(key="sequence").options:
        at.selectbox(key="sequence").set_value(sequence).run()
        assert_clean(at)


def test_query_parameters_set_the_controls():
    at = new_app({"units": "6,5,4", "timesteps": "9", "sequence": "square", "view": "gates", "layer": "2"})
    assert_clean(at)
    assert at.slider(key="n_layers").value == 3
    assert [at.slider(key=f"units_{k}").value for k in (1, 2, 3)] == [6, 5, 4]
    assert at.slider(key="timesteps").value == 9
    assert at.selectbox(key="sequence").value == "square"
    gates = figures(at)["gates"]
    assert "lstm_3" in gates["layout"]["title"]["text"]
    assert not at.info  # nothing was ignored


def test_bad_query_parameters_fall_back_with_a_notice():
    at = new_app({"units": "banana", "timesteps": "-4", "bogus": "1"})
    assert_clean(at)
    assert at.slider(key="timesteps").value == 12
    assert len(at.info) == 1 and "bogus" in at.info[0].value and "timesteps" in at.info[0].value


def test_broken_stack_explains_and_the_button_fixes_it():
    at = new_app()
    at.toggle(key="rs_1").set_value(False).run()
    assert_clean(at)
    assert len(at.error) == 1
    message = at.error[0].value
    assert "expected ndim=3, found ndim=2" in message and "`return_sequences=True` on `lstm_1`" in message
    graph = figures(at)["unrolled"]
    assert any("only h_T" in (a.get("text") or "") for a in graph["layout"]["annotations"])
    for panel in ("shapes", "gates", "trajectories"):  # the rest still renders what it can
        open_panel(at, panel)
        assert_clean(at)
        assert figures(at)
    next(b for b in at.button if b.label.startswith("Fix it")).click().run()
    assert not at.error
    assert at.toggle(key="rs_1").value is True


def test_keras_badge_reports_the_measured_difference():
    at = new_app()
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        badge = [c.value for c in at.caption if "max |Δ| vs Keras" in c.value]
        if badge:
            break
        time.sleep(0.5)
        at.run()
    assert badge, "the Keras check never finished"
    value = float(badge[0].split("= ")[1].strip("*"))
    assert value < 1e-5


def test_every_question_answers_without_exception():
    at = new_app({"view": "questions"})
    for key in QUESTIONS:
        at.radio(key="question").set_value(key).run()
        assert_clean(at)
        assert at.subheader[0].value == QUESTIONS[key]
    assert at.query_params["q"] == "arguments"  # the open question is part of the link


def test_preset_button_loads_the_seed_model():
    at = new_app()
    at.radio(key="preset").set_value("docs_stacked").run()
    next(b for b in at.button if b.label == "Load this preset").click().run()
    assert_clean(at)
    assert at.slider(key="n_layers").value == 3
    assert (at.slider(key="timesteps").value, at.slider(key="features").value) == (8, 16)
    assert at.session_state["question"] == "data"  # the preset's answer is selected in the Questions tab
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Output shape"] == "(None, 10)"
    assert metrics["Parameters"] == f"{4 * (32 * 48 + 32) + 2 * 4 * (32 * 64 + 32) + 330:,}"
    loaded = next(b for b in at.sidebar.button if b.label == "This preset is loaded")  # the picker says what is loaded
    assert loaded.disabled
    at.slider(key="timesteps").set_value(9).run()  # moved away: the preset shown is no longer the model below
    assert not next(b for b in at.sidebar.button if b.label == "Load this preset").disabled


def test_timesteps_answer_shows_a_flat_line_from_real_models():
    at = new_app({"view": "questions", "q": "timesteps", "units": "10", "return_sequences": "0", "features": "5",
                  "timesteps": "13"})  # fmt: skip
    assert_clean(at)
    line = figures(at)["params_vs_timesteps"]["data"][0]
    assert set(line["y"]) == {640}
    assert 13 in line["x"] and 100 in line["x"]


def test_shaper_reports_bad_pasted_data_and_offers_the_shapes():
    at = new_app({"view": "questions", "q": "data"})
    assert_clean(at)
    shapes = at.table[0].value["shape"].tolist()  # example CSV: 120 values, T = 12, stride 1
    assert shapes == ["(120,)", "(109, 12)", "(109, 12, 1)"]
    at.text_area(key="shaper_text").set_value("a\nhello\nworld\n").run()
    assert_clean(at)
    assert "only numbers" in at.error[0].value
    at.text_area(key="shaper_text").set_value("0\n1\n2\n1\n0\n2\n1\n0\n1\n2\n0\n1\n2\n1\n").run()
    at.selectbox(key="shaper_mode").set_value("one_hot").run()
    at.number_input(key="shaper_T").set_value(5).run()
    assert_clean(at)
    use = next(b for b in at.button if "input_shape=(5, 3)" in b.label)
    use.click().run()
    assert (at.slider(key="timesteps").value, at.slider(key="features").value) == (5, 3)
    assert "Sample 0 through the live model" in " ".join(m.value for m in at.markdown)


def test_stacking_answer_shows_kerass_error_and_the_missing_arrows():
    at = new_app({"view": "questions", "q": "stacking"})
    assert_clean(at)
    assert "expected ndim=3, found ndim=2" in at.code[0].value
    graph = figures(at)["unrolled"]
    broken = next(t for t in graph["data"] if t["name"] == "broken arrows")
    assert len([x for x in broken["x"] if x is not None]) == 2  # one arrow (two points): only h_T goes up
    next(b for b in at.button if b.label.startswith("Break")).click().run()
    assert at.toggle(key="rs_1").value is False and len(at.error) == 1
    next(b for b in at.button if b.label.startswith("Fix:")).click().run()
    assert at.toggle(key="rs_1").value is True and not at.error


def test_stepping_a_slider_builds_the_next_model_in_the_background():
    from explorer.ui import cache

    at = new_app()
    at.slider(key="units_1").set_value(22).run()
    ahead = at.session_state["_shown_model"].replace(units=(24, 8))
    assert (ahead, None) not in cache.MODELS
    at.slider(key="units_1").set_value(23).run()  # one step up from 22
    assert_clean(at)
    deadline = time.time() + 30
    while (ahead, None) not in cache.MODELS and time.time() < deadline:
        time.sleep(0.1)
    assert (ahead, None) in cache.MODELS  # built by the prefetch thread, before anyone asked for it
    bundle = cache.model_bundle(ahead)
    assert bundle.count_params == bundle.model.count_params() and bundle.table[1].output_shape == (None, 12, 24)


def test_big_models_are_not_built_ahead():
    from explorer.ui import cache

    big = LSTMConfig(timesteps=5, features=64, units=(250, 250), return_sequences=(True, False))
    cache.model_bundle(big)
    assert cache.model_bundle(big).count_params > cache.PREFETCH_MAX_PARAMS
    assert cache.prefetch_next(big.replace(units=(249, 250)), big) == []
    small = LSTMConfig(timesteps=5, features=2, units=(3, 2), return_sequences=(True, False))
    cache.model_bundle(small)
    assert cache.prefetch_next(small.replace(units=(2, 2)), small) == [small.replace(units=(4, 2))]


def _first_paint_script():
    import streamlit as st

    from explorer.ui.first_paint import draw_first_paint

    draw_first_paint({key: st.query_params.get_all(key) for key in st.query_params})


@pytest.mark.parametrize(
    "query",
    [{}, {"units": "7,5", "return_sequences": "1,0", "timesteps": "9"}, {"units": "0,x", "bogus": "1", "timesteps": "-3"}],
)
def test_the_first_paint_draws_the_urls_graph_and_survives_odd_parameters(query):
    at = AppTest.from_function(_first_paint_script, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert_clean(at)
    (spec,) = figures(at).values()
    assert spec["layout"]["meta"]["view"] == "unrolled"
    heat = next(t for t in spec["data"] if t["name"] == "cell colours")
    assert "customdata" in heat and not heat["showscale"]  # structure only: nothing traced, no colour bar
    title = spec["layout"]["title"]["text"]
    assert ("2 layers × 9 steps" in title) if query.get("timesteps") == "9" else ("2 layers × 12 steps" in title)


def test_checks_a_session_has_moved_past_are_dropped_and_started_again_when_asked():
    import threading

    from explorer.ui.cache import checks as cache  # the check worker

    at = new_app()
    worker_free = threading.Event()
    cache._executor().submit(worker_free.wait, 60)  # hold the check thread, so the checks below queue up
    try:
        for units in (20, 21, 22):
            at.slider(key="units_1").set_value(units).run()
        assert_clean(at)
        view_cfg = at.session_state["_shown_model"]
        data_key = next(key for (cfg, key, _weights) in cache._CHECKS if cfg == view_cfg)
        checks = {u: cache._CHECKS[(view_cfg.replace(units=(u, 8)), data_key, None)] for u in (20, 21, 22)}
        assert checks[20].cancelled() and checks[21].cancelled()  # the learner has moved on from these
        assert not checks[22].cancelled()  # the one on screen waits its turn
    finally:
        worker_free.set()
    assert checks[22].result(timeout=60) < 1e-5
    again = cache.keras_check_future(view_cfg.replace(units=(21, 8)), data_key)  # a page shows 21 again
    assert again is not checks[21] and again.result(timeout=60) < 1e-5


def test_a_queued_check_does_not_keep_its_model_alive(monkeypatch):
    import gc
    import weakref

    import numpy as np

    from explorer import build_model, make_sequence, trace
    from explorer.ui.cache import checks as cache  # the check worker

    monkeypatch.setattr(cache, "CHECK_DELAY_S", 0)
    cfg = LSTMConfig(timesteps=3, features=2, units=(2,), return_sequences=(False,))
    model, x = build_model(cfg), make_sequence("sine", timesteps=3, features=2, batch_size=1, seed=0)
    tr = trace(model, x)
    assert cache._locked_check(weakref.ref(model), x, weakref.ref(tr)) < 1e-5
    model_ref = weakref.ref(model)
    del model
    gc.collect()  # the caches dropped it before its check ran
    with pytest.raises(cache.StaleCheck):
        cache._locked_check(model_ref, np.asarray(x), weakref.ref(tr))


def test_the_cell_view_opens_at_the_urls_step_and_the_buttons_move_every_views_focus():
    at = new_app({"view": "cell", "layer": "1", "unit": "2", "step": "5"})
    assert_clean(at)
    cell = figures(at)["cell"]
    numbers = next(t for t in cell["data"] if t["name"] == "numbers")
    assert "<b>unit 2</b> of lstm_2 at input step t = 5" in numbers["text"]
    assert cell["layout"]["sliders"][0]["active"] == 4 and len(cell["frames"]) == 12
    next_step = next(b for b in at.button if b.label.startswith("step t + 1"))
    next_step.click().run()
    assert_clean(at)
    assert at.query_params["step"] == "6" and at.session_state["step"] == 6
    numbers = next(t for t in figures(at)["cell"]["data"] if t["name"] == "numbers")
    assert "at input step t = 6" in " ".join(numbers["text"])
    open_panel(at, "graph")
    graph = figures(at)["unrolled"]
    assert graph["layout"]["sliders"][0]["steps"][graph["layout"]["sliders"][0]["active"]]["label"] == "6"
    open_panel(at, "gates")
    marks = [t for t in figures(at)["gates"]["data"] if t["name"] == "step mark"]
    assert marks and marks[0]["x"] == [6, 6]
    at.slider(key="step").set_value(1).run()
    assert "step" not in at.query_params  # step 1 is the default: it leaves the URL
    assert next(t for t in figures(at)["gates"]["data"] if t["name"] == "step mark")["x"] == [1, 1]


def settled(at: AppTest) -> AppTest:
    """``at`` rerun until the Keras badge has its result (while it polls, a focus move reruns the whole page)."""
    deadline = time.monotonic() + TIMEOUT
    while "_badge_pending" in at.session_state and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    assert "_badge_pending" not in at.session_state
    return at


def test_a_focus_move_on_a_chart_view_reruns_only_that_view_and_the_url_follows():
    """``step t``, ``sample``, ``unit`` and the colouring rerun only the open view's fragment (AppTest then holds only
    the fragment's elements: no header metric, no sidebar); the chart and the URL show the new focus, and the next
    model change reruns the whole page with that focus."""
    at = settled(new_app({"view": "gates", "units": "6,4"}))
    assert at.metric and at.sidebar.slider
    at.sidebar.slider(key="step").set_value(5).run()
    assert_clean(at)
    assert not at.metric and not at.sidebar.slider  # the page was not rerun: only the view
    assert at.query_params["step"] == "5"
    assert {tuple(t["x"]) for t in figures(at)["gates"]["data"] if t["name"] == "step mark"} == {(5, 5)}
    at.run()  # the page again (AppTest's way back to the whole tree)
    at.sidebar.slider(key="unit").set_value(3).run()
    assert not at.metric and at.query_params["unit"] == "3"
    assert "unit 3 over time" in json.dumps(figures(at)["gates"]["layout"]["annotations"])
    at.run()
    at.sidebar.slider(key="units_1").set_value(7).run()  # a model change: the whole page, the focus kept
    assert at.metric and at.query_params["step"] == "5" and at.query_params["unit"] == "3"
    assert {tuple(t["x"]) for t in figures(at)["gates"]["data"] if t["name"] == "step mark"} == {(5, 5)}
    settled(at).sidebar.selectbox(key="colour_by").set_value("o").run()  # (gates open: the colouring is the graph's)
    assert not at.metric and at.query_params["colour"] == "o"
    open_panel(at, "graph")
    assert at.metric and "mean o" in json.dumps(figures(at)["unrolled"]["data"])


def test_a_focus_move_while_the_badge_polls_reruns_only_the_view():
    """The badge's fragment notes its id and interval when it runs; while it polls, a focus move still reruns only the
    view, which asks the browser to poll the badge again (the browser test watches the badge reach its result)."""
    at = settled(new_app({"view": "gates", "units": "6,4"}))
    fragment_id, seconds = at.session_state["_polling_timers"]["_badge_pending"]
    assert fragment_id and seconds >= 1.0
    at.session_state["_badge_pending"] = True  # (as while a new model's check runs)
    at.sidebar.slider(key="step").set_value(5).run()
    assert_clean(at)
    assert not at.metric and not at.sidebar.slider and at.query_params["step"] == "5"  # the view alone
    assert "_restart_timers" not in at.session_state  # (done: the view's run asked for the polls)


def test_a_focus_move_reruns_the_whole_page_where_more_than_the_view_shows_it():
    """On the shapes view (no focus shown), during the lesson (its note quotes the focused step's numbers), while a
    job trains (every view shows its newest snapshot), and when the same request also changes the model, a focus
    move is an ordinary rerun of the page."""
    at = new_app({"view": "gates", "units": "5,3"})
    at.session_state["_job_was_active"] = True  # (as while a job trains: its live status polls)
    at.sidebar.slider(key="step").set_value(4).run()
    assert_clean(at)
    assert at.metric and at.sidebar.slider and at.query_params["step"] == "4"
    at = settled(new_app({"view": "gates", "units": "5,3"}))
    at.sidebar.slider(key="units_1").set_value(6)
    at.sidebar.slider(key="step").set_value(3).run()  # one request with a model change in it: the page
    assert_clean(at)
    assert at.metric and at.query_params["units"] == "6,3" and at.query_params["step"] == "3"
    at = settled(new_app({"view": "shapes"}))
    at.sidebar.slider(key="step").set_value(4).run()
    assert_clean(at)
    assert at.metric and at.sidebar.slider and at.query_params["step"] == "4"
    at = settled(new_app({"lesson": "2"}))
    at.sidebar.slider(key="step").set_value(3).run()
    assert_clean(at)
    assert at.metric and any("Lesson 2 of" in m.value.replace("\xa0", " ") for m in at.markdown)


def test_a_shorter_sequence_clamps_the_focused_step():
    at = new_app({"view": "cell", "step": "12"})
    at.slider(key="timesteps").set_value(4).run()
    assert_clean(at)
    assert at.session_state["step"] == 4
    numbers = next(t for t in figures(at)["cell"]["data"] if t["name"] == "numbers")
    assert "at input step t = 4" in " ".join(numbers["text"])


def test_downloads_are_in_one_place_and_named_after_the_model():
    at = new_app({"units": "5,3", "timesteps": "7"})
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert list(buttons) == ["Model (.keras)", "Code (.py)", "Activations (.npz)", "Activations (.csv)"]
    assert "lstm-5-3_T7_F3.keras" in buttons["Model (.keras)"].help
    assert buttons["Model (.keras)"].deferred_file_id  # made when pressed, not on every rerun
    chart = next(e for e in at.get("plotly_chart"))
    assert json.loads(chart.proto.config)["toImageButtonOptions"] == {
        "format": "png",
        "scale": 3,
        "filename": "lstm-5-3_T7_F3_unrolled",
    }


def test_an_uploaded_model_is_shown_with_its_weights_and_the_way_back():
    data = (Path(__file__).resolve().parent / "corpus" / "good_stack.keras").read_bytes()
    uploaded = read_stack(load_uploaded_model(data), name="good_stack.keras", data=data)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["_upload"] = uploaded  # what the uploader's callback stores (the browser test uploads for real)
    for key, value in {"units": "8,4", "return_sequences": "1,0", "timesteps": "6", "head_units": "2",
                       "head_activation": "softmax", "view": "gates"}.items():  # fmt: skip
        at.query_params[key] = value
    at.run()
    assert_clean(at)
    assert any("your model" in i.value and "good_stack.keras" in i.value for i in at.info)
    # The gates are the file's own: the heatmap equals a trace with its weights, not the seeded ones.
    heat = next(t for t in figures(at)["gates"]["data"] if t["name"] == "f")
    x = make_sequence("sine", timesteps=6, features=3, batch_size=4, seed=0)
    expected = trace(model_weights(uploaded.cfg, uploaded.arrays), x).layers[0].f[0].T  # (units, T)
    np.testing.assert_allclose(plotly_array(heat["z"]).reshape(expected.shape), expected, atol=1e-6)
    at.slider(key="units_1").set_value(5).run()
    assert_clean(at)
    assert any("moved away from its shape" in i.value for i in at.info)
    next(b for b in at.button if b.label == "Back to my model").click().run()
    assert at.session_state["units_1"] == 8
    assert any("with its own weights" in i.value for i in at.info)


def plotly_array(value) -> np.ndarray:
    """A figure JSON array: a nested list, or a base64 typed array."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def _elements(node, where: str, out: Counter) -> Counter:
    """(where, kind) → how many, over the element tree below ``node``."""
    children = getattr(node, "children", None)
    for child in children.values() if isinstance(children, dict) else []:
        out[(where, child.type)] += 1
        _elements(child, where, out)
    return out


def test_the_control_floor_draws_the_pages_elements(monkeypatch):
    """`benchmarks/page_controls.py` stands for the page in the load and browser floors: it must draw what the page's
    default view draws, element for element (kind and place), or the floor measures another page."""
    page = new_app()
    monkeypatch.setenv("TRIVIAL_APP_CONTROLS", "1")
    floor = AppTest.from_file(str(Path(APP).parent / "benchmarks" / "trivial_app.py"), default_timeout=TIMEOUT).run()
    assert_clean(floor)
    counts = {}
    for name, at in (("page", page), ("floor", floor)):
        counts[name] = _elements(at.sidebar, "sidebar", _elements(at.main, "main", Counter()))
    assert counts["floor"] == counts["page"]
    assert counts["page"][("sidebar", "slider")] == 9 and counts["page"][("main", "plotly_chart")] == 1
