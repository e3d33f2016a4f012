"""An LSTM beside a GRU and a SimpleRNN of about its size: built by Keras, seeded, on the same task and batch.

Sizes are matched on the recurrent layer's parameters. Per unit count ``u`` and ``F`` input features, Keras counts
``4·(u·(F+u) + u)`` for an LSTM, ``3·(u·(F+u) + 2u)`` for a GRU (``reset_after=True``: two bias rows) and
``u·(F+u) + u`` for a SimpleRNN; `matched_units` picks the ``u`` whose count is nearest the LSTM's, and the page shows
what Keras itself counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.whygates.cells import KINDS
from explorer.whygates.gradients import GradientThroughTime, RecurrentStack, gradient_through_time, stack_weights

GATE_BLOCKS = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}


def recurrent_params(kind: str, units: int, features: int) -> int:
    """The recurrent layer's parameter count, as Keras counts it (the test checks it against ``count_params``)."""
    extra_bias = units if kind == "GRU" else 0  # the GRU's second (recurrent) bias row
    return GATE_BLOCKS[kind] * (units * (features + units) + units + extra_bias)


def matched_units(kind: str, lstm_units: int, features: int) -> int:
    """The unit count that gives ``kind`` the parameter count nearest an LSTM of ``lstm_units``."""
    target = recurrent_params("LSTM", lstm_units, features)
    return min(range(1, 8 * lstm_units + 2), key=lambda u: (abs(recurrent_params(kind, u, features) - target), u))


def build_recurrent(
    kind: str,
    units: int,
    timesteps: int,
    features: int,
    head: tuple[int, str],
    *,
    per_step: bool,
    seed: int,
    forget_bias: float = 1.0,
):
    """``Input((T, F)) → kind(units) → Dense(head)``, its weights drawn from initializers seeded by ``seed``.

    Args:
        kind: ``"LSTM"``, ``"GRU"`` or ``"SimpleRNN"``.
        head: the Dense head's units and activation.
        per_step: the recurrent layer returns its sequence (a target at every step).
        forget_bias: the LSTM's forget-gate bias at the start: 1 is Keras's ``unit_forget_bias=True``, 0 is
            ``unit_forget_bias=False``, and a larger value (3: f ≈ 0.95) keeps more of ``c`` from the first step.
    """
    from explorer._keras import keras

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    layer = getattr(keras.layers, kind)
    options = {"unit_forget_bias": False} if kind == "LSTM" else {}  # zeros: the forget slice is set below
    seeds = [int(s) % (2**31 - 1) for s in np.random.SeedSequence(seed).generate_state(3)]
    model = keras.Sequential(
        [
            keras.Input((timesteps, features)),
            layer(
                units,
                return_sequences=per_step,
                kernel_initializer=keras.initializers.GlorotUniform(seed=seeds[0]),
                recurrent_initializer=keras.initializers.Orthogonal(seed=seeds[1]),
                name=kind.lower(),
                **options,
            ),
            keras.layers.Dense(
                head[0], activation=head[1], kernel_initializer=keras.initializers.GlorotUniform(seed=seeds[2]), name="head"
            ),
        ],
        name=f"why_{kind.lower()}",
    )
    if kind == "LSTM" and forget_bias:
        lstm = model.layers[0]
        kernel, recurrent, bias = lstm.get_weights()
        bias[units : 2 * units] = forget_bias  # the gate slices are i | f | c | o
        lstm.set_weights([kernel, recurrent, bias])
    return model


@dataclass(frozen=True)
class Contender:
    """One model of the comparison: its kind, size as Keras counts it, and the gradient through time on the batch."""

    kind: str
    units: int
    params: int
    gradient: GradientThroughTime
    label: str = ""  # how the charts name it when two of one kind are compared (default: the kind)

    @property
    def name(self) -> str:
        return self.label or self.kind


def contender(
    kind: str, stack: RecurrentStack, params: int, x: np.ndarray, y: np.ndarray, loss: str, label: str = ""
) -> Contender:
    """A `Contender` from a model's NumPy weights and its Keras parameter count."""
    units = stack.layers[0].recurrent_kernel.shape[0]
    return Contender(kind, units, params, gradient_through_time(stack, x, y, loss), label)


def untrained_contender(
    kind: str, lstm_units: int, x: np.ndarray, y: np.ndarray, loss: str, head: tuple[int, str], *, per_step: bool, seed: int
) -> Contender:
    """A GRU or SimpleRNN the size of an LSTM of ``lstm_units``, as initialised, on the batch ``x``, ``y``."""
    _, steps, features = x.shape
    model = build_recurrent(kind, matched_units(kind, lstm_units, features), steps, features, head, per_step=per_step, seed=seed)
    return contender(kind, stack_weights(model), model.layers[0].count_params(), x, y, loss)  # the recurrent layer
