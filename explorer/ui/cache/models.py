"""The Keras models: built once per config and weights, kept within a parameter budget, shared by every session
(never mutated: a snapshot's weights go on a model of their own)."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import streamlit as st

from explorer import (
    ConfigError,
    LSTMConfig,
    build_model,
    extract_weights,
    shape_table,
)
from explorer.budget import BYTES_PER_PARAMETER, MODEL_FIXED_BYTES, memory_budget
from explorer.figures import (
    model_summary_text,
)
from explorer.model import ShapeTable, build_on_layers, can_lend_layers, layer_weights_keys, layers_key, shares_layers
from explorer.reference import ModelWeights, prepare_trace
from explorer.training.snapshots import TrainedWeights, model_weights
from explorer.ui.runtime import KERAS_LOCK
from explorer.ui.store import BoundedStore

_BUDGET = memory_budget()  # LSTM_EXPLORER_MEMORY_MB (explorer/budget.py); 1,024 MB by default
MODEL_PARAMS_BUDGET = _BUDGET.model_params  # the models kept hold at most this many parameters together (3.5M by default)


@dataclass(frozen=True)
class ModelBundle:
    """A built model and what is read off it once."""

    model: object
    weights: ModelWeights
    table: ShapeTable
    count_params: int


# Kept untrained models (weakly: the store decides what is kept), found by what a new model can take from them:
# a layer's weights key (`layer_weights_keys`) → a model holding such a layer; layers_key → one with the same layers.
_LAYER_WEIGHTS: dict[tuple, tuple[weakref.ref, str]] = {}
_DONORS: dict[LSTMConfig, weakref.ref] = {}
_KEPT_LOCK = threading.Lock()


def _kept(registry: dict, key) -> ModelBundle | None:
    with _KEPT_LOCK:
        ref = registry.get(key)
    return ref() if ref else None


def _kept_layer_weights(cfg: LSTMConfig) -> dict[str, list]:
    """Layer name → the initial weights of an equal layer (same `layer_weights_keys` entry) in a kept model: the
    layers a new model need not draw. Call with `KERAS_LOCK` held."""
    found = {}
    for name, key in layer_weights_keys(cfg).items():
        with _KEPT_LOCK:
            ref, kept_name = _LAYER_WEIGHTS.get(key, (None, ""))
        bundle = ref() if ref else None
        if bundle is not None:
            found[name] = bundle.model.get_layer(kept_name).get_weights()
    return found


def _remember_kept(cfg: LSTMConfig, bundle: ModelBundle) -> None:
    with _KEPT_LOCK:
        for name, key in layer_weights_keys(cfg).items():
            _LAYER_WEIGHTS[key] = (weakref.ref(bundle), name)
        donor = _DONORS.get(layers_key(cfg))
        donor = donor() if donor else None
        if donor is None or not can_lend_layers(donor.model):  # one set of layers serves every timesteps
            _DONORS[layers_key(cfg)] = weakref.ref(bundle)
        if len(_LAYER_WEIGHTS) > 16 * MAX_MODELS:  # drop the keys whose models the store let go
            for key in [k for k, (r, _name) in _LAYER_WEIGHTS.items() if r() is None]:
                del _LAYER_WEIGHTS[key]
        if len(_DONORS) > 4 * MAX_MODELS:
            for key in [k for k, r in _DONORS.items() if r() is None]:
                del _DONORS[key]


def _untrained_model(cfg: LSTMConfig):
    """A new untrained model of ``cfg``, as cheaply as the kept models allow. Call with `KERAS_LOCK` held.

    A model that differs from a kept one only in ``timesteps`` is built on that model's own layers
    (`build_on_layers`: no variable is created). Otherwise every layer whose initial weights a kept model already
    holds (`layer_weights_keys`: another ``return_sequences``, activation…, or the layers a ``units`` step or a
    stacked layer leave alone) takes them instead of running its initializers (measured, the whole model: 4 x 256
    88 -> 22 ms, default 11 -> 8.4 ms). Either way the weights are the same bit for bit, so is the model.
    """
    donor = _kept(_DONORS, layers_key(cfg))
    if donor is not None and (model := build_on_layers(cfg, donor.model)) is not None:
        return model
    return build_model(cfg, initial_weights=_kept_layer_weights(cfg) or None)


def _build_bundle(key: tuple[LSTMConfig, TrainedWeights | None]) -> ModelBundle | ConfigError:
    cfg, trained = key
    try:
        with KERAS_LOCK:
            if trained is None:
                model = _untrained_model(cfg)
            else:  # a fresh model of our own, never sharing layers: the cached untrained ones are never touched
                model = build_model(cfg)
                model.set_weights(trained.arrays)
            weights = extract_weights(model)
            bundle = ModelBundle(model, weights, shape_table(cfg, model), int(model.count_params()))
    except ConfigError as err:
        return err
    prepare_trace(weights)  # NumPy work, outside the lock: the page's first trace of this model does not pay it
    if trained is None:
        _remember_kept(cfg, bundle)
    return bundle


def _parameters(bundle: ModelBundle | ConfigError) -> int:
    """What a kept model costs, in parameters: its own, plus its Keras objects' fixed size in parameters' worth."""
    fixed = MODEL_FIXED_BYTES // BYTES_PER_PARAMETER
    return bundle.count_params + fixed if isinstance(bundle, ModelBundle) else 0


# A class is 30 learners, each looking at a model and stepping to the next: a store of 12 dropped models that a
# page was about to show again (measured, 30 simulated learners: focus-slider p50 0.13 s with 12, 0.08 s with 128).
# The count only bounds many tiny models; the parameter budget (fixed cost included) bounds memory.
MAX_MODELS = 128

MODELS: BoundedStore[tuple[LSTMConfig, TrainedWeights | None], ModelBundle | ConfigError] = BoundedStore(
    _build_bundle, max_entries=MAX_MODELS, cost=_parameters, max_cost=MODEL_PARAMS_BUDGET
)


def model_bundle(cfg: LSTMConfig, weights: TrainedWeights | None = None) -> ModelBundle | ConfigError:
    """Build (once per config and weights) the Keras model; a broken stack returns its `ConfigError`.

    ``weights`` = a training snapshot's weights (set on a model built for it), ``None`` = the initial ones.
    """
    return MODELS.get((cfg, weights if cfg.is_buildable else None))


@dataclass(frozen=True)
class ModelShapes:
    """What every view's header shows about a model: its shape table and parameter count, read off the real Keras
    model when it was built (`ModelBundle`), and kept after the model itself has left the store."""

    table: ShapeTable
    count_params: int


def _read_shapes(cfg: LSTMConfig) -> ModelShapes | ConfigError:
    bundle = model_bundle(cfg)
    return bundle if isinstance(bundle, ConfigError) else ModelShapes(bundle.table, bundle.count_params)


# A few hundred bytes each. The parameter budget keeps at most one model of the largest config (1.9M parameters of
# 3.5M): a learner stepping between two of its sizes rebuilt the model on every key press (~150 ms at 4 x 256 on this
# VM), only for the header's shapes and count, when the trace, the figures and the check were all still kept.
SHAPES: BoundedStore[LSTMConfig, ModelShapes | ConfigError] = BoundedStore(_read_shapes, max_entries=4096)


def model_shapes(cfg: LSTMConfig) -> ModelShapes | ConfigError:
    """The shape table and parameter count of ``cfg``'s model (a broken stack: its `ConfigError`), built once.

    The same for a training snapshot's weights (shapes and counts do not depend on them).
    """
    return SHAPES.get(cfg)


@st.cache_data(max_entries=16, show_spinner=False)
def model_summary(cfg: LSTMConfig) -> str:
    """Keras's ``model.summary()`` text (only the shapes view shows it)."""
    bundle = model_bundle(cfg)  # the summary shows shapes and counts only: the same for any weights
    with KERAS_LOCK:
        model = bundle.model
        if shares_layers(model):  # Keras's summary reads each layer's shapes off its last node: another model's
            model = build_model(cfg, initial_weights=model.get_weights())
        return model_summary_text(model)


def traced_weights(cfg: LSTMConfig, weights: TrainedWeights | None = None) -> ModelWeights:
    """The NumPy weights `view_trace` traced with (a snapshot's, or the built model's initial ones)."""
    if weights is not None and cfg.is_buildable:
        return model_weights(cfg, weights.arrays)
    return model_bundle(cfg.buildable_prefix()).weights
