"""What a file saved by Keras 2 computed that Keras 3 computes differently: ``hard_sigmoid``.

Keras 2's ``hard_sigmoid`` was ``clip(0.2·z + 0.5, 0, 1)``; Keras 3's, under the same name, is ``relu6(z + 3) / 6``
(slope 1/6, saturating at ±3 instead of ±2.5). An LSTM saved by Keras 2 with it (its default
``recurrent_activation`` until Keras 2.3) opens in Keras 3 without a word and computes other numbers: its
gates, its output, sometimes the output's sign. The views trace what Keras 3 computes; `hard_sigmoid_note` says
so, with the difference measured on the views' sample data.
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np

from explorer.config import LSTMConfig
from explorer.i18n import Message
from explorer.reference.activations import KERAS2_HARD_SIGMOID
from explorer.reference.forward import trace
from explorer.reference.weights import ModelWeights
from explorer.sequences import make_sequence


def saved_by_keras(data: bytes) -> str | None:
    """The Keras version an HDF5 model file says it was saved by (``"2.2.4"``), or ``None``."""
    if not data.startswith(b"\x89HDF\r\n\x1a\n"):
        return None  # a .keras archive: Keras 3
    import h5py

    with h5py.File(io.BytesIO(data), "r") as f:
        version = f.attrs.get("keras_version")
    version = version.decode("utf-8", "replace") if isinstance(version, bytes) else version
    return str(version)[:20] if version else None


def as_keras2_computed(weights: ModelWeights) -> ModelWeights:
    """The same weights with every ``hard_sigmoid`` read as Keras 2's."""
    return dataclasses.replace(
        weights,
        lstm=tuple(
            dataclasses.replace(w, recurrent_activation=KERAS2_HARD_SIGMOID) if w.recurrent_activation == "hard_sigmoid" else w
            for w in weights.lstm
        ),
    )


def hard_sigmoid_note(cfg: LSTMConfig, weights: ModelWeights, version: str | None) -> Message | None:
    """For a Keras 2 file whose LSTMs use ``hard_sigmoid``: how far Keras 3's reading is from what its Keras computed,
    on the views' sample data (``sine``, 4 samples, seed 0); else ``None``."""
    if not version or not version.startswith("2.") or cfg.recurrent_activation != "hard_sigmoid":
        return None
    x = make_sequence("sine", timesteps=cfg.timesteps, features=cfg.features, batch_size=4, seed=0)  # (4, T, F)
    now, then = trace(weights, x).output, trace(as_keras2_computed(weights), x).output
    differ = float(np.max(np.abs(now - then)))
    flipped = int(np.sum(np.sign(now) != np.sign(then)))
    return Message(
        "Saved by Keras {version}, whose `hard_sigmoid` was clip(0.2·z + 0.5, 0, 1); Keras 3, and every view here, "
        "compute relu6(z + 3) / 6 under the same name. On the sample data the model's outputs differ by up to {differ} "
        "between the two ({flipped} of {n} change sign): the numbers shown are Keras 3's, not those your Keras computed.",
        version=version,
        differ=f"{differ:.4f}",
        flipped=flipped,
        n=now.size,
    )


def real_model_hard_sigmoid_note(real, version: str | None) -> Message | None:
    """For a real model saved by Keras 2 whose LSTMs use ``hard_sigmoid``: how far each such LSTM's outputs, on the
    tensor that reached it in the sample batch, are between Keras 3's ``hard_sigmoid`` and Keras 2's; else ``None``."""
    from explorer.realmodel.tracing import site_trace

    hard = [k for k, site in enumerate(real.sites) if site.weights.recurrent_activation == "hard_sigmoid"]
    if not version or not version.startswith("2.") or not hard:
        return None
    differ = 0.0
    for k in hard:
        site = real.sites[k]
        then = dataclasses.replace(site, weights=dataclasses.replace(site.weights, recurrent_activation=KERAS2_HARD_SIGMOID))
        as_then = dataclasses.replace(real, sites=(*real.sites[:k], then, *real.sites[k + 1 :]))
        differ = max(differ, float(np.max(np.abs(site_trace(real, k).h - site_trace(as_then, k).h))))
    return Message(
        "Saved by Keras {version}, whose `hard_sigmoid` was clip(0.2·z + 0.5, 0, 1); Keras 3, and every view here, "
        "compute relu6(z + 3) / 6 under the same name. On the sample data {n} of its LSTMs' hidden states differ by up "
        "to {differ} between the two: the numbers shown are Keras 3's, not those your Keras computed.",
        version=version,
        n=len(hard),
        differ=f"{differ:.4f}",
    )
