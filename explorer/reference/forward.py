"""The forward pass itself: `lstm_layer` and `trace`."""

from __future__ import annotations

import numpy as np

from explorer.reference.activations import HEAD_FUNCTIONS
from explorer.reference.traces import LayerTrace, Trace
from explorer.reference.weights import LSTMWeights, ModelWeights, extract_weights


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
    return layer_trace_of(w, z, cs, hs, h, c)


def layer_trace_of(w: LSTMWeights, z, cs, hs, h0, c0, **masked) -> LayerTrace:
    """The `LayerTrace` of a run's step-major buffers: ``z`` (T, B, 4U) the activated ``i | f | o | g``, ``cs`` and
    ``hs`` (T, B, U), the initial states (B, U); ``masked``: a masked run's ``mask`` (B, T) and ``outputs``
    (T, B, U)."""
    u = w.units

    def batch_major(a: np.ndarray) -> np.ndarray:  # (T, B, n) -> (B, T, n), a view
        return a.transpose(1, 0, 2)

    if "outputs" in masked:
        masked["outputs"] = batch_major(masked["outputs"])
    return LayerTrace(
        w.name,
        i=batch_major(z[:, :, :u]),
        f=batch_major(z[:, :, u : 2 * u]),
        g=batch_major(z[:, :, 3 * u :]),
        o=batch_major(z[:, :, 2 * u : 3 * u]),
        c=batch_major(cs),
        h=batch_major(hs),
        h0=h0,
        c0=c0,
        return_sequences=w.return_sequences,
        go_backwards=w.go_backwards,
        **masked,
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
