"""The cell view: the textbook LSTM cell at the focused (layer, step, unit), with a time player."""

from __future__ import annotations

import streamlit as st

from explorer.cell.anatomy import cell_step
from explorer.cell.equations import equations
from explorer.figures.cell import make_cell_figure, make_cell_frames
from explorer.i18n import _
from explorer.training.snapshots import TrainedWeights
from explorer.ui import cache
from explorer.ui.chart import show_chart
from explorer.ui.focus import whole_page
from explorer.view import ViewConfig


@st.cache_resource(max_entries=16, show_spinner=False)
def cell_steps(cfg, data_key: tuple, layer: int, sample: int, unit: int, weights: TrainedWeights | None = None) -> list:
    """The diagram's numbers at every input step 1 … T (the player's frames), from the view's own trace."""
    tr = cache.view_trace(cfg, data_key, weights)
    lw = cache.traced_weights(cfg, weights).lstm[layer]
    return [cell_step(lw, tr, layer=layer, sample=sample, step=t, unit=unit) for t in range(1, cfg.timesteps + 1)]


@st.cache_resource(max_entries=16, show_spinner=False)
def cell_frames(
    cfg, data_key: tuple, layer: int, sample: int, unit: int, weights: TrainedWeights | None = None, *, lang: str = "en"
):
    """The player's frames (`make_cell_frames`), made once for every step of one (layer, sample, unit): a step
    move makes only the diagram at the new step, and its frames' JSON is kept with them (`explorer.ui.chart`).
    ``lang`` keys the cache: the frames' text is drawn in the page's language."""
    steps = cell_steps(cfg, data_key, layer, sample, unit, weights)
    return make_cell_frames(steps, step_labels=_step_labels(cfg, data_key, layer, sample))


def _step_labels(cfg, data_key: tuple, layer: int, sample: int):
    return cache.step_labels(cfg, data_key, sample) if layer == 0 else None  # the task's text: only layer 0 reads it


@st.cache_resource(max_entries=16, show_spinner=False)
def cell_figure(
    cfg,
    data_key: tuple,
    layer: int,
    sample: int,
    unit: int,
    step: int,
    weights: TrainedWeights | None = None,
    *,
    lang: str = "en",  # the figure's text language: keys the cache
):
    steps = cell_steps(cfg, data_key, layer, sample, unit, weights)
    frames = cell_frames(cfg, data_key, layer, sample, unit, weights, lang=lang)
    return make_cell_figure(steps[step - 1], steps, step_labels=_step_labels(cfg, data_key, layer, sample), frames=frames)


def _move(delta: int) -> None:
    """Button callback: the focused step one back or forward."""
    st.session_state["step"] = min(max(st.session_state["step"] + delta, 1), st.session_state["timesteps"])
    whole_page()  # the sidebar's step slider follows


def cell_panel(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None, layer: int) -> None:
    """The diagram with the focused step's numbers, ◀ / ▶ to move the page's focus, and the equations as text."""
    T = view.model.timesteps
    left, middle, right = st.columns([1, 1, 4])
    left.button(_("◀ step t − 1"), on_click=_move, args=(-1,), disabled=view.step <= 1, width="stretch")
    middle.button(_("step t + 1 ▶"), on_click=_move, args=(1,), disabled=view.step >= T, width="stretch")
    right.caption(
        _(
            "Step {step} of {T}. ◀ / ▶ move every view's focus; ▶ on the chart plays the whole sequence here. "
            "Click a cell of the unrolled graph to open it here; pick the unit in the sidebar."
        ).format(step=view.step, T=T)
    )
    figure = cell_figure(view.model, data_key, layer, view.sample, view.unit, view.step, weights, lang=view.lang)
    show_chart(figure, "cell")
    steps = cell_steps(view.model, data_key, layer, view.sample, view.unit, weights)
    with st.expander(_("The equations at this step, as text (copy them)")):
        st.code("\n".join(equations(steps[view.step - 1])), language=None)
