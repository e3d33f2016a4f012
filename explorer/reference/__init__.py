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
keeps) and `forward` (the pass itself). Where real models put an LSTM: `masking` (padded batches:
masked steps keep ``h`` and ``c``, as in Keras), `bidirectional` (two LSTMs, forward and backward,
and the merge) and `embedding` (the lookup and ``mask_zero``'s mask); each is tested equal to Keras
on random shapes and paddings (``tests/test_reference_real_layers.py``).
"""

from explorer.reference.activations import ACTIVATION_FUNCTIONS, HEAD_FUNCTIONS
from explorer.reference.bidirectional import MERGE_MODES, BidirectionalTrace, bidirectional_layer, bidirectional_weights
from explorer.reference.directions import processes_backwards, reads_data_backwards
from explorer.reference.embedding import embed, masking_mask, padding_mask
from explorer.reference.forward import lstm_layer, trace
from explorer.reference.masking import masked_lstm_layer
from explorer.reference.traces import LayerTrace, Trace
from explorer.reference.weights import DenseWeights, LSTMWeights, ModelWeights, extract_weights, lstm_weights, prepare_trace

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "HEAD_FUNCTIONS",
    "MERGE_MODES",
    "BidirectionalTrace",
    "DenseWeights",
    "LSTMWeights",
    "LayerTrace",
    "ModelWeights",
    "Trace",
    "bidirectional_layer",
    "bidirectional_weights",
    "embed",
    "extract_weights",
    "lstm_layer",
    "lstm_weights",
    "masked_lstm_layer",
    "masking_mask",
    "padding_mask",
    "prepare_trace",
    "processes_backwards",
    "reads_data_backwards",
    "trace",
]
