"""The UI's caches, keyed on frozen configs and bounded.

Keras runs only when the model config changes (`model_bundle`); everything a
slider can change without touching the model (focus, colour, data) is NumPy
and cached separately. Cached objects are shared by every session and never
mutated: trace arrays are made read-only. The check against Keras runs on a
background thread (`keras_check_future`) so a model change is not held up by
TensorFlow's function tracing.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
import weakref
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np
import streamlit as st

from explorer import (
    ConfigError,
    LSTMConfig,
    answers,
    build_model,
    extract_weights,
    keras_check,
    make_sequence,
    shape_table,
    trace,
)
from explorer.budget import memory_budget
from explorer.cell.anatomy import processing_index
from explorer.figures import (
    make_gates_figure,
    make_shapes_figure,
    make_state_space_figure,
    make_trajectory_figure,
    make_unrolled_figure,
    model_summary_text,
)
from explorer.figures.unrolled import processes_backwards
from explorer.model import ShapeTable
from explorer.reference import ModelWeights, Trace
from explorer.stepping import next_configs
from explorer.training.probes import PROBE_SAMPLES, PROBE_SEED, Finding, find_units
from explorer.training.snapshots import TrainedWeights, model_weights
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS, TaskData
from explorer.ui.runtime import KERAS_LOCK, freeze_startup_objects
from explorer.ui.store import BoundedStore

# The page explains Dense(1, softmax) itself (LSTMConfig.head_advice); Keras's console warning would only repeat
# it in the server log from every background check of such a model.
warnings.filterwarnings("ignore", message="You are using a softmax over axis -1 of a tensor of shape", category=UserWarning)

CHECK_DELAY_S = float(os.environ.get("LSTM_EXPLORER_CHECK_DELAY", "1.0"))
PREFETCH_DELAY_S = 0.3
PREFETCH_MAX_PARAMS = 500_000  # build ahead only models up to this size (the default has 2,080 parameters)
# Memory bounds (the default model has 2,080 parameters and a 12 KB trace; the largest, 4 × 256 units on
# T 200 × F 64, has 1.9M parameters, ~15 MB as Keras variables plus their NumPy copy, and a 40 MB trace at batch 8).
_BUDGET = memory_budget()  # LSTM_EXPLORER_MEMORY_MB (explorer/budget.py); 1,024 MB by default
MODEL_PARAMS_BUDGET = _BUDGET.model_params  # the models kept hold at most this many parameters together (3.5M by default)
TRACE_BYTES_BUDGET = _BUDGET.trace_bytes  # the traces kept hold at most this many bytes together (94 MB by default)


@dataclass(frozen=True)
class ModelBundle:
    """A built model and what is read off it once."""

    model: object
    weights: ModelWeights
    table: ShapeTable
    count_params: int


def _build_bundle(key: tuple[LSTMConfig, TrainedWeights | None]) -> ModelBundle | ConfigError:
    cfg, trained = key
    try:
        with KERAS_LOCK:
            model = build_model(cfg)
            if trained is not None:  # a fresh model of our own: the cached untrained one is never touched
                model.set_weights(trained.arrays)
            weights = extract_weights(model)
            return ModelBundle(model, weights, shape_table(cfg, model), int(model.count_params()))
    except ConfigError as err:
        return err


def _parameters(bundle: ModelBundle | ConfigError) -> int:
    return bundle.count_params if isinstance(bundle, ModelBundle) else 0


MODELS: BoundedStore[tuple[LSTMConfig, TrainedWeights | None], ModelBundle | ConfigError] = BoundedStore(
    _build_bundle, max_entries=12, cost=_parameters, max_cost=MODEL_PARAMS_BUDGET
)


def model_bundle(cfg: LSTMConfig, weights: TrainedWeights | None = None) -> ModelBundle | ConfigError:
    """Build (once per config and weights) the Keras model; a broken stack returns its `ConfigError`.

    ``weights`` = a training snapshot's weights (set on a model built for it), ``None`` = the initial ones.
    """
    return MODELS.get((cfg, weights if cfg.is_buildable else None))


@st.cache_data(max_entries=16, show_spinner=False)
def model_summary(cfg: LSTMConfig) -> str:
    """Keras's ``model.summary()`` text (only the shapes view shows it)."""
    bundle = model_bundle(cfg)  # the summary shows shapes and counts only: the same for any weights
    with KERAS_LOCK:
        return model_summary_text(bundle.model)


