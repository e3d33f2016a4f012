"""A learner's own model in: every file of the corpus (tests/corpus/, from make_corpus.py) gets the right outcome, through
the path the page takes: checked in this process, then opened in the fenced loader process (explorer.upload.fence)."""

import contextlib
import glob
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

from explorer._keras import keras
from explorer.reference import trace
from explorer.training.snapshots import model_weights
from explorer.upload import fence
from explorer.upload.loading import MAX_BYTES, UploadError, load_uploaded_model

CORPUS = Path(__file__).resolve().parent / "corpus"


def open_upload(name: str):
    return fence.open_upload((CORPUS / name).read_bytes(), name, timeout=120)


def test_a_keras3_stack_opens_with_its_own_weights():
    up = open_upload("good_stack.keras")
    cfg = up.cfg
    assert (cfg.timesteps, cfg.features, cfg.units, cfg.return_sequences) == (6, 3, (8, 4), (True, False))
    assert (cfg.head_units, cfg.head_activation) == (2, "softmax") and up.notes == ()
    model = keras.saving.load_model(CORPUS / "good_stack.keras")
    x = np.random.default_rng(3).normal(size=(4, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(trace(model_weights(cfg, up.arrays), x).output, model.predict(x, verbose=0), atol=1e-5)
    assert len(up.digest) == 64


def test_a_keras2_style_h5_opens_and_traces_equal_to_keras():
    up = open_upload("keras2_style.h5")
    assert (up.cfg.timesteps, up.cfg.features, up.cfg.units, up.cfg.head_units) == (5, 2, (6, 3), 1)
    model = keras.saving.load_model(CORPUS / "keras2_style.h5", compile=False)
    x = np.random.default_rng(4).normal(size=(3, 5, 2)).astype(np.float32)
    np.testing.assert_allclose(trace(model_weights(up.cfg, up.arrays), x).output, model.predict(x, verbose=0), atol=1e-5)


@pytest.mark.parametrize(
    ("name", "notes"),
    [
        ("variable_length.keras", ["any length; the views use 12 timesteps"]),
        ("with_dropout.keras", ["dropout acts only in training"]),
        ("backwards_relu.keras", []),
    ],
)
def test_supported_variations_open_with_notes(name, notes):
    up = open_upload(name)
    assert len(up.notes) == len(notes) and all(n in " ".join(map(str, up.notes)) for n in notes)
    if name == "backwards_relu.keras":
        assert up.cfg.go_backwards and up.cfg.activation == "relu" and up.cfg.recurrent_activation == "hard_sigmoid"


@pytest.mark.parametrize("name", ["bidirectional.keras", "masking.keras", "embedding.keras"])
def test_models_that_are_more_than_a_plain_stack_open_as_real_models(name):
    from explorer.realmodel.structure import RealModel
    from explorer.realmodel.tracing import keras_differences

    real = open_upload(name)
    assert isinstance(real, RealModel) and max(keras_differences(real).values()) <= 1e-5


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("lambda.keras", "`Lambda` layer"),
        ("lambda.h5", "`Lambda` layer"),
        ("custom_layer.keras", "Doubler"),
        ("no_lstm.keras", "No `LSTM` layer in this model (found: Flatten, Dense)"),
        ("gru.keras", "`GRU`"),
        ("convlstm.keras", "`ConvLSTM1D`"),
        ("truncated.keras", "damaged or incomplete"),
        ("corrupt.keras", "damaged or incomplete"),
        ("not_a_model.keras", "not a Keras model file"),
        ("empty.keras", "empty"),
    ],
)
def test_every_hostile_file_gets_a_plain_message(name, says):
    with pytest.raises(UploadError) as info:
        open_upload(name)
    assert says in str(info.value)
    assert "Traceback" not in str(info.value)


def test_too_large_and_no_temporary_file_left_behind():
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "lstm-explorer-upload-*")))
    with pytest.raises(UploadError, match="MB"):
        load_uploaded_model(b"PK\x03\x04" + bytes(MAX_BYTES + 1))
    for name in ("good_stack.keras", "truncated.keras", "lambda.keras"):
        with contextlib.suppress(UploadError):
            load_uploaded_model((CORPUS / name).read_bytes())  # in this process: its temporary copy
        with contextlib.suppress(UploadError):
            open_upload(name)  # in the loader: its own temporary folder
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "lstm-explorer-upload-*"))) == before
    worker_tmp = fence.loader_queue().loader._tmp
    assert worker_tmp and os.listdir(worker_tmp) == []


