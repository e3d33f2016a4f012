"""LSTM Explorer's engine: a live Keras LSTM from one config, its exact gates in NumPy.

Works the same in a notebook as in the app (nothing here imports Streamlit)::

    from explorer import LSTMConfig, build_model, shape_table, trace, keras_check, make_sequence
    cfg = LSTMConfig(timesteps=10, features=64, units=(32, 16), return_sequences=(True, False))
    model = build_model(cfg)
    x = make_sequence("sine", timesteps=10, features=64, batch_size=2, seed=0)
    tr = trace(model, x)                 # tr.layers[k].i / .f / .g / .o / .c / .h
    keras_check(model, x, tr)            # ~1e-7
"""

from explorer.check import keras_check, keras_differences
from explorer.config import ConfigError, LSTMConfig
from explorer.model import LayerShape, ShapeTable, build_model, shape_table
from explorer.reference import LayerTrace, ModelWeights, Trace, extract_weights, trace
from explorer.sequences import SEQUENCES, make_sequence

__all__ = [
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
