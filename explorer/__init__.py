"""LSTM Explorer's engine: a live Keras LSTM from one config, its exact gates in NumPy.

Works the same in a notebook as in the app (nothing here imports Streamlit)::

    from explorer import LSTMConfig, build_model, shape_table, trace, keras_check, make_sequence
    cfg = LSTMConfig(timesteps=10, features=64, units=(32, 16), return_sequences=(True, False))
    model = build_model(cfg)
    x = make_sequence("sine", timesteps=10, features=64, batch_size=2, seed=0)
    tr = trace(model, x)                 # tr.layers[k].i / .f / .g / .o / .c / .h
    keras_check(model, x, tr)            # ~1e-7

The names are loaded on first use: ``import explorer.config`` (or ``from explorer
import LSTMConfig``) does not import TensorFlow, which takes seconds; ``build_model``
and ``keras_check`` do. The app draws its first paint in that time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOME = {  # public name -> the module that defines it
    "keras_check": "explorer.check",
    "keras_differences": "explorer.check",
    "ConfigError": "explorer.config",
    "LSTMConfig": "explorer.config",
    "LayerShape": "explorer.model",
    "ShapeTable": "explorer.model",
    "build_model": "explorer.model",
    "shape_table": "explorer.model",
    "LayerTrace": "explorer.reference",
    "ModelWeights": "explorer.reference",
    "Trace": "explorer.reference",
    "extract_weights": "explorer.reference",
    "trace": "explorer.reference",
    "SEQUENCES": "explorer.sequences",
    "make_sequence": "explorer.sequences",
}
__all__ = [  # the keys of _HOME (a test checks)
    "SEQUENCES",
    "ConfigError",
    "LSTMConfig",
    "LayerShape",
    "LayerTrace",
    "ModelWeights",
    "ShapeTable",
    "Trace",
    "build_model",
    "extract_weights",
    "keras_check",
    "keras_differences",
    "make_sequence",
    "shape_table",
    "trace",
]

if TYPE_CHECKING:
    from explorer.check import keras_check, keras_differences
    from explorer.config import ConfigError, LSTMConfig
    from explorer.model import LayerShape, ShapeTable, build_model, shape_table
    from explorer.reference import LayerTrace, ModelWeights, Trace, extract_weights, trace
    from explorer.sequences import SEQUENCES, make_sequence


def __getattr__(name: str):
    """Import a public name's module on first use (PEP 562)."""
    if name not in _HOME:
        raise AttributeError(f"module 'explorer' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})
