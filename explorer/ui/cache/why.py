"""Why gates: the gradient through time of the live LSTM and of a GRU and a SimpleRNN of its size, cached on the
model, the task and the weights (the same for every session)."""

from __future__ import annotations

import streamlit as st

from explorer import LSTMConfig
from explorer.i18n import N_
from explorer.training.snapshots import TrainedWeights
from explorer.training.tasks import TASKS
from explorer.ui.cache.answers import with_spinner
from explorer.ui.cache.models import model_bundle, traced_weights
from explorer.ui.runtime import KERAS_LOCK
from explorer.whygates.compare import Contender, contender, recurrent_params, untrained_contender
from explorer.whygates.gradients import RecurrentStack, stack_from_arrays

WHY_SAMPLES, WHY_SEED = 64, 7  # held-out samples the gradient is averaged over (never trained on)


@with_spinner(N_("Taking the loss back through every step…"))
@st.cache_data(max_entries=16, show_spinner=False)
def why_contenders(cfg: LSTMConfig, task_key: str, weights: TrainedWeights | None, *, lang: str = "en") -> list:
    """The live LSTM (with ``weights``, or as initialised), then a GRU and a SimpleRNN of about its first layer's size
    as initialised with the same seed, each with its `GradientThroughTime` on the task's held-out samples."""
    task = TASKS[task_key]
    data = task.held_out(WHY_SAMPLES, cfg.timesteps, WHY_SEED)
    nets = traced_weights(cfg, weights)
    stack = RecurrentStack(nets.lstm, nets.head)
    lstm_params = model_bundle(cfg).model.get_layer("lstm_1").count_params()  # Keras's own count (the first layer)
    head = (task.head_units, task.head_activation)
    contenders = [contender("LSTM", stack, lstm_params, data.x, data.y, task.loss)]
    with KERAS_LOCK:
        for kind in ("GRU", "SimpleRNN"):
            contenders.append(
                untrained_contender(kind, cfg.units[0], data.x, data.y, task.loss, head, per_step=task.per_step, seed=cfg.seed)
            )
    return contenders


@st.cache_data(max_entries=64, show_spinner=False)
def trained_contender(weights: TrainedWeights, name: str) -> Contender:
    """One model of the comparison at a training snapshot (``weights``: its spec names the kind), with its gradient
    through time on the same held-out samples as `why_contenders` (hashed by spec and step, never by the arrays)."""
    spec = weights.spec
    task, cfg = TASKS[spec.task], spec.model
    data = task.held_out(WHY_SAMPLES, cfg.timesteps, WHY_SEED)
    stack = stack_from_arrays(spec.cell, weights.arrays, return_sequences=task.per_step, head_activation=cfg.head_activation)
    params = recurrent_params(spec.cell, spec.cell_units, cfg.features)
    return contender(spec.cell, stack, params, data.x, data.y, task.loss, "" if name == spec.cell else name)
