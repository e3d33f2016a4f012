"""One LSTM of a real model as the app's views take it: a one-layer `LSTMConfig` of its own shape and a `Trace` whose
input is the tensor that reached it (token ids already looked up, a Conv1D's output, an encoder's states)."""

from __future__ import annotations

import numpy as np

from explorer.config import ACTIVATIONS, RECURRENT_ACTIVATIONS, LSTMConfig
from explorer.realmodel.structure import RealModel
from explorer.realmodel.tracing import site_trace
from explorer.reference.traces import Trace


def site_config(real: RealModel, index: int) -> LSTMConfig:
    """The one-layer `LSTMConfig` of site ``index``: its timesteps, input features, units and flags.

    Raises:
        ConfigError: for an activation the views do not draw (the loader refuses such a file first).
    """
    site = real.sites[index]
    w = site.weights
    steps = real.layer_inputs[site.layer].x.shape[1]
    return LSTMConfig(
        timesteps=int(steps),
        features=int(site.features),
        units=(int(site.units),),
        return_sequences=(w.return_sequences,),
        go_backwards=w.go_backwards,
        activation=w.activation,
        recurrent_activation=w.recurrent_activation,
        use_bias=w.use_bias,
        unit_forget_bias=site.unit_forget_bias,
    )


def drawable(real: RealModel, index: int) -> bool:
    """Whether the views can draw site ``index`` (its activations are ones a config takes)."""
    w = real.sites[index].weights
    return w.activation in ACTIVATIONS and w.recurrent_activation in RECURRENT_ACTIVATIONS


def site_arrays(real: RealModel, index: int) -> tuple[np.ndarray, ...]:
    """Site ``index``'s weights in ``build_model(site_config(…)).get_weights()`` order: kernel, recurrent[, bias]."""
    w = real.sites[index].weights
    return (w.kernel, w.recurrent_kernel, w.bias) if w.use_bias else (w.kernel, w.recurrent_kernel)


def site_view_trace(real: RealModel, index: int, batch: int) -> Trace:
    """The `Trace` the views draw for site ``index``: its input (B, T, F) and its one `LayerTrace`, first ``batch``
    samples."""
    layer = site_trace(real, index, batch)
    x = real.layer_inputs[real.sites[index].layer].x[:batch]  # (B, T, F) what reached it, in data order
    return Trace(x, (layer,), np.asarray(layer.output, np.float32))
