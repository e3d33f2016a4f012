"""What an ``Embedding`` hands an LSTM: each token id's row of the table, and with ``mask_zero`` which steps are real."""

from __future__ import annotations

import numpy as np


def embed(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The lookup: (B, T) token ids → (B, T, D) rows of the (vocab, D) table (float32)."""
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= len(table)):
        raise ValueError(f"token ids must lie in 0 … {len(table) - 1}, got {ids.min()} … {ids.max()}")
    return np.asarray(table, np.float32)[ids]


def padding_mask(ids: np.ndarray) -> np.ndarray:
    """``Embedding(mask_zero=True)``'s mask: (B, T) bool, ``False`` where the id is 0 (padding)."""
    return np.asarray(ids) != 0


def masking_mask(x: np.ndarray, mask_value: float = 0.0) -> np.ndarray:
    """A ``Masking(mask_value)`` layer's mask: (B, T) bool, ``False`` where every feature equals ``mask_value``."""
    return np.any(np.asarray(x) != mask_value, axis=-1)
