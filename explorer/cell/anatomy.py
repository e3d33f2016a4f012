"""One cell, one step, one unit: the numbers the textbook diagram carries.

A `Trace` keeps each gate's value; the diagram also needs what went *into* each
gate: the input weights' share ``W·x_t``, the recurrent weights' share
``U·h_{t−1}`` and the bias, whose sum is the pre-activation ``z``. `cell_step`
recomputes those shares for one (layer, sample, step, unit) from the weights and
the trace's own inputs and states, so every number on the diagram comes from the
same forward pass the other views show (a test checks they agree with the trace).

Steps: the focus is an *input* step ``t`` (1 … T, the column ``x_t`` of the
unrolled graph). A layer that reads its input backwards processes input step ``t``
as its ``T − t``-th step; `processing_index` maps one to the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.reference import ACTIVATION_FUNCTIONS, LSTMWeights, Trace, reads_data_backwards

GATES = ("i", "f", "g", "o")  # Keras's kernel slices, in order (its "c" slice is the candidate g)


def reads_backwards(tr: Trace, layer: int) -> bool:
    """Does ``layer`` walk the data's time axis from the end? (``go_backwards`` alternates it down a stack.)"""
    return reads_data_backwards([lt.go_backwards for lt in tr.layers])[layer]


def processing_index(tr: Trace, layer: int, step: int) -> int:
    """The index into ``tr.layers[layer]``'s arrays (processing order) of input step ``step`` (1-based)."""
    T = tr.x.shape[1]
    return T - step if reads_backwards(tr, layer) else step - 1


def layer_input(tr: Trace, layer: int) -> np.ndarray:
    """(B, T, F_in) what ``layer`` reads, in its own processing order."""
    seq = tr.x if layer == 0 else tr.layers[layer - 1].h  # the layer below's output, as Keras passes it on
    return seq[:, ::-1] if tr.layers[layer].go_backwards else seq


@dataclass(frozen=True)
class GateStep:
    """One gate of one unit at one step: ``value = activation(from_x + from_h + bias)``.

    Attributes:
        name: ``i``, ``f``, ``g`` or ``o``.
        activation: the Keras activation applied (``recurrent_activation`` for i, f, o).
        from_x: input weights · ``x_t`` (the kernel column of this gate and unit).
        from_h: recurrent weights · ``h_{t−1}``.
        bias: the bias entry (0 without ``use_bias``).
        value: the gate's value, as traced.
    """

    name: str
    activation: str
    from_x: float
    from_h: float
    bias: float
    value: float

    @property
    def z(self) -> float:
        """The pre-activation: the three shares summed."""
        return self.from_x + self.from_h + self.bias


@dataclass(frozen=True)
class CellStep:
    """Everything on the cell diagram for one (layer, sample, input step, unit).

    Attributes:
        layer, sample, step, unit: the focus (``step`` is the input step, 1-based).
        position: which step the cell took this one as (1-based, processing order).
        timesteps: T.
        backwards: the layer reads the data from its end.
        use_bias: the layer has a bias (else the diagram has no bias term).
        activation: the cell's activation (candidate and ``tanh(c_t)``'s place).
        x: (F_in,) the layer's input at this step.
        h_prev, c_prev: (U,) the states the step starts from.
        gates: ``i, f, g, o`` as `GateStep` for the focused unit.
        c, h: the focused unit's new cell and hidden state.
        c_prev_unit, h_prev_unit: the focused unit's entries of ``c_prev`` and ``h_prev``.
        all_units: ``{"i", "f", "g", "o", "c", "h"}`` → (U,) the whole layer at this step.
    """

    layer: int
    sample: int
    step: int
    unit: int
    position: int
    timesteps: int
    backwards: bool
    use_bias: bool
    activation: str
    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    gates: dict[str, GateStep]
    c: float
    h: float
    all_units: dict[str, np.ndarray]

    @property
    def c_prev_unit(self) -> float:
        return float(self.c_prev[self.unit])

    @property
    def h_prev_unit(self) -> float:
        return float(self.h_prev[self.unit])

    @property
    def squashed_c(self) -> float:
        """``activation(c_t)``, the value the output gate scales."""
        return float(ACTIVATION_FUNCTIONS[self.activation](np.float32(self.c)))


def cell_step(weights: LSTMWeights, tr: Trace, *, layer: int, sample: int, step: int, unit: int) -> CellStep:
    """The diagram's numbers at one (layer, sample, input step, unit).

    Args:
        weights: the layer's weights (``ModelWeights.lstm[layer]``), the ones ``tr`` was traced with.
        tr: the `Trace`.
        layer, sample, unit: indices (0-based).
        step: the input step ``t``, 1 … T.

    Returns:
        A `CellStep`; its gate values and states are the trace's own.
    """
    lt = tr.layers[layer]
    T, U = lt.h.shape[1], lt.h.shape[2]
    if not 1 <= step <= T:
        raise ValueError(f"step {step} is outside 1…{T}")
    p = processing_index(tr, layer, step)
    x = layer_input(tr, layer)[sample, p]  # (F_in,)
    h_prev = lt.h[sample, p - 1] if p else lt.h0[sample]  # (U,)
    c_prev = lt.c[sample, p - 1] if p else lt.c0[sample]
    gates = {}
    for j, name in enumerate(GATES):
        col = j * U + unit  # this gate's column for this unit in kernel, recurrent_kernel and bias
        gates[name] = GateStep(
            name,
            weights.activation if name == "g" else weights.recurrent_activation,
            float(x @ weights.kernel[:, col]),
            float(h_prev @ weights.recurrent_kernel[:, col]),
            float(weights.bias[col]) if weights.use_bias else 0.0,
            float(lt.gate(name)[sample, p, unit]),
        )
    return CellStep(
        layer=layer,
        sample=sample,
        step=step,
        unit=unit,
        position=p + 1,
        timesteps=T,
        backwards=reads_backwards(tr, layer),
        use_bias=weights.use_bias,
        activation=weights.activation,
        x=x,
        h_prev=h_prev,
        c_prev=c_prev,
        gates=gates,
        c=float(lt.c[sample, p, unit]),
        h=float(lt.h[sample, p, unit]),
        all_units={g: lt.gate(g)[sample, p] for g in "ifgoch"},
    )
