"""The figures, each cached on exactly the inputs it depends on (cached objects are shared: never mutated).

Each takes ``lang``, the language its text is drawn in (the page's, set by `use_language`): it is not read
inside, it keys the cache, so a Chinese page never gets an English figure cached by another session.
"""

from __future__ import annotations

import streamlit as st

from explorer import (
    LSTMConfig,
)
from explorer.cell.anatomy import processing_index
from explorer.figures import (
    make_gates_figure,
    make_shapes_figure,
    make_state_space_figure,
    make_trajectory_figure,
    make_unrolled_figure,
)
from explorer.figures.bidirectional import make_bidirectional_figure
from explorer.realmodel.tracing import site_trace
from explorer.reference import processes_backwards
from explorer.training.snapshots import TrainedWeights, model_weights
from explorer.ui.cache.models import model_bundle
from explorer.ui.cache.traces import step_labels, view_trace
from explorer.upload.weights import SiteWeights


@st.cache_resource(max_entries=32, show_spinner=False)
def unrolled_figure(
    cfg: LSTMConfig,
    data_key: tuple,
    sample: int,
    colour_by: str,
    weights: TrainedWeights | None = None,
    focus: tuple[int, int] | None = None,
    *,
    lang: str = "en",  # the language of the figure's text: part of the cache key
):
    return make_unrolled_figure(
        cfg,
        view_trace(cfg, data_key, weights),
        sample=sample,
        colour_by=colour_by,
        step_labels=step_labels(cfg, data_key, sample),
        focus=focus,
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def bidirectional_figure(weights: SiteWeights, batch: int, sample: int, colour_by: str, *, lang: str = "en"):
    """Both directions of the Bidirectional layer whose LSTM ``weights`` shows, over the same steps."""
    real = weights.real
    layer = real.sites[weights.index].layer
    forward, backward = (k for k, site in enumerate(real.sites) if site.layer == layer)
    return make_bidirectional_figure(
        site_trace(real, forward, batch),
        site_trace(real, backward, batch),
        real.sites[forward].merge_mode,
        layer_name=layer,
        sample=sample,
        colour_by=colour_by,
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def shapes_figure(cfg: LSTMConfig, weights: TrainedWeights | None = None, *, lang: str = "en"):
    bundle = model_bundle(cfg)  # shapes and counts: the same for any weights
    numbers = bundle.weights if weights is None else model_weights(cfg, weights.arrays)
    biases = {w.name: w.bias for w in numbers.lstm}
    return make_shapes_figure(bundle.table, count_params=bundle.count_params, bias_values=biases)


@st.cache_resource(max_entries=32, show_spinner=False)
def gates_figure(
    cfg: LSTMConfig,
    data_key: tuple,
    layer: int,
    sample: int,
    unit: int,
    weights: TrainedWeights | None = None,
    title: str | None = None,
    step: int | None = None,
    *,
    lang: str = "en",
):
    """``step``: the focused input step (marked, and where the time player starts), or ``None``."""
    tr = view_trace(cfg, data_key, weights)
    T = cfg.timesteps
    backwards = processes_backwards(cfg)[layer]
    names = [str(T + 1 - p if backwards else p) for p in range(1, T + 1)]  # each processing step's input step
    return make_gates_figure(
        tr.layers[layer],
        sample=sample,
        unit=unit,
        step_labels=step_labels(cfg, data_key, sample, layer),
        title=title,
        step=None if step is None else processing_index(tr, layer, step) + 1,
        step_names=names,
    )


@st.cache_resource(max_entries=32, show_spinner=False)
def trajectory_figures(
    cfg: LSTMConfig,
    data_key: tuple,
    layer: int,
    sample: int,
    weights: TrainedWeights | None = None,
    step: int | None = None,
    *,
    lang: str = "en",
):
    tr = view_trace(cfg, data_key, weights)
    position = None if step is None else processing_index(tr, layer, step) + 1
    return (
        make_trajectory_figure(tr, layer=layer, sample=sample, step_labels=step_labels(cfg, data_key, sample), step=step),
        make_state_space_figure(tr, layer=layer, dims=2, sample=sample, step=position),
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def state_space_3d(
    cfg: LSTMConfig, data_key: tuple, layer: int, sample: int, weights: TrainedWeights | None = None, *, lang: str = "en"
):
    return make_state_space_figure(view_trace(cfg, data_key, weights), layer=layer, dims=3, sample=sample)
