"""Live training on the page, with Streamlit's AppTest: task picker, Train / Stop / Resume, snapshots in every view."""

import base64
import time

import numpy as np
from test_app import assert_clean, figures, new_app, open_panel

from explorer.training.jobs import JobState
from explorer.training.loop import Trainer
from explorer.training.tasks import TASKS


def z_of(fig: dict, name: str = "f") -> np.ndarray:
    """The z of a gates heatmap (typed arrays arrive base64-encoded in the JSON spec: decode them)."""
    z = next(t for t in fig["data"] if t.get("name") == name)["z"]
    if isinstance(z, dict):
        shape = tuple(int(n) for n in z["shape"].split(","))
        return np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"])).reshape(shape).astype(float)
    return np.asarray(z, dtype=float)


def train_to_end(at, timeout: float = 60):
    """Press Train, and rerun the page while the job trains (each rerun ends in Keras's clear_session)."""
    at.button(key="train").click().run()
    assert_clean(at)
    job = at.session_state["_job"]
    deadline = time.time() + timeout
    reruns = 0
    while job.progress().active:
        assert time.time() < deadline, job.progress()
        time.sleep(0.1)
        at.run()
        assert_clean(at)
        reruns += 1
    at.run()
    assert_clean(at)
    return job, reruns


def test_choosing_a_task_loads_its_model_and_labels_the_views_with_its_samples():
    at = new_app({"view": "gates"})
    at.selectbox(key="task").set_value("brackets").run()
    assert_clean(at)
    task = TASKS["brackets"]
    assert at.slider(key="features").value == 2 and at.slider(key="n_layers").value == 1
    assert (at.slider(key="units_1").value, at.slider(key="timesteps").value) == (task.default_units, task.default_timesteps)
    assert at.query_params["task"] == "brackets"
    ticks = figures(at)["gates"]["layout"]["xaxis7"]["ticktext"]
    assert len(ticks) == task.default_timesteps and all(t.endswith("(") or t.endswith(")") for t in ticks)
    assert "Train" in [b.label for b in at.button]
    open_panel(at, "graph")
    labels = next(t for t in figures(at)["unrolled"]["data"] if t.get("name") == "labels")["text"]
    assert any("<b>(</b>" in text for text in labels)


def test_a_slider_that_breaks_the_task_is_explained_and_fixed_in_one_click():
    at = new_app({"task": "brackets"})
    at.slider(key="features").set_value(3).run()
    assert_clean(at)
    assert "cannot learn Bracket depth" in at.warning[0].value and "2 features" in at.warning[0].value
    assert "train" not in [b.key for b in at.button]
    at.button(key="fit_task").click().run()
    assert_clean(at)
    assert at.slider(key="features").value == 2 and not at.warning


def test_train_while_rerunning_then_every_view_shows_the_trained_weights():
    at = new_app({"task": "brackets", "view": "gates", "train_seed": "11"})  # a run no other test trains (none cached)
    untrained = z_of(figures(at)["gates"])
    job, reruns = train_to_end(at)
    assert reruns >= 2
    progress = job.progress()
    assert progress.state is JobState.DONE
    # The page's reruns (and their clear_session) did not change what was learned: same weights as training alone.
    straight = Trainer(job.spec)
    while straight.step < job.spec.total_steps:
        straight.train(64)
    for a, b in zip(progress.snapshots[-1].arrays, straight.weights(), strict=True):
        assert np.array_equal(a, b)
    trained = z_of(figures(at)["gates"])
    assert trained.shape == untrained.shape and np.abs(trained - untrained).max() > 0.1
    assert at.query_params["snap"] == str(job.spec.total_steps)  # the link names the weights shown
    from explorer.ui import cache
    from explorer.ui.training import shown_weights
    from explorer.view import ViewConfig

    view, _ = ViewConfig.from_query_params(dict(at.query_params))
    weights = shown_weights(view, job.spec, progress)
    assert weights.step == job.spec.total_steps
    assert cache.keras_check_future(view.model, view.data_key, weights).result(timeout=60) < 1e-5
    at.run()
    badge = " ".join(c.value for c in at.caption)
    assert f"the weights after training step {weights.step}; **max |Δ| vs Keras = " in badge  # the page says so too

    # The scrubber: step 0 is the untrained model again.
    at.select_slider(key="snapshot_pick").set_value(0).run()
    assert_clean(at)
    assert np.array_equal(z_of(figures(at)["gates"]), untrained)
    assert at.query_params["snap"] == "0"

    # Untrained vs trained side by side.
    at.select_slider(key="snapshot_pick").set_value(job.spec.total_steps).run()
    at.toggle(key="compare_untrained").set_value(True).run()
    assert_clean(at)
    specs = [el for el in at.get("plotly_chart")]
    assert len(specs) >= 3  # the live curve, untrained gates, trained gates


