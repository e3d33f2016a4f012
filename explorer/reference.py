"""A NumPy reference forward pass of a Keras LSTM stack, exposing every gate.

This is the app's fast path: the weights are read once from the Keras model
(`extract_weights`), then `trace` recomputes the forward pass in NumPy,
keeping what Keras hides — the gates ``i, f, g, o`` and the cell ``c`` at every
step. It is tested to agree with Keras to ``atol 1e-5`` in float32.

Gate maths as in Keras (`keras/src/layers/rnn/lstm.py`, gate order ``i, f, c, o``)::

    z   = x_t @ kernel + h_tm1 @ recurrent_kernel + bias     # (B, 4U)
    i   = recurrent_activation(z[:, 0U:1U])                  # input gate
    f   = recurrent_activation(z[:, 1U:2U])                  # forget gate
    g   = activation(z[:, 2U:3U])                            # candidate (Keras's "c" slice)
    o   = recurrent_activation(z[:, 3U:4U])                  # output gate
    c_t = f * c_tm1 + i * g
    h_t = o * activation(c_t)

The loop itself works on a layout made once per weights (`LSTMWeights.step_plan`): gate columns
reordered to ``i | f | o | g``, the sigmoid gates' columns halved so that one ``tanh`` activates a
whole step, and step-major ``(T, B, ·)`` buffers written in place; the arrays a `LayerTrace` hands
out are ``(B, T, U)`` views of those buffers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

ACTIVATION_FUNCTIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 0.5 * (np.tanh(0.5 * z) + 1),  # = 1 / (1 + e^-z), without overflow
    "hard_sigmoid": lambda z: np.clip((z + 3) / 6, 0, 1),  # Keras 3: relu6(z + 3) / 6
    "linear": lambda z: z,
}


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


HEAD_FUNCTIONS = {**ACTIVATION_FUNCTIONS, "softmax": _softmax}


def reads_data_backwards(go_backwards) -> list[bool]:
    """Per layer of a stack, first to last: does it walk the *data's* time axis from the end to the start?

    ``go_backwards`` reverses a layer's reading of its input *and* leaves its output reversed (Keras
    returns the sequence in processing order), so down a stack of ``go_backwards`` layers the
    direction alternates.

    Args:
        go_backwards: each layer's ``go_backwards`` flag, first to last.
    """
    backwards, out = False, []
    for flag in go_backwards:
        backwards = backwards != bool(flag)
        out.append(backwards)
    return out


def processes_backwards(cfg) -> list[bool]:
    """`reads_data_backwards` for an `explorer.config.LSTMConfig` (one ``go_backwards`` for every layer)."""
    return reads_data_backwards([cfg.go_backwards] * cfg.n_layers)


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
    def step_plan(self) -> _StepPlan:
        """The weights laid out for `trace`'s loop (made on the first trace, then kept with these weights)."""
        return _step_plan(self)


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
            kernel, recurrent, *rest = (np.asarray(w, dtype=np.float32) for w in layer.get_weights())
            bias = rest[0] if rest else np.zeros(kernel.shape[1], np.float32)
            lstm.append(
                LSTMWeights(
                    layer.name,
                    kernel,
                    recurrent,
                    bias,
                    _activation_name(layer.cell.activation),
                    _activation_name(layer.cell.recurrent_activation),
                    bool(layer.return_sequences),
                    bool(layer.go_backwards),
                    bool(layer.use_bias),
                )
            )
        elif isinstance(layer, keras.layers.Dense):
            kernel, bias = (np.asarray(w, dtype=np.float32) for w in layer.get_weights())
            head = DenseWeights(layer.name, kernel, bias, _activation_name(layer.activation))
    return ModelWeights(tuple(lstm), head)


