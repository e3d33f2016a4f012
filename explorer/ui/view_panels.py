"""The three views a focus slider moves (graph, gates, trajectories): which cached figures each shows, and drawing them.

The figures of a view are named in one place (`graph_figures`, `gates_figure_of`, `trajectory_figures_of`), so the
page and the build ahead (`warm_view`, run by `explorer.ui.cache.prefetch` for the model one key press away) ask the
caches for exactly the same entries.
"""

from __future__ import annotations

import streamlit as st

from explorer.i18n import _, use_language
from explorer.reference import processes_backwards
from explorer.training.snapshots import TrainedWeights
from explorer.ui import cache
from explorer.ui.chart import show_chart
from explorer.ui.focus import gates_click, on_graph_click, on_trajectory_click, state_space_click
from explorer.upload.weights import SiteWeights
from explorer.view import ViewConfig


def traced_layer(view: ViewConfig) -> int:
    """The focused layer, limited to the layers Keras can build (a broken stack traces only its prefix)."""
    return min(view.layer, view.model.buildable_prefix().n_layers - 1)


def graph_figures(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> tuple:
    """The graph view's figures: both directions of a Bidirectional layer (or ``None``), and the unrolled graph."""
    both = None
    if isinstance(weights, SiteWeights) and weights.real.sites[weights.index].direction:
        both = cache.bidirectional_figure(weights, view.batch_size, view.sample, view.colour_by, lang=view.lang)
    focus = (traced_layer(view), view.step)
    unrolled = cache.unrolled_figure(view.model, data_key, view.sample, view.colour_by, weights, focus, lang=view.lang)
    return both, unrolled


def gates_figure_of(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None, title: str | None = None):
    """The gate view's figure of ``weights`` (``None``: the model's initial weights)."""
    args = (view.model, data_key, traced_layer(view), view.sample, view.unit)
    return cache.gates_figure(*args, weights, title, view.step, lang=view.lang)


def trajectory_figures_of(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> tuple:
    """The trajectory view's figures: h over time, and its path in the plane of two principal components."""
    layer = traced_layer(view)
    return cache.trajectory_figures(view.model, data_key, layer, view.sample, weights, view.step, lang=view.lang)


WARMERS = {"graph": graph_figures, "gates": gates_figure_of, "trajectories": trajectory_figures_of}


def warm_view(panel: str, view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    """Make (and cache) the figures ``panel`` would show for ``view``, in its language, off the page (a thread)."""
    if panel in WARMERS:
        with use_language(view.lang):
            WARMERS[panel](view, data_key, weights)


def graph_panel(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    both, unrolled = graph_figures(view, data_key, weights)
    if both is not None:  # both directions first
        show_chart(both, "bidirectional")
        st.caption(
            _(
                "A Bidirectional layer is two LSTMs with weights of their own over the same steps: the forward one reads "
                "x₁ … x_T, the backward one x_T … x₁. Below: the direction picked above, cell by cell."
            )
        )
    show_chart(unrolled, "unrolled", on_click=on_graph_click)
    st.caption(
        _(
            "Rows are layers, columns are input steps. Green arrows carry the cell state c, black ones the hidden state h. "
            "An arrow goes up only where the layer returns sequences. Hover a cell for its gates; **click a cell to open it** "
            "(the cell view); ▶ walks the marked step along the sequence."
        )
    )


def gates_panel(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    on_click = gates_click(processes_backwards(view.model)[traced_layer(view)])
    if weights is None or not st.toggle(_("Compare with the untrained model"), key="compare_untrained"):
        show_chart(gates_figure_of(view, data_key, weights), "gates", on_click=on_click)
        st.caption(_("Click a heatmap cell (or a point of the lines) to focus that step and unit in every view."))
        return
    left, right = st.columns(2)
    with left:
        title = _("Untrained (step 0), sample {sample}").format(sample=view.sample)
        show_chart(gates_figure_of(view, data_key, None, title), "gates_untrained")
    with right:
        title = _("Trained (step {step}), sample {sample}").format(step=weights.step, sample=view.sample)
        show_chart(gates_figure_of(view, data_key, weights, title), "gates", on_click=on_click)


def trajectories_panel(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    over_time, plane = trajectory_figures_of(view, data_key, weights)
    show_chart(over_time, "trajectories", on_click=on_trajectory_click)
    left, right = st.columns(2)
    with left:
        layer = traced_layer(view)
        show_chart(plane, "state_space_2d", on_click=state_space_click(processes_backwards(view.model)[layer]))
    with right:
        # 3-D is opt-in: WebGL costs ~1 s per redraw where the browser renders in software (projectors, VMs).
        if st.toggle(_("3-D state space (PCA, 3 components)"), key="show_3d"):
            figure = cache.state_space_3d(view.model, data_key, layer, view.sample, weights, lang=view.lang)
            show_chart(figure, "state_space_3d")
        else:
            st.caption(
                _(
                    "The path of h_t through state space: each sample starts at ○ and ends at ×; colour = step. "
                    "Turn on the 3-D view for a third principal component."
                )
            )


PANEL_DRAWERS = {"graph": graph_panel, "gates": gates_panel, "trajectories": trajectories_panel}
