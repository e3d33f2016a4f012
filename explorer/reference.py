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
"""

from __future__ import annotations

from dataclasses import dataclass

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


def lstm_layer(w: LSTMWeights, x: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None) -> LayerTrace:
    """Run one LSTM layer over a batch, keeping every gate.

    Args:
        w: the layer's weights and options.
        x: (B, T, F_in) input, in the data's own time order.
        h0, c0: optional (B, U) initial states; zeros by default.

    Returns:
        The `LayerTrace` (arrays in processing order).
    """
    act, rec = ACTIVATION_FUNCTIONS[w.activation], ACTIVATION_FUNCTIONS[w.recurrent_activation]
    x = np.asarray(x, dtype=np.float32)
    if w.go_backwards:
        x = x[:, ::-1]  # the cell reads the last step first
    batch, steps, _ = x.shape
    units = w.units
    h = np.zeros((batch, units), np.float32) if h0 is None else np.asarray(h0, np.float32)
    c = np.zeros((batch, units), np.float32) if c0 is None else np.asarray(c0, np.float32)
    start_h, start_c = h, c
    xz = x @ w.kernel  # (B, T, 4U): the input's share of every step, in one matmul
    if w.use_bias:
        xz += w.bias
    gates = {name: np.empty((batch, steps, units), np.float32) for name in "ifgoch"}
    u = units
    for t in range(steps):
        z = xz[:, t] + h @ w.recurrent_kernel  # (B, 4U)
        i, f, o = rec(z[:, :u]), rec(z[:, u : 2 * u]), rec(z[:, 3 * u :])
        g = act(z[:, 2 * u : 3 * u])
        c = f * c + i * g
        h = o * act(c)
        for name, value in (("i", i), ("f", f), ("g", g), ("o", o), ("c", c), ("h", h)):
            gates[name][:, t] = value
    return LayerTrace(w.name, **gates, h0=start_h, c0=start_c, return_sequences=w.return_sequences, go_backwards=w.go_backwards)


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
    current = x  # (B, T, F) for the first layer, (B, T, U_prev) after
    for k, w in enumerate(weights.lstm):
        if current.ndim != 3:
            raise ValueError(f"{w.name} receives shape {current.shape}: the layer before it must return sequences")
        h0, c0 = (None, None) if initial_state is None or initial_state[k] is None else initial_state[k]
        layer = lstm_layer(w, current, h0, c0)
        layers.append(layer)
        current = layer.output
    output = current
    if weights.head is not None:
        output = HEAD_FUNCTIONS[weights.head.activation](current @ weights.head.kernel + weights.head.bias)
    return Trace(x, tuple(layers), np.asarray(output, np.float32))
