"""The activation functions the reference LSTM knows, by Keras name (NumPy, float32-safe)."""

from __future__ import annotations

import numpy as np

ACTIVATION_FUNCTIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 0.5 * (np.tanh(0.5 * z) + 1),  # = 1 / (1 + e^-z), without overflow
    "hard_sigmoid": lambda z: np.clip((z + 3) / 6, 0, 1),  # Keras 3: relu6(z + 3) / 6
    "linear": lambda z: z,
}
KERAS2_HARD_SIGMOID = "hard_sigmoid_keras2"  # Keras 2's hard_sigmoid, another function under the same name
ACTIVATION_FUNCTIONS[KERAS2_HARD_SIGMOID] = lambda z: np.clip(0.2 * z + 0.5, 0, 1)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


HEAD_FUNCTIONS = {**ACTIVATION_FUNCTIONS, "softmax": _softmax}
