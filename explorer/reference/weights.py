"""An explorer model's weights as plain NumPy, read once from Keras."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from explorer.reference.activations import HEAD_FUNCTIONS

if TYPE_CHECKING:
    from explorer.reference.layout import StepPlan


@dataclass(frozen=True)
class LSTMWeights:
    """One LSTM layer's weights and options, as plain NumPy.

    Attributes:
        name: Keras layer name.
        kernel: (F_in, 4U) input weights, gate slices ``i | f | c | o``.
        recurrent_kernel: (U, 4U) recurrent weights.
        bias: (4U,) bias, zeros when the layer has ``use_bias=False``.
        activation, recurrent_activation: Keras activation names.
        return_sequences, go_backwards, use_bias: the layer's flags.
    """

    name: str
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    activation: str
    recurrent_activation: str
    return_sequences: bool
    go_backwards: bool
    use_bias: bool

    @property
    def units(self) -> int:
        return self.recurrent_kernel.shape[0]

    @cached_property
    def step_plan(self) -> StepPlan:
        """The weights laid out for `trace`'s loop (made on the first trace, then kept with these weights)."""
        from explorer.reference.layout import step_plan  # the layout reads these weights: imported when first used

        return step_plan(self)


@dataclass(frozen=True)
class DenseWeights:
    """The Dense head: ``kernel (U, H)``, ``bias (H,)``, activation name."""

    name: str
    kernel: np.ndarray
    bias: np.ndarray
    activation: str


@dataclass(frozen=True)
class ModelWeights:
    """All weights of an explorer model, detached from Keras."""

    lstm: tuple[LSTMWeights, ...]
    head: DenseWeights | None = None


def prepare_trace(weights: ModelWeights) -> ModelWeights:
    """Lay out every layer's weights for `trace` now (each `LSTMWeights.step_plan`), so the first trace does not pay it.

    Returns:
        ``weights`` itself.
    """
    for layer in weights.lstm:
        _ = layer.step_plan
    return weights


def _activation_name(fn_or_name) -> str:
    name = fn_or_name if isinstance(fn_or_name, str) else fn_or_name.__name__
    if name not in HEAD_FUNCTIONS:
        raise ValueError(f"activation {name!r} is not supported by the reference LSTM")
    return name


def lstm_weights(layer, name: str | None = None) -> LSTMWeights:
    """One Keras ``LSTM`` layer's weights and options as `LSTMWeights` (float32 copies), wherever it sits in a model:
    alone, inside a ``Bidirectional`` (each direction is one), after an ``Embedding``.

    Args:
        layer: a built ``keras.layers.LSTM``.
        name: the name to show (default: the layer's own).
    """
    kernel, recurrent, *rest = (np.asarray(w, dtype=np.float32) for w in layer.get_weights())
    bias = rest[0] if rest else np.zeros(kernel.shape[1], np.float32)
    return LSTMWeights(
        name or layer.name,
        kernel,
        recurrent,
        bias,
        _activation_name(layer.cell.activation),
        _activation_name(layer.cell.recurrent_activation),
        bool(layer.return_sequences),
        bool(layer.go_backwards),
        bool(layer.use_bias),
    )


def extract_weights(model) -> ModelWeights:
    """Copy the LSTM and Dense weights out of a Keras model (once; cheap to trace after).

    Args:
        model: a ``keras.Model`` whose layers are LSTMs, optionally followed by one Dense.

    Returns:
        `ModelWeights` holding float32 arrays.
    """
    from explorer._keras import keras

    lstm, head = [], None
    for layer in model.layers:
        if isinstance(layer, keras.layers.LSTM):
            lstm.append(lstm_weights(layer))
        elif isinstance(layer, keras.layers.Dense):
            kernel, bias = (np.asarray(w, dtype=np.float32) for w in layer.get_weights())
            head = DenseWeights(layer.name, kernel, bias, _activation_name(layer.activation))
    return ModelWeights(tuple(lstm), head)
