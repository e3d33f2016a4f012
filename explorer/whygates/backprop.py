"""Each recurrent layer taken back through time: from the gradient at its outputs to its input's and its states'.

Every function works in processing order (the order the cell took its steps) and returns the gradient reaching the
input at each step, the *total* gradient reaching each step's hidden state (from the layer above and from every later
step), and for an LSTM the total gradient reaching each cell state. They assume Keras's default activations
(``tanh``, ``sigmoid``), which `explorer.whygates.gradients` checks before it calls them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.reference.traces import LayerTrace
from explorer.reference.weights import LSTMWeights
from explorer.whygates.cells import CellRun, CellWeights


@dataclass(frozen=True)
class LayerGradient:
    """What reaches one layer's steps, in processing order.

    Attributes:
        dx: (B, T, F_in) ``∂L/∂x_t``, the input the cell read at step t.
        dh: (B, T, U) ``∂L/∂h_t``, all of it: from above at t and through every later step.
        dc: (B, T, U) ``∂L/∂c_t`` (LSTM only; ``None`` otherwise).
        dh0: (B, U) ``∂L/∂h_0``, what reaches the initial state.
    """

    dx: np.ndarray
    dh: np.ndarray
    dc: np.ndarray | None
    dh0: np.ndarray


def lstm_back(w: LSTMWeights, run: LayerTrace, up: np.ndarray) -> LayerGradient:
    """An LSTM layer backward. ``up`` (B, T, U): ``∂L/∂h_t`` from above only (the layer above or the head)."""
    batch, steps, u = run.h.shape
    dx = np.empty((batch, steps, w.kernel.shape[0]), np.float32)
    dh_all, dc_all = np.empty_like(run.h), np.empty_like(run.c)
    dh_next, dc_next = np.zeros((batch, u), np.float32), np.zeros((batch, u), np.float32)
    for t in range(steps - 1, -1, -1):
        i, f, g, o, c = run.i[:, t], run.f[:, t], run.g[:, t], run.o[:, t], run.c[:, t]
        c_prev = run.c0 if t == 0 else run.c[:, t - 1]
        dh = dh_all[:, t] = up[:, t] + dh_next
        tc = np.tanh(c)
        dc = dc_all[:, t] = dc_next + dh * o * (1 - tc * tc)  # c reaches the loss through h_t and through c_{t+1}
        dz = np.concatenate(  # Keras's gate order in the kernel: i | f | c (the candidate g) | o
            [dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g * g), dh * tc * o * (1 - o)], axis=1
        )
        dx[:, t] = dz @ w.kernel.T
        dh_next = dz @ w.recurrent_kernel.T
        dc_next = dc * f  # the cell path: each step multiplies by its forget gate, nothing else
    return LayerGradient(dx, dh_all, dc_all, dh_next)


def cell_back(w: CellWeights, run: CellRun, up: np.ndarray) -> LayerGradient:
    """A GRU or SimpleRNN layer backward. ``up`` (B, T, U): ``∂L/∂h_t`` from above only."""
    batch, steps, u = run.h.shape
    dx = np.empty(run.xs.shape, np.float32)
    dh_all = np.empty_like(run.h)
    dh_next = np.zeros((batch, u), np.float32)
    for t in range(steps - 1, -1, -1):
        h_prev = run.h0 if t == 0 else run.h[:, t - 1]
        dh = dh_all[:, t] = up[:, t] + dh_next
        if w.kind == "SimpleRNN":
            da = dh * (1 - run.h[:, t] ** 2)
            dx[:, t] = da @ w.kernel.T
            dh_next = da @ w.recurrent_kernel.T
            continue
        z, r, hh, inner_h = (run.parts[k][:, t] for k in ("z", "r", "hh", "inner_h"))
        da_h = dh * (1 - z) * (1 - hh * hh)  # h_t = z·h_{t−1} + (1 − z)·hh
        da_z = dh * (h_prev - hh) * z * (1 - z)
        da_r = da_h * inner_h * r * (1 - r)  # hh = tanh(x·W_h + r·(h_{t−1}·U_h + b_h))
        dx[:, t] = np.concatenate([da_z, da_r, da_h], axis=1) @ w.kernel.T
        dh_next = dh * z + np.concatenate([da_z, da_r, da_h * r], axis=1) @ w.recurrent_kernel.T
    return LayerGradient(dx, dh_all, None, dh_next)
