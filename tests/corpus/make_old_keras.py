"""Write `.h5` model files laid out as Keras 2.1, Keras 2.2.4 and tf.keras 2.12 wrote them, with h5py.

Run from the project folder: ``python tests/corpus/make_old_keras.py``. Those versions cannot run beside Keras 3, so
each file is written byte layout by byte layout as they wrote it (their ``model_config`` JSON, their weight names),
and ``expected.npz`` holds what they computed on a sample batch: the same LSTM maths with *their* ``hard_sigmoid``,
``clip(0.2·z + 0.5, 0, 1)``, in NumPy (`explorer.reference`, which equals Keras 3's LSTM to 1e-6 on every other point).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent / "real" / "old"
sys.path.insert(0, str(HERE.parents[3]))

from explorer.reference.activations import KERAS2_HARD_SIGMOID  # noqa: E402
from explorer.reference.forward import lstm_layer  # noqa: E402
from explorer.reference.weights import LSTMWeights  # noqa: E402

T, F, U, H = 5, 2, 6, 1  # steps, features, units, Dense outputs
INIT = {
    "kernel_initializer": {
        "class_name": "VarianceScaling",
        "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None},
    },
    "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
    "bias_initializer": {"class_name": "Zeros", "config": {}},
}
REGULARISERS = {k: None for k in ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                                  "kernel_constraint", "recurrent_constraint", "bias_constraint")}  # fmt: skip


def lstm_config(name: str, recurrent_activation: str, **extra) -> dict:
    return {"name": name, "trainable": True, "return_sequences": False, "return_state": False, "go_backwards": False,
            "stateful": False, "unroll": False, "units": U, "activation": "tanh",
            "recurrent_activation": recurrent_activation, "use_bias": True, **INIT, "unit_forget_bias": True,
            **REGULARISERS, "dropout": 0.0, "recurrent_dropout": 0.0, **extra}  # fmt: skip


def dense_config(name: str) -> dict:
    return {"name": name, "trainable": True, "units": H, "activation": "linear", "use_bias": True,
            "kernel_initializer": INIT["kernel_initializer"], "bias_initializer": INIT["bias_initializer"],
            **{k: None for k in ("kernel_regularizer", "bias_regularizer", "activity_regularizer",
                                 "kernel_constraint", "bias_constraint")}}  # fmt: skip


def weights(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "kernel": rng.normal(scale=0.6, size=(F, 4 * U)).astype(np.float32),
        "recurrent_kernel": rng.normal(scale=0.6, size=(U, 4 * U)).astype(np.float32),
        "bias": rng.normal(scale=0.3, size=(4 * U,)).astype(np.float32),
        "dense_kernel": rng.normal(scale=0.6, size=(U, H)).astype(np.float32),
        "dense_bias": rng.normal(scale=0.1, size=(H,)).astype(np.float32),
    }


def computed(w: dict, x: np.ndarray, recurrent_activation: str) -> np.ndarray:
    """What the saving Keras computed: its LSTM (with its own hard_sigmoid), then the Dense layer."""
    rec = KERAS2_HARD_SIGMOID if recurrent_activation == "hard_sigmoid" else recurrent_activation
    layer = LSTMWeights("lstm", w["kernel"], w["recurrent_kernel"], w["bias"], "tanh", rec, False, False, True)
    return lstm_layer(layer, x).output @ w["dense_kernel"] + w["dense_bias"]


def write(path: Path, version: str, config: dict, layers: list[tuple[str, list[tuple[str, np.ndarray]]]]) -> None:
    """An HDF5 model file as Keras 2 wrote one: root attributes, then ``model_weights/<layer>/<weight name>``."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = version.encode()
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = [name.encode() for name, _ in layers]
        group.attrs["backend"] = b"tensorflow"
        group.attrs["keras_version"] = version.encode()
        for name, arrays in layers:
            layer = group.create_group(name)
            layer.attrs["weight_names"] = [weight.encode() for weight, _ in arrays]
            for weight, array in arrays:
                layer.create_dataset(weight, data=array)


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    x = np.random.default_rng(0).normal(size=(4, T, F)).astype(np.float32)  # (B, T, F)
    expected = {"x": x}
    # Keras 2.1.6: a Sequential's config is the list of its layers; the first carries batch_input_shape.
    w = weights(1)
    lstm = lstm_config("lstm_1", "hard_sigmoid", batch_input_shape=[None, T, F], dtype="float32", implementation=1)
    config = {"class_name": "Sequential", "config": [{"class_name": "LSTM", "config": lstm},
                                                    {"class_name": "Dense", "config": dense_config("dense_1")}]}  # fmt: skip
    write(HERE / "keras_2_1_sequential.h5", "2.1.6", config,
          [("lstm_1", [("lstm_1/kernel:0", w["kernel"]), ("lstm_1/recurrent_kernel:0", w["recurrent_kernel"]),
                       ("lstm_1/bias:0", w["bias"])]),
           ("dense_1", [("dense_1/kernel:0", w["dense_kernel"]), ("dense_1/bias:0", w["dense_bias"])])])  # fmt: skip
    expected["keras_2_1_sequential"] = computed(w, x, "hard_sigmoid")
    # Keras 2.2.4: a Sequential's config names its layers; the LSTM carries batch_input_shape.
    w = weights(4)
    lstm = lstm_config("lstm_1", "hard_sigmoid", batch_input_shape=[None, T, F], dtype="float32", implementation=1)
    config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
        {"class_name": "LSTM", "config": lstm}, {"class_name": "Dense", "config": dense_config("dense_1")}]}}  # fmt: skip
    write(HERE / "keras_2_2_4_sequential.h5", "2.2.4", config,
          [("lstm_1", [("lstm_1/kernel:0", w["kernel"]), ("lstm_1/recurrent_kernel:0", w["recurrent_kernel"]),
                       ("lstm_1/bias:0", w["bias"])]),
           ("dense_1", [("dense_1/kernel:0", w["dense_kernel"]), ("dense_1/bias:0", w["dense_bias"])])])  # fmt: skip
    expected["keras_2_2_4_sequential"] = computed(w, x, "hard_sigmoid")
    # Keras 2.2.4: a functional "Model"; its InputLayer has batch_input_shape; the LSTM the default hard_sigmoid.
    w = weights(2)
    config = {"class_name": "Model", "config": {"name": "model_1", "layers": [
        {"name": "input_1", "class_name": "InputLayer",
         "config": {"batch_input_shape": [None, T, F], "dtype": "float32", "sparse": False, "name": "input_1"},
         "inbound_nodes": []},
        {"name": "lstm_1", "class_name": "LSTM", "config": lstm_config("lstm_1", "hard_sigmoid", implementation=1),
         "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        {"name": "dense_1", "class_name": "Dense", "config": dense_config("dense_1"), "inbound_nodes": [[["lstm_1", 0, 0, {}]]]},
    ], "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_1", 0, 0]]}}  # fmt: skip
    write(HERE / "keras_2_2_4_functional.h5", "2.2.4", config,
          [("input_1", []),
           ("lstm_1", [("lstm_1/kernel:0", w["kernel"]), ("lstm_1/recurrent_kernel:0", w["recurrent_kernel"]),
                       ("lstm_1/bias:0", w["bias"])]),
           ("dense_1", [("dense_1/kernel:0", w["dense_kernel"]), ("dense_1/bias:0", w["dense_bias"])])])  # fmt: skip
    expected["keras_2_2_4_functional"] = computed(w, x, "hard_sigmoid")
    # tf.keras 2.12: a Sequential with an InputLayer; the LSTM has time_major and implementation=2, sigmoid gates,
    # and its weights sit under lstm/lstm_cell/.
    w = weights(3)
    lstm = lstm_config("lstm", "sigmoid", time_major=False, implementation=2, zero_output_for_mask=False, dtype="float32")
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, T, F], "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "lstm_input"}},
        {"class_name": "LSTM", "config": lstm},
        {"class_name": "Dense", "config": {**dense_config("dense"), "dtype": "float32"}},
    ]}, "keras_version": "2.12.0", "backend": "tensorflow"}  # fmt: skip
    write(HERE / "tf_keras_2_12_sequential.h5", "2.12.0", config,
          [("lstm", [("lstm/lstm_cell/kernel:0", w["kernel"]), ("lstm/lstm_cell/recurrent_kernel:0", w["recurrent_kernel"]),
                     ("lstm/lstm_cell/bias:0", w["bias"])]),
           ("dense", [("dense/kernel:0", w["dense_kernel"]), ("dense/bias:0", w["dense_bias"])])])  # fmt: skip
    expected["tf_keras_2_12_sequential"] = computed(w, x, "sigmoid")
    np.savez(HERE / "expected.npz", **expected)
    # An old text model: Embedding → LSTM (Keras 2's default hard_sigmoid) → Dense, saved with keras_version 2.2.4.
    import keras

    keras.utils.set_random_seed(5)
    layers = keras.layers
    text = keras.Sequential([keras.Input((9,)), layers.Embedding(30, 4), layers.LSTM(5, recurrent_activation="hard_sigmoid"),
                             layers.Dense(2, activation="softmax")])  # fmt: skip
    text.save(HERE / "keras_2_2_4_embedding.h5")
    with h5py.File(HERE / "keras_2_2_4_embedding.h5", "r+") as f:
        f.attrs["keras_version"] = b"2.2.4"


if __name__ == "__main__":
    main()