@dataclass(frozen=True)
class LayerTrace:
    """Everything one LSTM layer computed, per sample and step.

    Arrays ``i, f, g, o, c, h`` are ``(batch, timesteps, units)`` in *processing
    order*: index ``t`` is the t-th step the cell took. With ``go_backwards`` the
    cell reads the input from its last step to its first, so index ``t`` belongs
    to input step ``T - 1 - t`` — exactly the order of Keras's own returned
    sequence, which Keras also leaves reversed.

    Attributes:
        name: Keras layer name.
        i, f, o: input, forget and output gates.
        g: the candidate values (Keras's ``c`` slice of the kernel).
        c: cell state after each step.
        h: hidden state after each step.
        h0, c0: the initial states ``(batch, units)`` (zeros unless given).
        return_sequences, go_backwards: the layer's flags.
    """

    name: str
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    return_sequences: bool
    go_backwards: bool

    @property
    def final_h(self) -> np.ndarray:
        """(batch, units) the last hidden state (Keras's state ``h``)."""
        return self.h[:, -1]

    @property
    def final_c(self) -> np.ndarray:
        """(batch, units) the last cell state (Keras's state ``c``)."""
        return self.c[:, -1]

    @property
    def output(self) -> np.ndarray:
        """What Keras returns: ``h`` (B, T, U) with return_sequences, else ``h`` of the last step (B, U)."""
        return self.h if self.return_sequences else self.final_h

    def gate(self, name: str) -> np.ndarray:
        """One of ``i, f, g, o, c, h`` by name."""
        return getattr(self, name)

    @property
    def arrays(self) -> tuple[np.ndarray, ...]:
        """Every array the layer holds: ``i, f, g, o, c, h, h0, c0``."""
        return self.i, self.f, self.g, self.o, self.c, self.h, self.h0, self.c0


@dataclass(frozen=True)
class Trace:
    """A reference forward pass: the input, every layer's `LayerTrace`, and the model output.

    Attributes:
        x: (batch, timesteps, features) the input.
        layers: one `LayerTrace` per LSTM layer, first to last.
        output: the model's main output (after the Dense head, if any).
    """

    x: np.ndarray
    layers: tuple[LayerTrace, ...]
    output: np.ndarray

    @property
    def nbytes(self) -> int:
        """Bytes held by the trace's arrays (what caching it costs)."""
        return self.x.nbytes + self.output.nbytes + sum(a.nbytes for layer in self.layers for a in layer.arrays)


def _in_place(name: str) -> Callable[[np.ndarray], None]:
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
class _StepPlan:
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


def _step_plan(w: LSTMWeights) -> _StepPlan:
    u = w.units
    kernel, recurrent, bias = _ifog(w.kernel, u), _ifog(w.recurrent_kernel, u), _ifog(w.bias, u)
    halved = w.recurrent_activation == "sigmoid"
    if halved:
        for a in (kernel, recurrent, bias):
            a[..., : 3 * u] *= 0.5
    gate_activation, cell_activation = _in_place(w.recurrent_activation), _in_place(w.activation)
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

    return _StepPlan(kernel, recurrent, bias if w.use_bias else None, activate, cell_activation)


