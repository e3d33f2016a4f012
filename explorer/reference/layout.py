"""A layer's weights laid out for the forward loop, and in-place activations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from explorer.reference.activations import ACTIVATION_FUNCTIONS

if TYPE_CHECKING:
    from explorer.reference.weights import LSTMWeights


def in_place(name: str) -> Callable[[np.ndarray], None]:
    """``z[...] = activation(z)`` without a temporary where NumPy allows (``tanh`` and ``linear``)."""
    if name == "tanh":
        return lambda z: np.tanh(z, out=z)
    if name == "linear":
        return lambda z: None
    fn = ACTIVATION_FUNCTIONS[name]

    def apply(z: np.ndarray) -> None:
        z[...] = fn(z)

    return apply


def _ifog(a: np.ndarray, u: int) -> np.ndarray:
    """Keras's gate slices ``i | f | c | o`` reordered to ``i | f | o | g`` (a copy)."""
    return np.concatenate([a[..., : 2 * u], a[..., 3 * u :], a[..., 2 * u : 3 * u]], axis=-1)


@dataclass(frozen=True)
class StepPlan:
    """A layer's weights laid out for the loop, and how to activate one step's pre-activations in place.

    Gate slices are reordered to ``i | f | o | g`` (the three gates side by side). With a sigmoid gate
    activation the gates' columns are halved (exact in float32), so that sigmoid(z) = (tanh(z / 2) + 1) / 2
    costs one ``tanh`` and one multiply-add; with ``tanh`` as the cell activation too, one ``tanh`` call
    activates all four slices.
    """

    kernel: np.ndarray  # (F_in, 4U)
    recurrent_kernel: np.ndarray  # (U, 4U)
    bias: np.ndarray | None  # (4U,)
    activate: Callable[[np.ndarray], None]  # (B, 4U) pre-activations -> i | f | o | g, in place
    cell_activation: Callable[[np.ndarray], None]  # (B, U) c_t -> act(c_t), in place


def step_plan(w: LSTMWeights) -> StepPlan:
    """Lay ``w`` out for the loop (use `LSTMWeights.step_plan`, which makes it once per weights)."""
    u = w.units
    kernel, recurrent, bias = _ifog(w.kernel, u), _ifog(w.recurrent_kernel, u), _ifog(w.bias, u)
    halved = w.recurrent_activation == "sigmoid"
    if halved:
        for a in (kernel, recurrent, bias):
            a[..., : 3 * u] *= 0.5
    gate_activation, cell_activation = in_place(w.recurrent_activation), in_place(w.activation)
    one_tanh = halved and w.activation == "tanh"

    def activate(z: np.ndarray) -> None:
        gates = z[:, : 3 * u]
        if one_tanh:
            np.tanh(z, out=z)  # all four slices in one call
        else:
            cell_activation(z[:, 3 * u :])
            if halved:
                np.tanh(gates, out=gates)
            else:
                gate_activation(gates)
        if halved:
            gates *= 0.5
            gates += 0.5

    return StepPlan(kernel, recurrent, bias if w.use_bias else None, activate, cell_activation)