def test_lambda_code_never_runs(tmp_path):
    marker = tmp_path / "ran"
    touch = eval(f"lambda x: (__import__('pathlib').Path({str(marker)!r}).touch(), x)[1]")  # no closure: it serialises
    model = keras.Sequential([keras.Input(shape=(3, 2)), keras.layers.Lambda(touch), keras.layers.LSTM(2)])
    path = tmp_path / "sneaky.keras"
    model.save(path)
    marker.unlink(missing_ok=True)
    with pytest.raises(UploadError, match="Lambda"):
        load_uploaded_model(path.read_bytes())
    assert not marker.exists()


def test_a_keras2_file_with_hard_sigmoid_says_how_far_keras3_reads_it_from_what_its_keras_computed(tmp_path):
    import h5py

    from explorer.reference import extract_weights
    from explorer.reference.activations import KERAS2_HARD_SIGMOID
    from explorer.sequences import make_sequence
    from explorer.upload.legacy import as_keras2_computed

    keras.utils.set_random_seed(7)
    lstm = keras.layers.LSTM(6, recurrent_activation="hard_sigmoid")
    old = keras.Sequential([keras.Input((5, 2)), lstm, keras.layers.Dense(1)])
    path = tmp_path / "keras224.h5"
    old.save(path)
    with h5py.File(path, "a") as f:
        f.attrs["keras_version"] = "2.2.4"  # as Keras 2.2.4 wrote it
    up = fence.open_upload(path.read_bytes(), path.name, timeout=120)
    note = " ".join(map(str, up.notes))
    assert "Saved by Keras 2.2.4" in note and "clip(0.2·z + 0.5, 0, 1)" in note
    # What Keras 2 computed: the same weights in a Keras model whose recurrent activation is Keras 2's function.
    keras2 = keras.Sequential([
        keras.Input((5, 2)),
        keras.layers.LSTM(6, recurrent_activation=lambda z: keras.ops.clip(0.2 * z + 0.5, 0.0, 1.0)),
        keras.layers.Dense(1),
    ])  # fmt: skip
    keras2.set_weights(old.get_weights())
    x = make_sequence("sine", timesteps=5, features=2, batch_size=4, seed=0)
    then = trace(as_keras2_computed(extract_weights(old)), x).output
    np.testing.assert_allclose(then, keras2.predict(x, verbose=0), atol=1e-5)  # the reference reads it as Keras 2 did
    assert as_keras2_computed(extract_weights(old)).lstm[0].recurrent_activation == KERAS2_HARD_SIGMOID
    differ = np.max(np.abs(old.predict(x, verbose=0) - keras2.predict(x, verbose=0)))
    assert differ > 1e-3 and f"differ by up to {differ:.4f}" in note  # the measured difference, as shown


def test_a_keras3_file_with_hard_sigmoid_has_no_such_note():
    up = open_upload("backwards_relu.keras")  # hard_sigmoid, saved by Keras 3
    assert up.cfg.recurrent_activation == "hard_sigmoid" and not any("Saved by Keras" in str(n) for n in up.notes)


@pytest.mark.parametrize(
    ("layers", "shape"),
    [
        (lambda L: [L.LSTM(4, stateful=True)], {"batch_shape": (1, 3, 1)}),  # the tutorial's stateful model
        (lambda L: [L.LSTM(5, return_sequences=True), L.TimeDistributed(L.Dense(2))], {"shape": (6, 3)}),
    ],
    ids=["stateful_batch_of_one", "timedistributed_dense_head"],
)
def test_tutorial_models_that_were_refused_open_and_trace_equal_to_keras(tmp_path, layers, shape):
    keras.utils.set_random_seed(11)
    model = keras.Sequential([keras.Input(**shape), *layers(keras.layers)])
    path = tmp_path / "tutorial.keras"
    model.save(path)
    up = fence.open_upload(path.read_bytes(), path.name, timeout=120)
    batch = shape.get("batch_shape", (3,))[0]
    x = np.random.default_rng(2).normal(size=(batch, up.cfg.timesteps, up.cfg.features)).astype(np.float32)
    np.testing.assert_allclose(trace(model_weights(up.cfg, up.arrays), x).output, np.asarray(model(x)), atol=1e-5)