def _run_steps(w: LSTMWeights, xs: np.ndarray, h: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loop over steps, in step-major buffers (each step's row contiguous, written in place).

    Args:
        w: the layer's weights and options.
        xs: (T, B, F_in) the input in processing order.
        h, c: (B, U) the initial states.

    Returns:
        ``z`` (T, B, 4U) the activated gates ``i | f | o | g``, ``cs`` and ``hs`` (T, B, U).
    """
    plan = w.step_plan
    steps, batch, features = xs.shape
    u = w.units
    # the input's share of every step in one matrix product: (T*B, F_in) @ (F_in, 4U) -> (T, B, 4U)
    z = (np.ascontiguousarray(xs).reshape(steps * batch, features) @ plan.kernel).reshape(steps, batch, 4 * u)
    if plan.bias is not None:
        z += plan.bias
    cs, hs = np.empty((steps, batch, u), np.float32), np.empty((steps, batch, u), np.float32)
    carried, ig = np.empty((batch, 4 * u), np.float32), np.empty((batch, u), np.float32)
    for t in range(steps):
        zt = z[t]
        np.matmul(h, plan.recurrent_kernel, out=carried)
        zt += carried  # (B, 4U): x_t @ kernel + bias + h_tm1 @ recurrent_kernel
        plan.activate(zt)
        i, f, o, g = zt[:, :u], zt[:, u : 2 * u], zt[:, 2 * u : 3 * u], zt[:, 3 * u :]
        np.multiply(i, g, out=ig)
        c = np.multiply(f, c, out=cs[t])
        c += ig  # c_t = f * c_tm1 + i * g
        h = hs[t]
        h[...] = c
        plan.cell_activation(h)
        h *= o  # h_t = o * act(c_t)
    return z, cs, hs


def _layer_trace(w: LSTMWeights, xs: np.ndarray, h0, c0) -> LayerTrace:
    """Run one layer on step-major input (T, B, F_in) in the data's own time order."""
    if w.go_backwards:
        xs = xs[::-1]  # the cell reads the last step first
    batch, u = xs.shape[1], w.units
    h = np.zeros((batch, u), np.float32) if h0 is None else np.asarray(h0, np.float32)
    c = np.zeros((batch, u), np.float32) if c0 is None else np.asarray(c0, np.float32)
    z, cs, hs = _run_steps(w, xs, h, c)

    def batch_major(a: np.ndarray) -> np.ndarray:  # (T, B, n) -> (B, T, n), a view
        return a.transpose(1, 0, 2)

    return LayerTrace(
        w.name,
        i=batch_major(z[:, :, :u]),
        f=batch_major(z[:, :, u : 2 * u]),
        g=batch_major(z[:, :, 3 * u :]),
        o=batch_major(z[:, :, 2 * u : 3 * u]),
        c=batch_major(cs),
        h=batch_major(hs),
        h0=h,
        c0=c,
        return_sequences=w.return_sequences,
        go_backwards=w.go_backwards,
    )


def lstm_layer(w: LSTMWeights, x: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None) -> LayerTrace:
    """Run one LSTM layer over a batch, keeping every gate.

    Args:
        w: the layer's weights and options.
        x: (B, T, F_in) input, in the data's own time order.
        h0, c0: optional (B, U) initial states; zeros by default.

    Returns:
        The `LayerTrace` (arrays in processing order; views of step-major buffers).
    """
    return _layer_trace(w, np.asarray(x, dtype=np.float32).transpose(1, 0, 2), h0, c0)


def trace(model, x: np.ndarray, initial_state=None) -> Trace:
    """Recompute a Keras LSTM stack's forward pass in NumPy, keeping every gate.

    Args:
        model: a ``keras.Model`` built by `build_model` (or any stack of LSTMs with an
            optional Dense head), or its `ModelWeights` from `extract_weights` (faster:
            no Keras call at all).
        x: (batch, timesteps, features) input.
        initial_state: optional list, one ``(h0, c0)`` pair per LSTM layer, each
            ``(batch, units)``; ``None`` (or a ``None`` entry) means zeros, as in Keras.

    Returns:
        A `Trace`. Per layer, ``i, f, g, o, c, h`` are ``(batch, timesteps, units)``
        in processing order: with ``go_backwards`` index ``t`` is input step ``T-1-t``
        (Keras returns its sequence in that same reversed order). Final states are
        ``layers[k].final_h`` / ``final_c``.
    """
    weights = model if isinstance(model, ModelWeights) else extract_weights(model)
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"x must be (batch, timesteps, features), got shape {x.shape}")
    layers = []
    steps_major = x.transpose(1, 0, 2)  # (T, B, F) for the first layer, (T, B, U_prev) after
    for k, w in enumerate(weights.lstm):
        if k and not layers[-1].return_sequences:
            raise ValueError(f"{w.name} receives shape {layers[-1].output.shape}: the layer before it must return sequences")
        h0, c0 = (None, None) if initial_state is None or initial_state[k] is None else initial_state[k]
        layer = _layer_trace(w, steps_major, h0, c0)
        layers.append(layer)
        steps_major = layer.h.transpose(1, 0, 2)  # the step-major buffer itself, no copy
    output = layers[-1].output if layers else x
    if weights.head is not None:
        output = HEAD_FUNCTIONS[weights.head.activation](output @ weights.head.kernel + weights.head.bias)
    return Trace(x, tuple(layers), np.asarray(output, np.float32))