_BACKGROUND: list[ThreadPoolExecutor] = []  # every single-thread executor made below, for shut_down_background_work


def _background_thread(name: str) -> ThreadPoolExecutor:
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    _BACKGROUND.append(executor)
    return executor


def shut_down_background_work() -> None:
    """Drop the queued builds and checks and wait for the running ones: at the end of a process (the tests call it,
    so no Keras work outlives their session). The app cannot start background work afterwards."""
    for executor in list(_BACKGROUND):
        executor.shutdown(wait=True, cancel_futures=True)


@st.cache_resource(max_entries=1)
def _prefetcher() -> ThreadPoolExecutor:
    return _background_thread("model-prefetch")


def _build_ahead(cfg: LSTMConfig) -> None:
    time.sleep(PREFETCH_DELAY_S)  # after the current rerun's charts are sent and drawn
    MODELS.get((cfg, None))


def prefetch_next(previous: LSTMConfig | None, current: LSTMConfig) -> list[LSTMConfig]:
    """Build in the background the model one more key press away (`next_configs`); returns what was queued.

    Only when the model shown is small (`PREFETCH_MAX_PARAMS`). Builds this session queued at an
    earlier step and not yet started are dropped: the learner has moved on.
    """
    queued: list[Future] = st.session_state.setdefault("_prefetch_queue", [])
    for future in queued:
        future.cancel()
    queued.clear()
    shown = MODELS.get((current, None)) if (current, None) in MODELS else None
    if not isinstance(shown, ModelBundle) or shown.count_params > PREFETCH_MAX_PARAMS:
        return []  # big models: a guess would cost ~0.2 s of CPU and tens of MB for a maybe
    ahead = [cfg for cfg in next_configs(previous, current) if (cfg, None) not in MODELS]
    queued.extend(_prefetcher().submit(_build_ahead, cfg) for cfg in ahead)
    return ahead


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
    if weights is not None:  # a training snapshot: NumPy weights straight from its arrays, no Keras on this path
        return _read_only(trace(model_weights(cfg, weights.arrays), sample_batch(*data_key)))
    bundle = model_bundle(cfg.buildable_prefix())
    if isinstance(bundle, ConfigError):
        return None
    return _read_only(trace(bundle.weights, sample_batch(*data_key)))


TRACES: BoundedStore[tuple[LSTMConfig, tuple, TrainedWeights | None], Trace | None] = BoundedStore(
    _build_trace, max_entries=24, cost=lambda tr: 0 if tr is None else tr.nbytes, max_cost=TRACE_BYTES_BUDGET
)


def view_trace(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None) -> Trace | None:
    """NumPy trace of the model (or of its buildable prefix, for a broken stack) with the given weights."""
    return TRACES.get((cfg, data_key, weights if cfg.is_buildable else None))


@st.cache_resource(max_entries=1)
def _executor() -> ThreadPoolExecutor:
    return _background_thread("keras-check")


_SNAPSHOT_MODELS: OrderedDict[LSTMConfig, object] = OrderedDict()  # the check thread's own models, the last 4


