"""An LSTM over padded sequences: masked steps are skipped, as Keras skips them.

Keras (``keras/src/backend/tensorflow/rnn.py``) computes every step, then where the mask is ``False`` keeps the
previous states (``c``, ``h``) and returns the previous output (or zeros: ``zero_output_for_mask``, which a
``Bidirectional`` sets for a layer that returns sequences). The gates a masked step computed are kept here too, so the
views can show them greyed out, but they change nothing.
"""

from __future__ import annotations

import numpy as np

from explorer.reference.forward import layer_trace_of
from explorer.reference.traces import LayerTrace
from explorer.reference.weights import LSTMWeights


def masked_lstm_layer(
    w: LSTMWeights,
    x: np.ndarray,
    mask: np.ndarray,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
    *,
    zero_output: bool = False,
) -> LayerTrace:
    """Run one LSTM layer over a padded batch, keeping every gate.

    Args:
        w: the layer's weights and options.
        x: (B, T, F_in) input, in the data's own time order.
        mask: (B, T) bool, ``False`` at padding (an ``Embedding(mask_zero=True)``'s or a ``Masking`` layer's mask).
        h0, c0: optional (B, U) initial states; zeros by default.
        zero_output: masked steps return zeros instead of the last output (Keras's ``zero_output_for_mask``).

    Returns:
        The `LayerTrace`, in processing order, with its ``mask`` and per-step ``outputs``.
    """
    xs = np.asarray(x, np.float32).transpose(1, 0, 2)  # (T, B, F)
    keep = np.asarray(mask, bool).T  # (T, B)
    if w.go_backwards:
        xs, keep = xs[::-1], keep[::-1]  # the cell reads (and skips) from the last step to the first
    steps, batch, _ = xs.shape
    u, plan = w.units, w.step_plan
    h = np.zeros((batch, u), np.float32) if h0 is None else np.asarray(h0, np.float32)
    c = np.zeros((batch, u), np.float32) if c0 is None else np.asarray(c0, np.float32)
    h_start, c_start = h, c
    z = (np.ascontiguousarray(xs).reshape(steps * batch, -1) @ plan.kernel).reshape(steps, batch, 4 * u)  # (T, B, 4U)
    if plan.bias is not None:
        z += plan.bias
    cs, hs, outs = (np.empty((steps, batch, u), np.float32) for _ in range(3))
    previous = np.zeros((batch, u), np.float32)  # Keras's first "previous output" is zeros, whatever h0 is
    for t in range(steps):
        zt = z[t]
        zt += h @ plan.recurrent_kernel
        plan.activate(zt)  # i | f | o | g, in place
        i, f, o, g = zt[:, :u], zt[:, u : 2 * u], zt[:, 2 * u : 3 * u], zt[:, 3 * u :]
        c_new = f * c + i * g
        h_new = c_new.copy()
        plan.cell_activation(h_new)
        h_new *= o
        m = keep[t][:, None]  # (B, 1)
        c = cs[t] = np.where(m, c_new, c)
        h = hs[t] = np.where(m, h_new, h)
        previous = outs[t] = np.where(m, h_new, 0.0 if zero_output else previous)
    return layer_trace_of(w, z, cs, hs, h_start, c_start, mask=keep.T.copy(), outputs=outs)
