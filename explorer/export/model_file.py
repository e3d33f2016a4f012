"""The live model (untrained, or at a training snapshot) as the bytes of a Keras 3 ``.keras`` file."""

from __future__ import annotations

import os
import tempfile

import numpy as np

from explorer.config import LSTMConfig
from explorer.keras_lock import KERAS_LOCK
from explorer.model import build_model


def keras_file_bytes(cfg: LSTMConfig, arrays: tuple[np.ndarray, ...] | None = None) -> bytes:
    """Build the model of ``cfg`` (with ``arrays`` as its weights, if given) and save it as ``.keras``.

    Args:
        cfg: a buildable config (a real one too: `explorer.realmodel.built.build_real_model`).
        arrays: weights in ``model.get_weights()`` order (a training snapshot's), or ``None`` for the
            initial weights seeded by ``cfg.seed``.

    Returns:
        The file's bytes: ``keras.saving.load_model`` on them gives the same outputs as the app's model.
    """
    with KERAS_LOCK:  # a model of our own (the shared, cached ones are never touched), built and saved in one go
        if cfg.is_real:  # an Embedding in front or a Bidirectional layer
            from explorer.realmodel.built import build_real_model

            model = build_real_model(cfg)
        else:
            model = build_model(cfg)
        if arrays is not None:
            model.set_weights(list(arrays))
        handle, path = tempfile.mkstemp(prefix="lstm-explorer-", suffix=".keras")
        os.close(handle)
        try:
            model.save(path)
            with open(path, "rb") as f:
                return f.read()
        finally:
            os.remove(path)  # a private temporary file, always removed
