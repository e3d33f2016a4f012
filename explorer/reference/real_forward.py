"""The sliders' real model (`explorer.realmodel.built.build_real_model`) run in NumPy straight from its weight arrays:
token ids through the ``Embedding`` (``mask_zero``'s mask), each LSTM or ``Bidirectional`` layer, the Dense head.

What training scores its snapshots with (no Keras model per snapshot): tested equal to Keras's ``model(x)``.
"""

from __future__ import annotations

import numpy as np

from explorer.config import LSTMConfig
from explorer.reference.activations import HEAD_FUNCTIONS
from explorer.reference.bidirectional import bidirectional_layer
from explorer.reference.embedding import embed, padding_mask
from explorer.reference.forward import lstm_layer
from explorer.reference.masking import masked_lstm_layer
from explorer.reference.weights import LSTMWeights


def next_lstm_weights(cfg: LSTMConfig, k: int, it, name: str, backwards: bool = False) -> LSTMWeights:
    """Layer ``k``'s `LSTMWeights` from the iterator ``it`` over ``get_weights()``-ordered arrays (it takes its
    ``kernel, recurrent_kernel[, bias]``); ``backwards``: a Bidirectional's backward direction."""
    kernel, recurrent = next(it), next(it)
    bias = next(it) if cfg.use_bias else np.zeros(kernel.shape[1], np.float32)
    return LSTMWeights(
        name,
        kernel,
        recurrent,
        bias,
        cfg.activation,
        cfg.recurrent_activation,
        cfg.return_sequences[k],
        cfg.go_backwards != backwards,
        cfg.use_bias,
    )


def real_forward(cfg: LSTMConfig, arrays: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
    """The model's output for a batch.

    Args:
        cfg: a real config (`LSTMConfig.is_real`) whose merge mode is not ``None``, without ``return_state``.
        arrays: ``model.get_weights()`` of `build_real_model(cfg)`: the Embedding's table (vocab, D) first when the
            input is tokens, then per layer ``kernel, recurrent_kernel[, bias]`` (forward, then backward for a
            Bidirectional), then the head's ``kernel, bias``.
        x: (B, T) token ids, or (B, T, F) numbers.

    Returns:
        (B, …) what Keras's ``model(x)`` returns.
    """
    it = iter(arrays)
    mask = None
    if cfg.input_kind == "tokens":
        ids = np.asarray(x)
        h = embed(next(it), ids)  # (B, T) → (B, T, D)
        mask = padding_mask(ids) if cfg.mask_zero else None
    else:
        h = np.asarray(x, np.float32)
    for k in range(cfg.n_layers):
        if cfg.is_bidirectional(k):
            forward = next_lstm_weights(cfg, k, it, f"forward_lstm_{k + 1}")
            backward = next_lstm_weights(cfg, k, it, f"backward_lstm_{k + 1}", backwards=True)
            h = bidirectional_layer(forward, backward, h, cfg.merge_mode, mask).output
        else:
            w = next_lstm_weights(cfg, k, it, f"lstm_{k + 1}")
            h = (lstm_layer(w, h) if mask is None else masked_lstm_layer(w, h, mask)).output
        if not cfg.return_sequences[k]:
            mask = None  # the last h: no steps left to mask
    if cfg.head_units:
        kernel, bias = next(it), next(it)
        h = HEAD_FUNCTIONS[cfg.head_activation](h @ kernel + bias)
    if next(it, None) is not None:
        raise ValueError("more weight arrays than the configuration has weights")
    return np.asarray(h, np.float32)
