"""The sliders' real models on the page (AppTest): the Embedding and Bidirectional controls, the LSTM picker, the
badge's check against Keras, and the data shaper's one-click model for integer-coded characters."""

import re
import time

import numpy as np
from streamlit.testing.v1 import AppTest

from explorer.config import LSTMConfig
from explorer.realmodel.built import build_real_model, numpy_real_model
from explorer.realmodel.tracing import site_trace
from tests.test_app import APP, TIMEOUT, assert_clean, figures, plotly_array


def new_app(query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_a_bidirectional_toggle_makes_two_directions_and_the_badge_checks_them_against_keras():
    at = new_app({"units": "4", "timesteps": "6", "view": "gates"})
    assert_clean(at)
    at.toggle(key="bi_1").set_value(True).run()
    assert_clean(at)
    picker = at.selectbox(key="built_site_picker")
    assert picker.options == ["bidirectional_1 · forward", "bidirectional_1 · backward"]
    picker.set_value(1).run()
    assert_clean(at)
    cfg = LSTMConfig(units=(4,), return_sequences=(False,), timesteps=6, bidirectional=(True,))
    real = numpy_real_model(cfg, build_real_model(cfg))
    expected = site_trace(real, 1, 4).f[0].T  # (units, T) of the backward direction, sample 0
    heat = next(t for t in figures(at)["gates"]["data"] if t.get("name") == "f")
    np.testing.assert_allclose(plotly_array(heat["z"]).reshape(expected.shape), expected, atol=1e-6)
    for _ in range(30):  # the check runs on its own thread (Keras on the same samples)
        badge = [c.value for c in at.caption if "max |Δ| vs Keras" in c.value]
        if badge:
            break
        time.sleep(0.5)
        at.run()
    assert badge and "bidirectional_1 · backward" in badge[0]
    assert float(badge[0].split("= ")[-1].rstrip("*")) <= 1e-5
    assert at.query_params["bidirectional"] in ("1", ["1"])


def test_the_shapes_view_counts_the_embedding_and_both_directions():
    at = new_app({"input": "tokens", "vocab": "25", "embed_dim": "12", "units": "8", "timesteps": "10",
                  "bidirectional": "1", "view": "shapes"})  # fmt: skip
    assert_clean(at)
    table = at.table[0].value
    rows = dict(zip(table["layer"], table["formula"], strict=True))
    assert rows["embedding"] == "input_dim × output_dim = 25 × 12 = 300"
    assert rows["bidirectional_1"].endswith(f"= 2 × {4 * (8 * (12 + 8) + 8):,} = {2 * 4 * (8 * (12 + 8) + 8):,}")
    assert int(table["params"].sum()) == 300 + 2 * 4 * (8 * 20 + 8)


def test_the_code_answer_and_the_downloads_build_the_whole_real_model():
    at = new_app({"input": "tokens", "vocab": "25", "embed_dim": "12", "units": "8", "timesteps": "10",
                  "bidirectional": "1", "merge": "sum", "view": "questions", "q": "code"})  # fmt: skip
    assert_clean(at)
    keras3, legacy = (c.value for c in at.code[:2])
    assert "keras.layers.Embedding(25, 12)" in keras3
    assert 'keras.layers.Bidirectional(keras.layers.LSTM(8), merge_mode="sum")' in keras3
    assert "Embedding(25, 12, input_length=10)" in legacy
    names = [b.proto.label for b in at.get("download_button")]
    assert names == ["Model (.keras)", "Code (.py)", "Activations (.npz)", "Activations (.csv)"]


def test_the_shaper_builds_the_learners_embedding_model_in_one_click():
    at = new_app({"view": "questions", "q": "data"})
    text = "code\n" + "\n".join(str(i * 7 % 25) for i in range(200))  # characters coded 0 … 24, as the learner had
    at.text_area(key="shaper_text").set_value(text).run()
    at.selectbox(key="shaper_mode").set_value("embedding").run()
    at.number_input(key="shaper_T").set_value(31).run()
    assert_clean(at)
    button = at.button(key="shaper_build_embedding")
    assert "Embedding(25, 16) → LSTM(32) → Dense(25, softmax)" in button.label
    button.click().run()
    assert_clean(at)
    state = at.session_state
    assert (state["input_kind"], state["vocab"], state["embed_dim"], state["timesteps"], state["units_1"]) == (
        "tokens",
        25,
        16,
        31,
        32,
    )
    assert any("Embedding in front" in i.value and "(31, 16)" in i.value for i in at.info)


def test_a_bidirectional_model_trains_on_a_task_and_every_view_shows_its_trained_directions():
    from explorer.training.tasks import TASKS
    from tests.test_training_app import train_to_end

    at = new_app({"task": "brackets", "units": "6", "bidirectional": "1", "view": "gates"})
    assert_clean(at)
    assert at.toggle(key="bi_1").value and not at.warning  # the task takes a Bidirectional layer as it is
    job, _ = train_to_end(at)
    snapshot = job.progress().snapshots[-1]
    assert snapshot.metric > 0.9  # exact depth on held-out samples
    at.selectbox(key="built_site_picker").set_value(1).run()  # the backward direction
    assert_clean(at)
    cfg = job.spec.model
    model = build_real_model(cfg)
    model.set_weights(list(snapshot.arrays))
    data = TASKS["brackets"].generate(at.slider(key="batch_size").value, cfg.timesteps, 0)  # the views' samples
    real = numpy_real_model(cfg, model, data.x)
    expected = site_trace(real, 1, len(data.x)).f[0].T  # (units, T): the trained backward direction, sample 0
    heat = next(t for t in figures(at)["gates"]["data"] if t.get("name") == "f")
    np.testing.assert_allclose(plotly_array(heat["z"]).reshape(expected.shape), expected, atol=1e-6)
    for _ in range(30):  # the badge checks the trained copy against Keras on the task's samples
        badge = [c.value for c in at.caption if "max |Δ| vs Keras" in c.value]
        if badge:
            break
        time.sleep(0.5)
        at.run()
    assert badge and "training step" in badge[0], [c.value for c in at.caption]
    at.session_state["panel"] = "Training"
    at.run()
    assert_clean(at)
    assert {"training_curve", "predictions"} <= figures(at).keys()
    # What it learned: the counting unit is looked for in both directions, and named with its direction
    found = [s.value for s in at.success]  # clear: |r| ≥ 0.9
    assert found and "follows the bracket depth (r = " in found[0]
    assert re.search(r"bidirectional_1 · (forward|backward) unit \d+: ", found[0])
    focus = next(b for b in at.button if b.label.startswith("Show bidirectional_1 · "))
    direction, unit = focus.label.split()[3], int(focus.label.split()[5])
    focus.click().run()
    assert_clean(at)
    assert at.session_state["panel"] == "Gate activations" and at.session_state["unit"] == unit
    assert at.session_state["built_site_picker"] == ("forward", "backward").index(direction)


def test_switching_to_token_ids_and_back_keeps_the_hidden_features_value():
    """Streamlit drops a widget's value in a run that does not draw it: the features slider under token ids."""
    at = new_app({"features": "5"})
    at.segmented_control(key="input_kind").set_value("tokens").run()
    at.run()
    at.run()
    assert_clean(at)
    at.segmented_control(key="input_kind").set_value("numbers").run()
    assert_clean(at)
    assert at.slider(key="features").value == 5