def _snapshot_model(cfg: LSTMConfig, weights: TrainedWeights):
    """A Keras model with a snapshot's weights, for the check thread only (never shared, so it may be reused).

    One model per config takes each snapshot's weights in turn: its compiled check function is traced
    once, not once per snapshot (tracing holds the GIL for hundreds of ms: every learner's page would
    stall while a job trains and its badge checks each new snapshot).
    """
    with KERAS_LOCK:
        model = _SNAPSHOT_MODELS.pop(cfg, None) or build_model(cfg)
        _SNAPSHOT_MODELS[cfg] = model
        while len(_SNAPSHOT_MODELS) > 4:
            _SNAPSHOT_MODELS.popitem(last=False)
        model.set_weights(weights.arrays)
    return model


class StaleCheck(RuntimeError):
    """A queued check whose model or trace no cache holds any more: nobody is looking at it."""


def _locked_check(get_model, x: np.ndarray, trace_ref: weakref.ref) -> float:
    # Let the rerun that asked for this finish sending its charts first: TensorFlow's tracing holds
    # the GIL for hundreds of ms and would otherwise delay the websocket messages (measured: +0.7 s).
    time.sleep(CHECK_DELAY_S)
    freeze_startup_objects()  # once per process, here rather than on the first page's critical path
    model, tr = get_model(), trace_ref()
    if model is None or tr is None:
        raise StaleCheck("the model was dropped from the cache before its check ran")
    with KERAS_LOCK:
        return keras_check(model, x, tr)


_CHECKS: OrderedDict[tuple, Future] = OrderedDict()  # (config, data key) → its check; the last 32
_CHECKS_LOCK = threading.Lock()


def _needs_running(future: Future | None) -> bool:
    if future is None or future.cancelled():
        return True
    return future.done() and isinstance(future.exception(), StaleCheck)


def keras_check_future(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None) -> Future:
    """The check against Keras of this model and data, started once; the badge polls the future.

    A queued check holds only weak references to its model and trace (a backlog must not keep
    models alive: it did, +18 MB per large config visited), and each session's new check cancels
    its earlier ones still waiting: a learner who has moved on no longer looks at them. A check
    cancelled or gone stale is started again when a page asks for it.
    """
    weights = weights if cfg.is_buildable else None
    key = (cfg, data_key, weights)
    with _CHECKS_LOCK:
        future = _CHECKS.get(key)
        if not _needs_running(future):
            _CHECKS.move_to_end(key)
            return future
    tr = view_trace(cfg, data_key, weights)
    if weights is None:  # the cached untrained model, held weakly while queued
        get_model = weakref.ref(model_bundle(cfg.buildable_prefix()).model)
    else:  # a snapshot's Keras model is built on the check thread, off the page's path (the arrays are the job's anyway)
        get_model = partial(_snapshot_model, cfg, weights)
    future = _executor().submit(_locked_check, get_model, sample_batch(*data_key), weakref.ref(tr))
    with _CHECKS_LOCK:
        _CHECKS[key] = future
        _CHECKS.move_to_end(key)
        while len(_CHECKS) > 32:
            _CHECKS.popitem(last=False)
    waiting: list[Future] = st.session_state.setdefault("_check_queue", [])
    for earlier in waiting:
        earlier.cancel()  # only those not started yet
    waiting[:] = [future]
    return future


def traced_weights(cfg: LSTMConfig, weights: TrainedWeights | None = None) -> ModelWeights:
    """The NumPy weights `view_trace` traced with (a snapshot's, or the built model's initial ones)."""
    if weights is not None and cfg.is_buildable:
        return model_weights(cfg, weights.arrays)
    return model_bundle(cfg.buildable_prefix()).weights


