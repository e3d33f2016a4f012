"""The learners' questions and the training tab: answers computed on the live model, cached on what they depend on."""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from explorer import (
    ConfigError,
    LSTMConfig,
    answers,
)
from explorer.i18n import N_, _
from explorer.training.probes import PROBE_SAMPLES, PROBE_SEED, Finding, find_units, find_units_in_sites
from explorer.training.snapshots import TrainedWeights, model_weights
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS
from explorer.ui.cache.models import model_bundle
from explorer.ui.cache.traces import sample_batch
from explorer.ui.runtime import KERAS_LOCK


def with_spinner(message: str):
    """Show ``message`` (translated) while a cached call runs; Streamlit shows a spinner only after 0.5 s, so a
    cache hit shows none. (A decorator's own ``show_spinner`` text is fixed at import, in one language.)"""

    def wrap(cached):
        @functools.wraps(cached)
        def call(*args, **kwargs):
            with st.spinner(_(message)):
                return cached(*args, **kwargs)

        call.clear = cached.clear
        return call

    return wrap


@st.cache_data(max_entries=32, show_spinner=False)
def units_places(cfg: LSTMConfig, layer: int, *, lang: str = "en") -> list:  # lang: keys the cache (text)
    return answers.units_places(cfg, layer)


@with_spinner(N_("Building the model at several lengths…"))
@st.cache_data(max_entries=16, show_spinner=False)
def params_points(cfg: LSTMConfig) -> list:
    lengths = tuple(sorted({*answers.PARAM_LENGTHS, cfg.timesteps, 13}))
    with KERAS_LOCK:
        return answers.params_vs_timesteps(cfg, lengths)


@st.cache_data(max_entries=16, show_spinner=False)
def broken_stack_message(cfg: LSTMConfig) -> str:  # Keras's own words
    bundle = model_bundle(cfg)
    return bundle.keras_message if isinstance(bundle, ConfigError) else _("(this stack builds)")


@with_spinner(N_("Running Keras with return_state=True…"))
@st.cache_resource(max_entries=16, show_spinner=False)
def return_state_numbers(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None):
    with KERAS_LOCK:
        return answers.return_state_demo(cfg, sample_batch(*data_key), None if weights is None else weights.arrays)


@with_spinner(N_("Feeding the sequence in two calls…"))
@st.cache_resource(max_entries=4, show_spinner=False)  # 3 traces each: 80 MB at the largest
def halves(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None):
    """NumPy halves demo, and Keras stateful=True's max difference from the carried-over path."""
    bundle, x = model_bundle(cfg, weights), sample_batch(*data_key)
    demo = answers.state_across_calls(bundle.weights, x)
    with KERAS_LOCK:
        keras_out = answers.keras_stateful_halves(cfg, bundle.model, x)
    ours = demo.carried.layers[-1].output
    ours = ours[:, : keras_out.shape[1]] if ours.ndim == 3 else ours
    return demo, float(np.max(np.abs(keras_out - ours)))


@st.cache_data(max_entries=2, show_spinner=False)
def argument_rows(*, lang: str = "en") -> list:
    return answers.argument_reference()


@st.cache_data(max_entries=4, show_spinner=False)
def activation_curves(z: np.ndarray) -> dict:
    return answers.activation_curves(z)


@with_spinner(N_("Timing unroll=False and unroll=True…"))
@st.cache_data(max_entries=8, show_spinner=False)
def unroll_numbers(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None) -> dict:
    bundle = model_bundle(cfg, weights)
    x = sample_batch(data_key[0], cfg.timesteps, *data_key[2:])
    with KERAS_LOCK:
        return answers.measure_unroll(cfg, bundle.model, x)


@with_spinner(N_("Calling the model with dropout…"))
@st.cache_data(max_entries=8, show_spinner=False)
def dropout_numbers(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None) -> dict:
    bundle = model_bundle(cfg, weights)
    with KERAS_LOCK:
        return answers.measure_dropout(cfg, bundle.model, sample_batch(*data_key))


# Live training (explorer/training): what the curve and the findings compare against.
@st.cache_data(max_entries=64, show_spinner=False)
def task_baseline(spec: TrainingSpec) -> tuple[float, float]:
    """``(loss, metric)`` of the best model *without memory* on the run's held-out samples."""
    from explorer.training.loop import evaluation_set, task_loss

    task, data = TASKS[spec.task], evaluation_set(spec)
    memoryless = task.predict_memoryless(data)
    return task_loss(task, data, memoryless), task.score(data, memoryless)


@st.cache_resource(max_entries=8, show_spinner=False)
def task_predictions(spec: TrainingSpec, data_key: tuple, weights: TrainedWeights | None) -> np.ndarray | None:
    """The whole model's output on the view's task samples (its Dense head's answers), by the NumPy reference."""
    from explorer.training.loop import predict
    from explorer.ui.cache.traces import task_samples, view_trace

    if not spec.model.is_real:
        tr = view_trace(spec.model, data_key, weights)
        return None if tr is None else tr.output
    arrays = initial_real_arrays(spec) if weights is None else weights.arrays
    data = task_samples(*data_key)
    return None if data is None else predict(spec.model, arrays, data.x)


@with_spinner(N_("Looking for the units that do the task's job…"))
@st.cache_resource(max_entries=32, show_spinner=False)
def findings(spec: TrainingSpec, weights: TrainedWeights | None) -> list[tuple[Finding, Finding]]:
    """Per probe: the best unit at ``weights`` and the best unit of the untrained model, on the same samples."""
    data = TASKS[spec.task].generate(PROBE_SAMPLES, spec.model.timesteps, PROBE_SEED)
    if spec.model.is_real:  # every LSTM and direction (an Embedding's, a Bidirectional's), fed what reached it
        untrained = _site_findings(spec, None, data)
        trained = untrained if weights is None else _site_findings(spec, weights, data)
        return list(zip(trained, untrained, strict=True))
    untrained = find_units(spec.model, model_bundle(spec.model).weights, data)
    trained = untrained if weights is None else find_units(spec.model, model_weights(spec.model, weights.arrays), data)
    return list(zip(trained, untrained, strict=True))


def _site_findings(spec: TrainingSpec, weights: TrainedWeights | None, data) -> list[Finding]:
    """`find_units_in_sites` on the real model at ``weights`` (its own copy; the seeded one when ``None``), traced in
    NumPy on the probe samples; a `Finding`'s ``layer`` is a site's index (`RealModel.sites`)."""
    from explorer.realmodel.built import numpy_real_model
    from explorer.ui.cache.real import built_real

    built = built_real(spec.model, weights)
    with KERAS_LOCK:  # reads the model's layers and weights
        real = numpy_real_model(spec.model, built.model, data.x, repr(("probes", weights.key if weights else None)))
    return find_units_in_sites(real, data)


def initial_real_arrays(spec: TrainingSpec) -> tuple[np.ndarray, ...]:
    """The seeded initial weights of a real model, ``get_weights()`` order."""
    from explorer.ui.cache.real import built_real

    with KERAS_LOCK:
        return tuple(np.asarray(w, np.float32) for w in built_real(spec.model).model.get_weights())
