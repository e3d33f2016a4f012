"""Downloads read back: the .keras file gives the app's outputs, the .npz and CSV hold the trace, the code runs."""

import csv
import io
import os
import tempfile

import numpy as np
import pytest

from explorer import LSTMConfig, build_model, extract_weights, make_sequence, trace
from explorer._keras import keras
from explorer.export.activations import CSV_HEADER, QUANTITIES, activation_arrays, csv_text, npz_bytes
from explorer.export.model_file import keras_file_bytes
from explorer.export.training_code import training_code
from explorer.training.loop import Trainer
from explorer.training.snapshots import model_weights
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS

CFG = LSTMConfig(timesteps=5, features=3, units=(4, 3), return_sequences=(True, True), go_backwards=True, head_units=2)


def load(data: bytes):
    handle, path = tempfile.mkstemp(suffix=".keras")
    os.close(handle)
    try:
        with open(path, "wb") as f:
            f.write(data)
        return keras.saving.load_model(path)
    finally:
        os.remove(path)


def test_the_keras_file_gives_the_apps_outputs_untrained_and_trained():
    x = make_sequence("random_walk", timesteps=5, features=3, batch_size=2, seed=1)
    untrained = load(keras_file_bytes(CFG))
    np.testing.assert_allclose(untrained.predict(x, verbose=0), trace(extract_weights(build_model(CFG)), x).output, atol=1e-5)
    spec = TrainingSpec("brackets", TASKS["brackets"].default_config().replace(units=(3,)), epochs=1, batch_size=128)
    trainer = Trainer(spec)
    trainer.train(4)
    arrays = trainer.weights()
    trained = load(keras_file_bytes(spec.model, arrays))
    data = TASKS["brackets"].generate(3, spec.model.timesteps, seed=9)
    app = trace(model_weights(spec.model, arrays), data.x).output  # what every view shows at that snapshot
    np.testing.assert_allclose(trained.predict(data.x, verbose=0), app, atol=1e-5)
    assert not np.allclose(trained.predict(data.x, verbose=0), load(keras_file_bytes(spec.model)).predict(data.x, verbose=0))


def test_the_keras_file_of_a_slider_built_real_model_is_the_whole_model_with_the_weights_shown():
    from explorer.export.names import file_stem
    from explorer.realmodel.built import build_real_model, numpy_real_model
    from explorer.realmodel.tracing import layer_outputs

    cfg = LSTMConfig(timesteps=6, units=(4, 3), return_sequences=(True, False), input_kind="tokens", vocab=11,
                     embed_dim=5, mask_zero=True, bidirectional=(True, False), merge_mode="ave", head_units=2)  # fmt: skip
    saved = load(keras_file_bytes(cfg))
    assert [type(layer).__name__ for layer in saved.layers] == ["InputLayer", "Embedding", "Bidirectional", "LSTM", "Dense"]
    real = numpy_real_model(cfg, build_real_model(cfg))  # what the views show
    ids = real.inputs[0].samples  # (batch, T) token ids, some of them padding
    lstm_2 = saved.get_layer("lstm_2")
    reached_lstm_2 = keras.Model(saved.inputs, lstm_2.output).predict(ids, verbose=0)  # (batch, 3)
    np.testing.assert_allclose(reached_lstm_2, layer_outputs(real, "lstm_2", 1)[0], atol=1e-5)
    assert file_stem(cfg) == "lstm-bi4-3_T6_V11E5"


@pytest.fixture(scope="module")
def tr():
    return trace(build_model(CFG), make_sequence("sine", timesteps=5, features=3, batch_size=2, seed=0))


def test_npz_holds_every_layer_and_gate(tr):
    with np.load(io.BytesIO(npz_bytes(tr))) as saved:
        names = set(saved.files)
        assert {"x", "output", "layer0_f", "layer1_h", "layer1_c0"} <= names
        assert saved["layer0_f"].shape == (2, 5, 4) and saved["layer1_h"].shape == (2, 5, 3)
        for name, array in activation_arrays(tr).items():
            np.testing.assert_array_equal(saved[name], array)
        np.testing.assert_array_equal(saved["layer1_g"], tr.layers[1].g)


def test_csv_is_tidy_and_lines_up_with_the_data(tr):
    rows = list(csv.reader(io.StringIO(csv_text(tr))))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) - 1 == 2 * 5 * (4 + 3) * len(QUANTITIES)
    table = {(int(b), int(k), int(t), int(u), q): float(v) for b, k, t, u, q, v in rows[1:]}
    # lstm_1 reads backwards: input step t = 1 is its last processed step; lstm_2 reads forwards again.
    assert table[1, 0, 1, 2, "c"] == pytest.approx(float(tr.layers[0].c[1, 4, 2]), rel=1e-6)
    assert table[1, 1, 1, 2, "c"] == pytest.approx(float(tr.layers[1].c[1, 0, 2]), rel=1e-6)
    one = list(csv.reader(io.StringIO(csv_text(tr, sample=1))))
    assert len(one) - 1 == 5 * (4 + 3) * len(QUANTITIES) and {r[0] for r in one[1:]} == {"1"}


def test_the_training_code_runs_as_it_is():
    spec = TrainingSpec("sine", TASKS["sine"].default_config().replace(units=(2,), timesteps=8), epochs=1, batch_size=128)
    code = training_code(spec)
    namespace: dict = {}
    exec(compile(code, "training_code.py", "exec"), namespace)  # our own generated code
    model, history = namespace["model"], namespace["history"]
    assert model.count_params() == build_model(spec.model).count_params()
    assert len(history.history["loss"]) == 1 and np.isfinite(history.history["loss"][0])
    assert "Adam(0.01)" in code and "batch_size=128" in code