def test_the_training_tab_names_the_counting_unit_and_shows_predictions():
    at = new_app({"task": "brackets", "view": "training"})
    assert_clean(at)
    train_to_end(at)
    found = [s.value for s in at.success]
    assert found and "follows the bracket depth (r = " in found[0]
    figs = figures(at)
    assert {"training_curve", "predictions"} <= figs.keys()
    curve = figs["training_curve"]
    assert [t["name"] for t in curve["data"]] == ["training loss", "held-out loss", "exact depth"]
    focus = next(b for b in at.button if b.label.startswith("Show lstm_1 unit"))
    focus.click().run()
    assert_clean(at)
    assert at.session_state["panel"] == "Gate activations" and at.session_state["unit"] == int(focus.label.split()[3])


def test_a_shared_link_reproduces_the_trained_model():
    first = new_app({"task": "first", "view": "gates"})
    job, _ = train_to_end(first)
    link = dict(first.query_params)
    assert link["snap"] == str(job.spec.total_steps)
    second = new_app(link)  # another learner opens the link: the run is trained again, or taken from the cache
    assert_clean(second)
    other = second.session_state["_job"]
    deadline = time.time() + 60
    while other.progress().active:
        assert time.time() < deadline
        time.sleep(0.1)
        second.run()
    second.run()
    assert_clean(second)
    assert other.spec == job.spec
    assert np.array_equal(z_of(figures(second)["gates"]), z_of(figures(first)["gates"]))


def press_stop(at, job) -> None:
    """Press Stop, wait until the job has stopped (after its running chunk), rerun the page."""
    at.button(key="stop_training").click().run()
    while job.progress().active:
        time.sleep(0.02)
    at.run()
    assert_clean(at)


def test_stop_resume_and_questions_with_trained_numbers():
    at = new_app({"task": "sine", "epochs": "40", "view": "questions", "q": "return_state"})
    assert_clean(at)
    untrained_table = at.table[0].value.to_dict()
    at.button(key="train").click().run()
    job = at.session_state["_job"]
    while job.progress().step < 64:
        time.sleep(0.02)
    press_stop(at, job)
    assert job.progress().state is JobState.STOPPED
    stopped_at = job.progress().step
    at.button(key="resume").click().run()
    assert job.progress().active
    time.sleep(0.3)
    press_stop(at, job)
    assert job.progress().step > stopped_at  # it went on from where it stopped
    assert at.table[0].value.to_dict() != untrained_table  # Keras's [output, h, c] of the trained weights


def test_a_closed_page_stops_wanting_its_job_after_a_grace_period(monkeypatch):
    import streamlit.runtime
    import streamlit.runtime.scriptrunner

    from explorer.ui import training

    active, clock = {"yes": True}, {"now": 100.0}

    class FakeRuntime:
        @staticmethod
        def exists():
            return True

        @staticmethod
        def instance():
            return FakeRuntime

        @staticmethod
        def is_active_session(session_id):
            assert session_id == "s1"
            return active["yes"]

    monkeypatch.setattr(streamlit.runtime, "Runtime", FakeRuntime)
    monkeypatch.setattr(streamlit.runtime.scriptrunner, "get_script_run_ctx", lambda: type("Ctx", (), {"session_id": "s1"}))
    monkeypatch.setattr(training.time, "monotonic", lambda: clock["now"])
    is_wanted = training._session_watch()
    assert is_wanted()
    active["yes"] = False  # the tab closed (or is reloading)
    assert is_wanted()  # within the grace period: a reload reconnects
    clock["now"] += training.CLOSED_GRACE_S + 1
    assert not is_wanted()
    active["yes"] = True
    assert is_wanted()


def test_a_session_that_starts_runs_too_fast_is_told_when_it_may_start_the_next():
    from explorer.admission import RateLimit
    from explorer.ui.training import TRAIN_STARTS

    at = new_app({"task": "brackets"})
    starts = RateLimit(*TRAIN_STARTS)
    for _ in range(TRAIN_STARTS[0]):
        assert starts.admit() is None  # three runs started just now
    at.session_state["_train_starts"] = starts
    at.button(key="train").click().run()
    assert_clean(at)
    assert "_job" not in at.session_state or at.session_state["_job"] is None  # no job was started
    assert any("you started 3 runs in the last 30 s; start the next in" in e.value for e in at.error)


def test_the_live_status_polls_more_slowly_when_many_jobs_are_live():
    from explorer.ui.training import POLL_S, poll_seconds

    assert poll_seconds(0) == poll_seconds(2) == POLL_S and poll_seconds(6) == 3 * POLL_S
