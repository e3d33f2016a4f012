"""A GRU or SimpleRNN layer run forward in NumPy from its Keras weights, keeping what the backward pass needs.

An LSTM's forward is `explorer.reference.forward` (its trace keeps every gate); these are the two recurrent layers a
learner compares it with, with Keras 3's defaults (``tanh``, ``sigmoid``, the GRU's ``reset_after=True``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("LSTM", "GRU", "SimpleRNN")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class CellWeights:
    """A GRU's or SimpleRNN's weights and options, as plain NumPy.

    Attributes:
        kind: ``"GRU"`` or ``"SimpleRNN"``.
        name: Keras layer name.
        kernel: (F_in, nU) input weights (GRU slices ``z | r | h``, n = 3; SimpleRNN n = 1).
        recurrent_kernel: (U, nU).
        bias: SimpleRNN (U,); GRU (2, 3U): the input bias row and the recurrent bias row (``reset_after``).
        return_sequences, go_backwards: the layer's flags.
    """

    kind: str
    name: str
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    return_sequences: bool
    go_backwards: bool

    @property
    def units(self) -> int:
        return self.recurrent_kernel.shape[0]


@dataclass(frozen=True)
class CellRun:
    """One layer's forward pass, in processing order (reversed input steps with ``go_backwards``).

    Attributes:
        xs: (B, T, F_in) the input as the cell read it.
        h: (B, T, U) the hidden state after each step; ``h0`` (B, U) the initial one.
        parts: what the backward pass needs besides: GRU ``z, r, hh, inner_h`` (B, T, U) each; SimpleRNN none.
    """

    xs: np.ndarray
    h: np.ndarray
    h0: np.ndarray
    parts: dict

    @property
    def output(self) -> np.ndarray:
        return self.h


def cell_weights(layer) -> CellWeights:
    """A built ``keras.layers.GRU`` or ``SimpleRNN`` as `CellWeights` (float32 copies).

    Raises:
        ValueError: another layer, or options the NumPy pass does not follow (activations, ``reset_after=False``).
    """
    kind = type(layer).__name__
    if kind not in ("GRU", "SimpleRNN"):
        raise ValueError(f"{layer.name} is a {kind}, not a GRU or SimpleRNN")
    cell = layer.cell
    if cell.activation.__name__ != "tanh" or (kind == "GRU" and cell.recurrent_activation.__name__ != "sigmoid"):
        raise ValueError(f"{layer.name}: only the default activations (tanh, sigmoid) are followed")
    if kind == "GRU" and not cell.reset_after:
        raise ValueError(f"{layer.name}: only reset_after=True (Keras 3's default) is followed")
    kernel, recurrent, *rest = (np.asarray(w, np.float32) for w in layer.get_weights())
    n = 3 if kind == "GRU" else 1
    u = recurrent.shape[0]
    bias = rest[0] if rest else np.zeros((2, 3 * u) if kind == "GRU" else (n * u,), np.float32)
    return CellWeights(kind, layer.name, kernel, recurrent, bias, bool(layer.return_sequences), bool(layer.go_backwards))


def run_cell(w: CellWeights, x: np.ndarray, h0: np.ndarray | None = None) -> CellRun:
    """Run a GRU or SimpleRNN layer over ``x`` (B, T, F_in), given in the data's own time order."""
    xs = np.asarray(x, np.float32)[:, ::-1] if w.go_backwards else np.asarray(x, np.float32)
    batch, steps, _ = xs.shape
    u = w.units
    h = np.zeros((batch, u), np.float32) if h0 is None else np.asarray(h0, np.float32)
    start = h
    hs = np.empty((batch, steps, u), np.float32)
    if w.kind == "SimpleRNN":
        a = xs @ w.kernel + w.bias  # (B, T, U): every step's input share at once
        for t in range(steps):
            h = hs[:, t] = np.tanh(a[:, t] + h @ w.recurrent_kernel)
        return CellRun(xs, hs, start, {})
    a = xs @ w.kernel + w.bias[0]  # (B, T, 3U): z | r | h input shares
    z, r, hh, inner_h = (np.empty((batch, steps, u), np.float32) for _ in range(4))
    for t in range(steps):
        inner = h @ w.recurrent_kernel + w.bias[1]  # (B, 3U)
        z[:, t] = _sigmoid(a[:, t, :u] + inner[:, :u])
        r[:, t] = _sigmoid(a[:, t, u : 2 * u] + inner[:, u : 2 * u])
        inner_h[:, t] = inner[:, 2 * u :]
        hh[:, t] = np.tanh(a[:, t, 2 * u :] + r[:, t] * inner_h[:, t])
        h = hs[:, t] = z[:, t] * h + (1 - z[:, t]) * hh[:, t]
    return CellRun(xs, hs, start, {"z": z, "r": r, "hh": hh, "inner_h": inner_h})
