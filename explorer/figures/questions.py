"""Figures for the learners' questions: parameters vs timesteps, state across calls, gate activations."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from explorer.answers import HalvesDemo
from explorer.figures.style import BROKEN, INK, MUTED, OKABE_ITO, base_layout, legend_below
from explorer.i18n import _


def make_params_vs_timesteps_figure(points: list[tuple[int, int]], *, current_timesteps: int) -> go.Figure:
    """Parameter count of real Keras models at several sequence lengths: a flat line.

    Args:
        points: ``[(timesteps, count_params()), ...]`` measured by building the models.
        current_timesteps: marked on the x axis.
    """
    T = [p[0] for p in points]
    n = [p[1] for p in points]
    fig = go.Figure(
        go.Scatter(
            x=T,
            y=n,
            mode="lines+markers",
            name="count_params()",
            line={"color": OKABE_ITO[0], "width": 3},
            marker={"size": 10},
            hovertemplate="T = %{x}: %{y:,} " + _("parameters") + "<extra></extra>",
        )
    )
    fig.add_vline(x=current_timesteps, line={"color": MUTED, "dash": "dot"})
    fig.add_annotation(  # not add_vline's annotation_text: on a log axis Plotly puts that at 10^x (x = 12 → 1e12)
        x=math.log10(current_timesteps),  # annotations on a log axis take log10 coordinates, shapes data values
        y=1,
        yref="paper",
        text=_("now: T = {T}").format(T=current_timesteps),
        showarrow=False,
        xanchor="left",
        yanchor="top",
        xshift=4,
    )
    top = max(n) if n else 1
    fig.update_yaxes(title_text=_("parameters (Keras count_params)"), range=[0, top * 1.3], gridcolor="#eeeeee")
    fig.update_xaxes(title_text=_("timesteps T (sequence length)"), type="log", gridcolor="#eeeeee")
    same = len(set(n)) == 1
    title = _("Same {n} parameters at every length").format(n=f"{n[0]:,}") if same else _("Parameters vs timesteps")
    base_layout(fig, title=title + _(" — timesteps are not neurons"), view="params_vs_timesteps", height=380)
    return fig


def make_halves_figure(demo: HalvesDemo, *, layer: int = -1, sample: int = 0, unit: int = 0) -> go.Figure:
    """One unit of ``h`` over time: fed whole, and in two calls with the state reset or carried over."""
    whole = demo.whole.layers[layer].h[sample, :, unit]  # (T,)
    T, half = len(whole), demo.half
    steps = np.arange(1, T + 1)
    second = steps[half:]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=steps, y=whole, name=_("whole sequence in one call"), mode="lines", line={"color": INK, "width": 3})
    )
    fig.add_trace(
        go.Scatter(
            x=second,
            y=demo.carried.layers[layer].h[sample, :, unit],
            mode="markers",
            name=_("2nd call, state carried (stateful=True)"),
            marker={"color": OKABE_ITO[2], "size": 9},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=second,
            y=demo.reset.layers[layer].h[sample, :, unit],
            mode="lines+markers",
            name=_("2nd call, state reset to zero"),
            line={"color": BROKEN, "dash": "dash", "width": 2.5},
        )
    )
    fig.add_vline(x=half + 0.5, line={"color": MUTED, "dash": "dot"}, annotation_text=_("second call starts"))
    fig.update_xaxes(title_text=_("input step t"), gridcolor="#eeeeee")
    fig.update_yaxes(title_text=f"h[{unit}]", gridcolor="#eeeeee")
    base_layout(
        fig,
        title=_("State across calls: h[{unit}] of the last layer, sample {sample}").format(unit=unit, sample=sample),
        view="state_across_calls",
        height=420,
    )
    fig.update_layout(legend=legend_below())
    return fig


def make_activation_curves_figure(z: np.ndarray, curves: dict[str, np.ndarray]) -> go.Figure:
    """Gate squashing functions over ``z``: Keras 3's sigmoid and hard_sigmoid, and old Keras's hard_sigmoid."""
    fig = go.Figure()
    for k, (name, values) in enumerate(curves.items()):
        fig.add_trace(
            go.Scatter(
                x=z,
                y=values,
                name=_(name),
                mode="lines",
                line={"color": OKABE_ITO[k], "width": 3, "dash": ["solid", "dash", "dot"][k % 3]},
            )
        )
    fig.update_xaxes(title_text=_("z (a gate's input)"), gridcolor="#eeeeee")
    fig.update_yaxes(title_text=_("gate value"), range=[-0.05, 1.05], gridcolor="#eeeeee")
    base_layout(fig, title=_("recurrent_activation: what squashes the gates i, f, o"), view="activations", height=380)
    fig.update_layout(legend=legend_below())
    return fig
