"""Each LSTM of a real model traced in NumPy from the tensor that reached it, and checked against Keras's outputs."""

from __future__ import annotations

import numpy as np

from explorer.realmodel.structure import RealModel, Site
from explorer.reference.bidirectional import merge
from explorer.reference.forward import lstm_layer
from explorer.reference.masking import masked_lstm_layer
from explorer.reference.traces import LayerTrace


def _start(site: Site, states: tuple[np.ndarray, ...], batch: int):
    """The (h0, c0) a site starts from: its share of the layer's initial state (two per direction), else zeros."""
    if not states:
        return None, None
    k = 2 if site.direction == "backward" else 0
    return states[k][:batch], states[k + 1][:batch]


def site_trace(real: RealModel, index: int, batch: int | None = None) -> LayerTrace:
    """One LSTM of ``real`` traced in NumPy from the tensor that reached it in the sample batch.

    Args:
        real: the model.
        index: which of its `RealModel.sites`.
        batch: the first ``batch`` samples only (all when ``None``).

    Returns:
        The `LayerTrace` in the site's processing order (a backward direction's index ``t`` is input step ``T-1-t``),
        with its ``mask`` where the model masks padding.
    """
    site = real.sites[index]
    seen = real.layer_inputs[site.layer]
    x = seen.x if batch is None else seen.x[:batch]  # (B, T, F)
    h0, c0 = _start(site, seen.initial_state, len(x))
    if seen.mask is None:
        return lstm_layer(site.weights, x, h0, c0)
    return masked_lstm_layer(site.weights, x, seen.mask[: len(x)], h0, c0, zero_output=site.zero_output_for_mask)


def layer_outputs(real: RealModel, layer: str, wanted: int | None = None) -> list[np.ndarray]:
    """What the traced layer ``layer`` returns, computed in NumPy, in Keras's order (outputs, then states).

    ``wanted``: how many of them (default: as many as Keras returned, or the output alone when Keras has not run).
    """
    indices = [k for k, site in enumerate(real.sites) if site.layer == layer]
    traces = [site_trace(real, k) for k in indices]
    wanted = wanted or len(real.layer_inputs[layer].keras_outputs) or 1
    if len(traces) == 1:
        only = traces[0]
        return [only.output, only.final_h, only.final_c][:wanted]
    forward, backward = traces
    y, y_rev = forward.output, backward.output
    if real.sites[indices[1]].weights.return_sequences:
        y_rev = y_rev[:, ::-1]  # back into input order, as Keras flips it
    merged = merge(y, y_rev, real.sites[indices[0]].merge_mode)
    outputs = list(merged) if isinstance(merged, tuple) else [merged]
    states = [forward.final_h, forward.final_c, backward.final_h, backward.final_c]
    return (outputs + states)[:wanted]


def keras_difference(real: RealModel, layer: str) -> float:
    """The largest |NumPy − Keras| over everything the traced layer ``layer`` returned on the sample batch."""
    ours = layer_outputs(real, layer)
    theirs = real.layer_inputs[layer].keras_outputs
    if len(ours) != len(theirs) or any(a.shape != b.shape for a, b in zip(ours, theirs, strict=True)):
        return float("inf")
    return max(float(np.max(np.abs(a - b))) if a.size else 0.0 for a, b in zip(ours, theirs, strict=True))


def keras_differences(real: RealModel) -> dict[str, float]:
    """Traced layer name → `keras_difference`, for every LSTM layer of the model."""
    return {layer: keras_difference(real, layer) for layer in dict.fromkeys(site.layer for site in real.sites)}
