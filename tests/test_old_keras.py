"""`.h5` files laid out as Keras 2.1, Keras 2.2.4 and tf.keras 2.12 wrote them (tests/corpus/real/old/, from
make_old_keras.py): their configs translated before Keras 3 reads them, opened through the fenced loader, traced with
their own weights; a Keras 2 ``hard_sigmoid`` file says plainly how far Keras 3's numbers are from its own."""

import json
from pathlib import Path

import numpy as np
import pytest

from explorer.reference import trace
from explorer.training.snapshots import model_weights
from explorer.upload import fence
from explorer.upload.legacy import as_keras2_computed
from explorer.upload.old_keras import translate_config

OLD = Path(__file__).resolve().parent / "corpus" / "real" / "old"
FILES = ["keras_2_1_sequential", "keras_2_2_4_sequential", "keras_2_2_4_functional", "tf_keras_2_12_sequential"]


@pytest.fixture(scope="module")
def expected():
    with np.load(OLD / "expected.npz") as npz:
        return {name: npz[name] for name in npz.files}


@pytest.mark.parametrize("stem", FILES)
def test_every_old_file_opens_with_its_weights_and_computes_what_its_keras_computed(stem, expected):
    up = fence.open_upload((OLD / f"{stem}.h5").read_bytes(), f"{stem}.h5", timeout=120)
    assert (up.cfg.timesteps, up.cfg.features, up.cfg.units, up.cfg.head_units) == (5, 2, (6,), 1)
    weights = model_weights(up.cfg, up.arrays)
    x = expected["x"]
    hard = up.cfg.recurrent_activation == "hard_sigmoid"
    theirs = trace(as_keras2_computed(weights) if hard else weights, x).output  # their Keras's hard_sigmoid
    np.testing.assert_allclose(theirs, expected[stem], atol=1e-5)
    notes = " ".join(map(str, up.notes))
    if hard:  # the views trace Keras 3's hard_sigmoid: the page says so, with the difference measured
        assert "whose `hard_sigmoid` was clip(0.2·z + 0.5, 0, 1)" in notes
        assert np.max(np.abs(trace(weights, x).output - expected[stem])) > 1e-3
    else:
        assert "hard_sigmoid" not in notes


def test_the_translation_changes_only_what_keras_3_cannot_read():
    old = {"class_name": "Sequential", "config": [
        {"class_name": "LSTM", "config": {"name": "lstm_1", "units": 3, "batch_input_shape": [None, 4, 2], "dtype": "float32",
                                          "implementation": 1, "time_major": False}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 1}}]}  # fmt: skip
    new = translate_config(old)
    layers = new["config"]["layers"]
    assert [layer["class_name"] for layer in layers] == ["InputLayer", "LSTM", "Dense"]
    assert layers[0]["config"]["batch_shape"] == [None, 4, 2]
    assert layers[1]["config"] == {"name": "lstm_1", "units": 3, "dtype": "float32"}
    assert isinstance(old["config"], list) and "time_major" in old["config"][0]["config"]  # the argument is untouched
    wrapped = {"class_name": "Bidirectional", "config": {"layer": {"class_name": "LSTM", "config": {"implementation": 2}}}}
    functional = translate_config({"class_name": "Model", "config": {"layers": [wrapped]}})
    assert functional["class_name"] == "Functional"
    assert functional["config"]["layers"][0]["config"]["layer"]["config"] == {}
    keras3 = json.loads(json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": []}}))
    assert translate_config(keras3) == keras3


def test_an_old_text_model_says_its_hard_sigmoid_differs():
    from explorer.realmodel.structure import RealModel

    real = fence.open_upload((OLD / "keras_2_2_4_embedding.h5").read_bytes(), "keras_2_2_4_embedding.h5", timeout=120)
    assert isinstance(real, RealModel)
    note = next(str(n) for n in real.notes if "hard_sigmoid" in str(n))
    assert "Saved by Keras 2.2.4" in note and "1 of its LSTMs' hidden states differ by up to 0.0" in note
