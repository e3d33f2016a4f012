"""The sample data and the NumPy traces of every view, kept within a byte budget; arrays made read-only."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer import (
    ConfigError,
    LSTMConfig,
    make_sequence,
    trace,
)
from explorer.budget import memory_budget
from explorer.realmodel.sites import site_view_trace
from explorer.reference import Trace, processes_backwards
from explorer.training.snapshots import TrainedWeights, model_weights
from explorer.training.tasks import TASKS, TaskData
from explorer.ui.cache.models import model_bundle
from explorer.ui.store import BoundedStore
from explorer.upload.weights import SiteWeights

TRACE_BYTES_BUDGET = memory_budget().trace_bytes  # the traces kept hold at most this many bytes together (94 MB by default)


@st.cache_data(max_entries=64, show_spinner=False)
def task_samples(source: str, timesteps: int, features: int, batch_size: int, seed: int) -> TaskData | None:
    """A task's samples for the views (``source`` = ``task:<key>``), or ``None`` for a plain sample sequence."""
    if not source.startswith("task:"):
        return None
    return TASKS[source.removeprefix("task:")].generate(batch_size, timesteps, seed)


@st.cache_data(max_entries=64, show_spinner=False)
def sample_batch(source: str, timesteps: int, features: int, batch_size: int, seed: int) -> np.ndarray:
    """(B, T, F) sample data: a generated sequence, or a task's samples (``source`` = ``task:<key>``)."""
    data = task_samples(source, timesteps, features, batch_size, seed)
    if data is not None:
        return data.x
    return make_sequence(source, timesteps=timesteps, features=features, batch_size=batch_size, seed=seed)


def step_labels(cfg: LSTMConfig, data_key: tuple, sample: int, layer: int | None = None) -> list[str] | None:
    """The focused sample's inputs as the task's text (data order; a layer's processing order if ``layer``)."""
    data = task_samples(*data_key)
    if data is None or data.labels is None:
        return None
    labels = [str(v) for v in data.labels[sample]]
    return labels[::-1] if layer is not None and processes_backwards(cfg)[layer] else labels


def _read_only(tr: Trace) -> Trace:
    for layer in tr.layers:
        for array in layer.arrays:
            array.setflags(write=False)
    return tr


def _build_trace(key: tuple[LSTMConfig, tuple, TrainedWeights | None]) -> Trace | None:
    cfg, data_key, weights = key
    if isinstance(weights, SiteWeights):  # an LSTM inside a learner's model: traced from the tensor that reached it
        return _read_only(site_view_trace(weights.real, weights.index, data_key[3]))
    if weights is not None:  # a training snapshot: NumPy weights straight from its arrays, no Keras on this path
        return _read_only(trace(model_weights(cfg, weights.arrays), sample_batch(*data_key)))
    bundle = model_bundle(cfg.buildable_prefix())
    if isinstance(bundle, ConfigError):
        return None
    return _read_only(trace(bundle.weights, sample_batch(*data_key)))


# As many as the models a class looks at (`MAX_MODELS`); the byte budget bounds memory.
TRACES: BoundedStore[tuple[LSTMConfig, tuple, TrainedWeights | None], Trace | None] = BoundedStore(
    _build_trace, max_entries=128, cost=lambda tr: 0 if tr is None else tr.nbytes, max_cost=TRACE_BYTES_BUDGET
)


def view_trace(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None) -> Trace | None:
    """NumPy trace of the model (or of its buildable prefix, for a broken stack) with the given weights."""
    return TRACES.get((cfg, data_key, weights if cfg.is_buildable else None))
