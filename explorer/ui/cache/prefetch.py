"""Build ahead the model one more key press away (`explorer.stepping.next_configs`), while the learner looks."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import streamlit as st

from explorer import (
    LSTMConfig,
)
from explorer.activity import wait_until_quiet
from explorer.realmodel.sites import site_config
from explorer.stepping import next_configs
from explorer.ui.cache.models import MODELS, SHAPES, ModelBundle
from explorer.ui.cache.real import REAL_MODELS, BuiltReal, real_cost
from explorer.ui.cache.workers import _background_thread

PREFETCH_DELAY_S = 0.3
PREFETCH_MAX_WAIT_S = 1.0  # a build ahead yields to learners' reruns this long at most
PREFETCH_MAX_PARAMS = 500_000  # build ahead only models up to this size (the default has 2,080 parameters)
# A real model counts its Embedding's table at a fifth (`real_cost`: Keras holds it once); its build ahead costs ~80 ms
# at 20,000 × 128 and two Bidirectional(64) layers, which count 712,000.
REAL_PREFETCH_MAX_COST = 800_000


@st.cache_resource(max_entries=1)
def _prefetcher() -> ThreadPoolExecutor:
    return _background_thread("model-prefetch")


def _build_ahead(cfg: LSTMConfig, site: int = 0, warm: Callable[[LSTMConfig], None] | None = None) -> None:
    """Build ``cfg``'s model (a real one: with the one-layer model of its LSTM ``site``, which the header reads), then
    ``warm(cfg)``: the open view's figures of it, when the page passed a warmer."""
    time.sleep(PREFETCH_DELAY_S)  # after the current rerun's charts are sent and drawn
    wait_until_quiet(PREFETCH_MAX_WAIT_S)  # a guess yields to what learners asked for
    if cfg.is_real:
        built = REAL_MODELS.get(cfg)
        if isinstance(built, BuiltReal) and site < len(built.real.sites):  # and the LSTM shown: its shapes' model
            SHAPES.get(site_config(built.real, site))
    else:
        MODELS.get((cfg, None))
    if warm is not None:
        wait_until_quiet(PREFETCH_MAX_WAIT_S)
        warm(cfg)


def _prefetch_real(
    previous: LSTMConfig | None, current: LSTMConfig, queued: list[Future], warm: Callable[[LSTMConfig], None] | None
) -> list[LSTMConfig]:
    """`prefetch_next` for a real model (an Embedding or Bidirectional layers): its store, its cost, and its figures
    (a real model's press draws two or three charts: the map, both directions, the one picked)."""
    shown = REAL_MODELS.get(current) if current in REAL_MODELS else None
    if not isinstance(shown, BuiltReal) or real_cost(shown) > REAL_PREFETCH_MAX_COST:
        return []
    ahead = [cfg for cfg in next_configs(previous, current) if cfg not in REAL_MODELS]
    site = st.session_state.get("built_site_picker", 0)
    site = site if isinstance(site, int) else 0
    queued.extend(_prefetcher().submit(_build_ahead, cfg, site, warm) for cfg in ahead)
    return ahead


def prefetch_next(
    previous: LSTMConfig | None, current: LSTMConfig, warm_real: Callable[[LSTMConfig], None] | None = None
) -> list[LSTMConfig]:
    """Build in the background the model one more key press away (`next_configs`); returns what was queued.

    Only when the model shown is small (`PREFETCH_MAX_PARAMS`). Builds this session queued at an
    earlier step and not yet started are dropped: the learner has moved on. ``warm_real``: for a real model, makes
    the open view's figures of a model built ahead (its NumPy traces of both directions are most of a press's work).
    """
    queued: list[Future] = st.session_state.setdefault("_prefetch_queue", [])
    for future in queued:
        future.cancel()
    queued.clear()
    if current.is_real:
        return _prefetch_real(previous, current, queued, warm_real)
    shown = MODELS.get((current, None)) if (current, None) in MODELS else None
    if not isinstance(shown, ModelBundle) or shown.count_params > PREFETCH_MAX_PARAMS:
        return []  # big models: a guess would cost ~0.2 s of CPU and tens of MB for a maybe
    ahead = [cfg for cfg in next_configs(previous, current) if (cfg, None) not in MODELS]
    queued.extend(_prefetcher().submit(_build_ahead, cfg) for cfg in ahead)
    return ahead
