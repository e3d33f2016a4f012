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

Modules: `activations` (by Keras name), `directions` (``go_backwards`` down a stack), `weights`
(NumPy copies of a model's weights), `layout` (the loop's weight layout), `traces` (what a pass
keeps) and `forward` (the pass itself).
"""

from explorer.reference.activations import ACTIVATION_FUNCTIONS, HEAD_FUNCTIONS
from explorer.reference.directions import processes_backwards, reads_data_backwards
from explorer.reference.forward import lstm_layer, trace
from explorer.reference.traces import LayerTrace, Trace
from explorer.reference.weights import DenseWeights, LSTMWeights, ModelWeights, extract_weights, prepare_trace

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "HEAD_FUNCTIONS",
    "DenseWeights",
    "LSTMWeights",
    "LayerTrace",
    "ModelWeights",
    "Trace",
    "extract_weights",
    "lstm_layer",
    "prepare_trace",
    "processes_backwards",
    "reads_data_backwards",
    "trace",
]
