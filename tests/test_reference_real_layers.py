"""The reference LSTM where real models put it: after an Embedding (mask_zero), after Masking, inside Bidirectional
(every merge mode), on padded batches. Each output and final state equals Keras's own (atol 1e-5, float32), over
random shapes, paddings and directions (hypothesis)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer._keras import keras
from explorer.reference.bidirectional import MERGE_MODES, bidirectional_layer, bidirectional_weights
from explorer.reference.embedding import embed, masking_mask, padding_mask
from explorer.reference.masking import masked_lstm_layer
from explorer.reference.weights import lstm_weights

EXAMPLES = int(os.environ.get("LSTM_EXPLORER_HYPOTHESIS_EXAMPLES", "200")) // 10  # each example builds a Keras model
ATOL = 1e-5


@st.composite
def padded_lengths(draw, batch: int, steps: int) -> np.ndarray:
    """(B, T) bool keep-masks: post-padding, pre-padding or holes anywhere; a sample may be all padding."""
    style = draw(st.sampled_from(["post", "pre", "holes"]))
    rows = []
    for _ in range(batch):
        if style == "holes":
            rows.append(draw(st.lists(st.booleans(), min_size=steps, max_size=steps)))
        else:
            n = draw(st.integers(0, steps))
            row = [True] * n + [False] * (steps - n)
            rows.append(row if style == "post" else row[::-1])
    return np.array(rows, bool)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    data=st.data(),
    batch=st.integers(1, 3),
    steps=st.integers(1, 7),
    features=st.integers(1, 4),
    units=st.integers(1, 5),
    return_sequences=st.booleans(),
    go_backwards=st.booleans(),
    seed=st.integers(0, 10**6),
)
def test_masking_then_lstm_equals_keras_on_padded_batches(
    data, batch, steps, features, units, return_sequences, go_backwards, seed
):
    keep = data.draw(padded_lengths(batch, steps))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features)).astype(np.float32) * keep[:, :, None]  # padding rows are all zero
    keras.utils.set_random_seed(seed % 2**31)
    lstm = keras.layers.LSTM(units, return_sequences=return_sequences, go_backwards=go_backwards, return_state=True)
    inputs = keras.Input((steps, features))
    model = keras.Model(inputs, lstm(keras.layers.Masking(0.0)(inputs)))
    out, h, c = (np.asarray(a) for a in model(x))
    ours = masked_lstm_layer(lstm_weights(lstm), x, masking_mask(x))
    np.testing.assert_allclose(ours.output, out, atol=ATOL)
    np.testing.assert_allclose(ours.final_h, h, atol=ATOL)  # masked steps kept the states
    np.testing.assert_allclose(ours.final_c, c, atol=ATOL)
    assert ours.mask.shape == (batch, steps) and (ours.mask == (keep[:, ::-1] if go_backwards else keep)).all()


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    data=st.data(),
    batch=st.integers(1, 3),
    steps=st.integers(1, 7),
    vocab=st.integers(2, 9),
    dim=st.integers(1, 4),
    units=st.integers(1, 5),
    return_sequences=st.booleans(),
    merge_mode=st.sampled_from(MERGE_MODES),
    mask_zero=st.booleans(),
    seed=st.integers(0, 10**6),
)
def test_embedding_then_bidirectional_equals_keras(
    data, batch, steps, vocab, dim, units, return_sequences, merge_mode, mask_zero, seed
):
    keep = data.draw(padded_lengths(batch, steps)) if mask_zero else np.ones((batch, steps), bool)
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab, size=(batch, steps)) * keep  # 0 is padding
    keras.utils.set_random_seed(seed % 2**31)
    embedding = keras.layers.Embedding(vocab, dim, mask_zero=mask_zero)
    both = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=return_sequences), merge_mode=merge_mode)
    inputs = keras.Input((steps,), dtype="int32")
    model = keras.Model(inputs, both(embedding(inputs)))
    theirs = model(ids.astype(np.int32))
    forward, backward, mode = bidirectional_weights(both)
    x = embed(np.asarray(embedding.embeddings), ids)  # (B, T, dim): what reaches the LSTMs
    ours = bidirectional_layer(forward, backward, x, mode, padding_mask(ids) if mask_zero else None)
    if merge_mode is None:
        for a, b in zip(ours.output, theirs, strict=True):
            np.testing.assert_allclose(a, np.asarray(b), atol=ATOL)
    else:
        np.testing.assert_allclose(ours.output, np.asarray(theirs), atol=ATOL)
    assert ours.forward.name.endswith("· forward") and ours.backward.go_backwards


def test_a_bidirectional_layer_is_two_lstms_whose_backward_row_reads_from_the_end():
    keras.utils.set_random_seed(3)
    both = keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True))
    x = np.random.default_rng(3).normal(size=(1, 4, 3)).astype(np.float32)
    theirs = np.asarray(both(x))
    forward, backward, mode = bidirectional_weights(both)
    ours = bidirectional_layer(forward, backward, x, mode)
    assert mode == "concat" and ours.output.shape == (1, 4, 4)
    np.testing.assert_allclose(ours.output, theirs, atol=ATOL)
    # The backward direction's first processed step is the input's last: its h there is Keras's output at t = T - 1.
    np.testing.assert_allclose(ours.backward.h[:, 0], theirs[:, -1, 2:], atol=ATOL)


def test_an_embedding_refuses_ids_outside_its_table():
    with pytest.raises(ValueError, match="0 … 4"):
        embed(np.zeros((5, 2)), np.array([[1, 5]]))
