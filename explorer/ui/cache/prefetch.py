"""Build ahead the model one more key press away (`explorer.stepping.next_configs`), while the learner looks."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor

import streamlit as st

from explorer import (
    LSTMConfig,
)
from explorer.activity import wait_until_quiet
from explorer.stepping import next_configs
from explorer.ui.cache.models import MODELS, ModelBundle
from explorer.ui.cache.workers import _background_thread

PREFETCH_DELAY_S = 0.3
PREFETCH_MAX_WAIT_S = 1.0  # a build ahead yields to learners' reruns this long at most
PREFETCH_MAX_PARAMS = 500_000  # build ahead only models up to this size (the default has 2,080 parameters)


@st.cache_resource(max_entries=1)
def _prefetcher() -> ThreadPoolExecutor:
    return _background_thread("model-prefetch")


def _build_ahead(cfg: LSTMConfig) -> None:
    time.sleep(PREFETCH_DELAY_S)  # after the current rerun's charts are sent and drawn
    wait_until_quiet(PREFETCH_MAX_WAIT_S)  # a guess yields to what learners asked for
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
