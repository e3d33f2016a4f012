"""The real models the sliders build (an Embedding in front, Bidirectional layers): built once per config, every
tensor in NumPy; the check against Keras runs on the check thread (`checks`)."""

from __future__ import annotations

from dataclasses import dataclass

from explorer.budget import BYTES_PER_PARAMETER
from explorer.config import ConfigError, LSTMConfig
from explorer.realmodel.built import broken_stack_error, build_real_model, numpy_real_model
from explorer.realmodel.structure import RealModel
from explorer.training.snapshots import TrainedWeights
from explorer.ui.cache.models import MODEL_PARAMS_BUDGET
from explorer.ui.runtime import KERAS_LOCK
from explorer.ui.store import BoundedStore


@dataclass(frozen=True, eq=False)
class BuiltReal:
    """A slider-built real model: the Keras model (shared: never changed) and its NumPy reading."""

    model: object
    real: RealModel
    step: int = 0  # the training step of the weights (0: the seeded initial ones)


def _build(cfg: LSTMConfig) -> BuiltReal | ConfigError:
    if not cfg.is_buildable:
        return broken_stack_error(cfg)
    with KERAS_LOCK:
        model = build_real_model(cfg)
        real = numpy_real_model(cfg, model)
    return BuiltReal(model, real)


def real_cost(built: BuiltReal | ConfigError) -> float:
    """What a built real model costs, in the model store's parameters (`BYTES_PER_PARAMETER` bytes each): its LSTMs
    and head are held three times over (Keras, NumPy, the trace's layout), an Embedding's table only by Keras (4 bytes
    a number). Counted whole, one 20,000-word Embedding took the budget, and two settings toggled rebuilt each other."""
    if isinstance(built, ConfigError):
        return 0
    table = sum(box.params for box in built.real.boxes if box.kind == "Embedding")
    return built.real.total_params - table + table * 4 / BYTES_PER_PARAMETER


REAL_MODELS: BoundedStore[LSTMConfig, BuiltReal | ConfigError] = BoundedStore(
    _build, max_entries=16, cost=real_cost, max_cost=MODEL_PARAMS_BUDGET
)


def _build_trained(key: tuple) -> BuiltReal | ConfigError:
    cfg, weights, data_key = key
    if not cfg.is_buildable:
        return broken_stack_error(cfg)
    from explorer.ui.cache.traces import task_samples

    data = task_samples(*data_key) if data_key is not None else None
    with KERAS_LOCK:
        model = build_real_model(cfg)  # this entry's own copy: the shared, seeded one is never changed
        if weights is not None:
            model.set_weights(list(weights.arrays))
        identity = repr((weights.key if weights is not None else None, data_key))
        real = numpy_real_model(cfg, model, None if data is None else data.x, identity)
    return BuiltReal(model, real, weights.step if weights is not None else 0)


TRAINED_REAL_MODELS: BoundedStore[tuple, BuiltReal | ConfigError] = BoundedStore(
    _build_trained, max_entries=8, cost=real_cost, max_cost=MODEL_PARAMS_BUDGET
)


def built_real(cfg: LSTMConfig, weights: TrainedWeights | None = None, data_key: tuple | None = None) -> BuiltReal | ConfigError:
    """The real model ``cfg`` describes (built once per config), or why Keras cannot stack it.

    Args:
        cfg: a real config.
        weights: a training snapshot to show instead of the seeded initial weights.
        data_key: a task's samples to trace (`ViewConfig.data_key`) instead of samples made for the model.
    """
    if weights is None and data_key is None:
        return REAL_MODELS.get(cfg)
    return TRAINED_REAL_MODELS.get((cfg, weights, data_key))
