"""Sample inputs for a real model: token ids for an input that feeds an ``Embedding``, sequences for the others,
padded where the model masks padding, so every view shows skipped steps at once."""

from __future__ import annotations

import numpy as np

from explorer.sequences import make_sequence

SAMPLES = 8  # the most samples the views show (the batch slider's top)
FREE_LENGTH = 12  # steps for an input that takes sequences of any length


def padded_lengths(batch: int, steps: int, rng: np.random.Generator) -> np.ndarray:
    """(B,) how many real steps each sample has: sample 0 about two thirds, the others between a third and all.

    Padding goes first (``pre``, as Keras's ``pad_sequences`` puts it by default).
    """
    if steps < 2:
        return np.full(batch, steps)
    lengths = rng.integers(max(1, steps // 3), steps + 1, size=batch)
    lengths[0] = max(1, (2 * steps) // 3)
    return lengths


def token_samples(batch: int, steps: int, vocab: int, *, padded: bool, seed: int = 0) -> np.ndarray:
    """(B, T) int32 token ids in ``1 … vocab-1`` (``0 … vocab-1`` unpadded); with ``padded``, leading zeros."""
    rng = np.random.default_rng(seed)
    low = 1 if padded and vocab > 1 else 0
    ids = rng.integers(low, max(vocab, low + 1), size=(batch, steps)).astype(np.int32)
    if padded:
        for row, length in zip(ids, padded_lengths(batch, steps, rng), strict=True):
            row[: steps - length] = 0
    return ids


def sequence_samples(shape: tuple[int, ...], batch: int, *, pad_value: float | None = None, seed: int = 0) -> np.ndarray:
    """(B, *shape) float32: the app's sine sequences for a (T, F) input (noise for any other rank); with ``pad_value``,
    the first steps of each sample set to it (what a ``Masking(mask_value)`` layer skips)."""
    rng = np.random.default_rng(seed)
    if len(shape) == 2:
        x = make_sequence("sine", timesteps=shape[0], features=shape[1], batch_size=batch, seed=seed)
    else:
        x = rng.normal(size=(batch, *shape)).astype(np.float32)
    if pad_value is not None and len(shape) >= 1:
        for row, length in zip(x, padded_lengths(batch, shape[0], rng), strict=True):
            row[: shape[0] - length] = pad_value
    return x
