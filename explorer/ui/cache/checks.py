"""The badge's check of the NumPy gates against Keras, on a background thread so a rerun never waits for it."""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

import numpy as np
import streamlit as st

from explorer import (
    LSTMConfig,
    build_model,
    keras_check,
)
from explorer.activity import wait_until_quiet
from explorer.realmodel.built import keras_check_real
from explorer.realmodel.tracing import keras_difference
from explorer.training.snapshots import TrainedWeights
from explorer.ui.cache.models import model_bundle
from explorer.ui.cache.traces import sample_batch, view_trace
from explorer.ui.cache.workers import _background_thread
from explorer.ui.runtime import KERAS_LOCK, freeze_startup_objects
from explorer.upload.weights import SiteWeights

CHECK_DELAY_S = float(os.environ.get("LSTM_EXPLORER_CHECK_DELAY", "1.0"))
CHECK_MAX_WAIT_S = 3.0  # then a check waits no longer for a moment when no page is being drawn


@st.cache_resource(max_entries=1)
def _executor() -> ThreadPoolExecutor:
    return _background_thread("keras-check")


_SNAPSHOT_MODELS: OrderedDict[LSTMConfig, object] = OrderedDict()  # the check thread's own models, the last 4


def _snapshot_model(cfg: LSTMConfig, weights: TrainedWeights):
    """A Keras model with a snapshot's weights, for the check thread only (never shared, so it may be reused).

    One model per config takes each snapshot's weights in turn, so a snapshot costs no Keras build. (The check's
    compiled probe is shared by every model of the structure anyway: `explorer.check`.)
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
    # and wait for a moment when no page is being drawn: the check holds the GIL for 70-500 ms, which a learner's rerun
    # would otherwise wait out (30 simulated learners: the check thread held the GIL in 20 % of the samples)
    wait_until_quiet(CHECK_MAX_WAIT_S)
    freeze_startup_objects()  # once per process, here rather than on the first page's critical path
    model, tr = get_model(), trace_ref()
    if model is None or tr is None:
        raise StaleCheck("the model was dropped from the cache before its check ran")
    with KERAS_LOCK:
        return keras_check(model, x, tr)


_CHECKS: OrderedDict[tuple, Future] = OrderedDict()  # (config, data key, weights) → its check; the last 32
_CHECKS_LOCK = threading.Lock()
# (config, data key) → the result of a finished check of a model's initial weights: a float each, so a class's
# worth is kept. With only the last 32 checks, 30 learners pushed out each other's results, and a learner stepping
# back to a model whose Keras model had also left its store had it rebuilt only to be checked again (30 simulated
# learners: those rebuilds held the GIL in ~10 % of the samples, more than the page's own builds).
_FINISHED: OrderedDict[tuple, float] = OrderedDict()
MAX_FINISHED = 4096


def _keep_result(key: tuple, future: Future) -> None:
    """Keep a finished check of initial weights (not one cancelled, stale or failed: those run again when asked)."""
    if future.cancelled() or future.exception() is not None:
        return
    with _CHECKS_LOCK:
        _FINISHED[key] = future.result()
        _FINISHED.move_to_end(key)
        while len(_FINISHED) > MAX_FINISHED:
            _FINISHED.popitem(last=False)


def _done(result: float) -> Future:
    future: Future = Future()
    future.set_result(result)
    return future


def _needs_running(future: Future | None) -> bool:
    if future is None or future.cancelled():
        return True
    return future.done() and isinstance(future.exception(), StaleCheck)


_SITE_CHECKS: OrderedDict[tuple, Future] = OrderedDict()  # (digest, layer or "") → its check; the last 64


def _real_check(real, model) -> float:
    time.sleep(CHECK_DELAY_S)  # the page first (see `_locked_check`)
    wait_until_quiet(CHECK_MAX_WAIT_S)
    with KERAS_LOCK:
        return keras_check_real(real, model)


def _site_check(weights: SiteWeights) -> Future:
    """A learner's file: Keras ran the whole model in the loader, compare with its outputs now (NumPy, ms). A real
    model of the sliders: Keras runs it on the check thread, once per config."""
    real = weights.real
    layer = real.sites[weights.index].layer
    uploaded = bool(real.layer_inputs[layer].keras_outputs)
    key = (real.digest, layer if uploaded else "")  # a sliders' model is checked whole, once
    with _CHECKS_LOCK:
        future = _SITE_CHECKS.get(key)
        if future is not None and not future.cancelled():
            return future
    # (computed once, not on every rerun: the NumPy traces of every sample of the layer)
    future = _done(keras_difference(real, layer)) if uploaded else _executor().submit(_real_check, real, weights.model)
    with _CHECKS_LOCK:
        _SITE_CHECKS[key] = future
        while len(_SITE_CHECKS) > 64:
            _SITE_CHECKS.popitem(last=False)
    return future


def keras_check_future(cfg: LSTMConfig, data_key: tuple, weights: TrainedWeights | None = None) -> Future:
    """The check against Keras of this model and data, started once; the badge polls the future.

    A queued check holds only weak references to its model and trace (a backlog must not keep
    models alive: it did, +18 MB per large config visited), and each session's new check cancels
    its earlier ones still waiting: a learner who has moved on no longer looks at them. A check
    cancelled or gone stale is started again when a page asks for it.
    """
    if isinstance(weights, SiteWeights):
        return _site_check(weights)
    weights = weights if cfg.is_buildable else None
    key = (cfg, data_key, weights)
    with _CHECKS_LOCK:
        finished = _FINISHED.get((cfg, data_key)) if weights is None else None
        if finished is not None:
            _FINISHED.move_to_end((cfg, data_key))
            return _done(finished)
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
    if weights is None:
        future.add_done_callback(partial(_keep_result, (cfg, data_key)))
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
