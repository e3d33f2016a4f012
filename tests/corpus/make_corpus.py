"""Write the upload corpus: small Keras files a learner might upload, good and hostile.

Run from the project folder: ``python tests/corpus/make_corpus.py``. The files are committed; the
tests open each one through the app's upload path and check the message it gets.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402


def seq(*layers, shape=(6, 3)) -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input(shape=shape), *layers])


@keras.saving.register_keras_serializable(package="learner")
class Doubler(keras.layers.Layer):
    """A learner's custom layer: the app never has its code."""

    def call(self, x):
        return 2 * x


def main() -> None:
    L = keras.layers
    models = {
        "good_stack.keras": seq(L.LSTM(8, return_sequences=True), L.LSTM(4), L.Dense(2, activation="softmax")),
        "variable_length.keras": seq(L.LSTM(3, return_sequences=True), L.Dense(1), shape=(None, 2)),
        "with_dropout.keras": seq(L.LSTM(4, dropout=0.2, recurrent_dropout=0.1), L.Dropout(0.5), L.Dense(1)),
        "backwards_relu.keras": seq(L.LSTM(5, go_backwards=True, activation="relu", recurrent_activation="hard_sigmoid")),
        "lambda.keras": seq(L.Lambda(lambda x: x * 2), L.LSTM(4)),
        "custom_layer.keras": seq(Doubler(), L.LSTM(4)),
        "no_lstm.keras": seq(L.Flatten(), L.Dense(3)),
        "gru.keras": seq(L.GRU(4)),
        "bidirectional.keras": seq(L.Bidirectional(L.LSTM(4))),
        "convlstm.keras": keras.Sequential([keras.Input(shape=(4, 5, 2)), L.ConvLSTM1D(2, 3)]),
        "masking.keras": seq(L.Masking(0.0), L.LSTM(4)),
        "embedding.keras": keras.Sequential([keras.Input(shape=(6,)), L.Embedding(10, 3), L.LSTM(4)]),
    }
    for name, model in models.items():
        model.save(HERE / name)
    models["lambda.keras"].save(HERE / "lambda.h5")  # the legacy format must refuse Lambda code too
    # Keras 2 style: a Sequential whose first layer takes input_shape, saved in the legacy HDF5 format.
    keras.utils.set_random_seed(1)
    legacy = keras.Sequential([L.LSTM(6, input_shape=(5, 2), return_sequences=True), L.LSTM(3), L.Dense(1)])
    legacy.save(HERE / "keras2_style.h5")
    good = (HERE / "good_stack.keras").read_bytes()
    (HERE / "truncated.keras").write_bytes(good[: len(good) // 2])
    rng = np.random.default_rng(0)
    (HERE / "corrupt.keras").write_bytes(b"PK\x03\x04" + rng.bytes(2000))
    (HERE / "not_a_model.keras").write_text("time,value\n0,1.5\n1,2.5\n")
    (HERE / "empty.keras").write_bytes(b"")


if __name__ == "__main__":
    main()