# Figures: each cached on exactly the inputs it depends on.
@st.cache_resource(max_entries=32, show_spinner=False)
def unrolled_figure(
    cfg: LSTMConfig,
    data_key: tuple,
    sample: int,
    colour_by: str,
    weights: TrainedWeights | None = None,
    focus: tuple[int, int] | None = None,
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
def shapes_figure(cfg: LSTMConfig, weights: TrainedWeights | None = None):
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
    cfg: LSTMConfig, data_key: tuple, layer: int, sample: int, weights: TrainedWeights | None = None, step: int | None = None
):
    tr = view_trace(cfg, data_key, weights)
    position = None if step is None else processing_index(tr, layer, step) + 1
    return (
        make_trajectory_figure(tr, layer=layer, sample=sample, step_labels=step_labels(cfg, data_key, sample), step=step),
        make_state_space_figure(tr, layer=layer, dims=2, sample=sample, step=position),
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def state_space_3d(cfg: LSTMConfig, data_key: tuple, layer: int, sample: int, weights: TrainedWeights | None = None):
    return make_state_space_figure(view_trace(cfg, data_key, weights), layer=layer, dims=3, sample=sample)


# Answers to the learners' questions (explorer/answers.py), each cached on what it depends on.
@st.cache_data(max_entries=32, show_spinner=False)
def units_places(cfg: LSTMConfig, layer: int) -> list:
    return answers.units_places(cfg, layer)


@st.cache_data(max_entries=16, show_spinner="Building the model at several lengths…")
def params_points(cfg: LSTMConfig) -> list:
    lengths = tuple(sorted({*answers.PARAM_LENGTHS, cfg.timesteps, 13}))
    with KERAS_LOCK:
        return answers.params_vs_timesteps(cfg, lengths)


@st.cache_data(max_entries=16, show_spinner=False)
def broken_stack_message(cfg: LSTMConfig) -> str:
    bundle = model_bundle(cfg)
    return bundle.keras_message if isinstance(bundle, ConfigError) else "(this stack builds)"


@st.cache_resource(max_entries=16, show_spinner="Running Keras with return_state=True…")
def return_state_numbers(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None):
    with KERAS_LOCK:
        return answers.return_state_demo(cfg, sample_batch(*data_key), None if weights is None else weights.arrays)


@st.cache_resource(max_entries=4, show_spinner="Feeding the sequence in two calls…")  # 3 traces each: 80 MB at the largest
def halves(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None):
    """NumPy halves demo, and Keras stateful=True's max difference from the carried-over path."""
    bundle, x = model_bundle(cfg, weights), sample_batch(*data_key)
    demo = answers.state_across_calls(bundle.weights, x)
    with KERAS_LOCK:
        keras_out = answers.keras_stateful_halves(cfg, bundle.model, x)
    ours = demo.carried.layers[-1].output
    ours = ours[:, : keras_out.shape[1]] if ours.ndim == 3 else ours
    return demo, float(np.max(np.abs(keras_out - ours)))


@st.cache_data(max_entries=1, show_spinner=False)
def argument_rows() -> list:
    return answers.argument_reference()


@st.cache_data(max_entries=4, show_spinner=False)
def activation_curves(z: np.ndarray) -> dict:
    return answers.activation_curves(z)


@st.cache_data(max_entries=8, show_spinner="Timing unroll=False and unroll=True…")
def unroll_numbers(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None) -> dict:
    bundle = model_bundle(cfg, weights)
    x = sample_batch(data_key[0], cfg.timesteps, *data_key[2:])
    with KERAS_LOCK:
        return answers.measure_unroll(cfg, bundle.model, x)


@st.cache_data(max_entries=8, show_spinner="Calling the model with dropout…")
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


@st.cache_resource(max_entries=32, show_spinner="Looking for the units that do the task's job…")
def findings(spec: TrainingSpec, weights: TrainedWeights | None) -> list[tuple[Finding, Finding]]:
    """Per probe: the best unit at ``weights`` and the best unit of the untrained model, on the same samples."""
    data = TASKS[spec.task].generate(PROBE_SAMPLES, spec.model.timesteps, PROBE_SEED)
    untrained = find_units(spec.model, model_bundle(spec.model).weights, data)
    trained = untrained if weights is None else find_units(spec.model, model_weights(spec.model, weights.arrays), data)
    return list(zip(trained, untrained, strict=True))
