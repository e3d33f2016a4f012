"""View 4: hidden-state trajectories.

`make_trajectory_figure`: the input sequence on top for reference, then ``h_t``
and ``c_t`` of the focused layer over time (a few units as lines, the rest as a
min–max band). `make_state_space_figure`: the path of ``h_t`` through state
space, projected by PCA over all samples and steps, one path per sample,
points coloured by time, start and end marked.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explorer.figures.style import MUTED, OKABE_ITO, TIME_SCALE, base_layout
from explorer.reference import Trace

MAX_LINES = 8


def _band(fig, steps, values, row, name):
    """Min–max envelope of all units: (T, U) → a filled band."""
    lo, hi = values.min(axis=1), values.max(axis=1)
    fig.add_trace(go.Scatter(x=steps, y=hi, mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"), row=row, col=1)
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=lo,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(120,120,120,0.18)",
            name=name,
            hoverinfo="skip",
        ),
        row=row,
        col=1,
    )


def make_trajectory_figure(tr: Trace, *, layer: int = 0, sample: int = 0, max_lines: int = MAX_LINES) -> go.Figure:
    """Input, ``h_t`` and ``c_t`` of one layer and sample over time.

    Args:
        tr: the `Trace`.
        layer: focused layer index.
        sample: focused sample.
        max_lines: at most this many units (and input channels) drawn as lines; all units as a band.

    Returns:
        A figure with ``layout.meta.view == "trajectories"``; traces named ``x[j]``, ``h[u]``, ``c[u]``.
    """
    lt = tr.layers[layer]
    T, U = lt.h.shape[1], lt.h.shape[2]
    x = tr.x[sample]  # (T, F), data order
    # go_backwards layers alternate the direction of data time; draw everything against input step t.
    backwards = sum(layer_.go_backwards for layer_ in tr.layers[: layer + 1]) % 2 == 1
    steps = np.arange(1, T + 1)
    F = x.shape[1]
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[
            f"input x (first {min(F, max_lines)} of {F} features)" if max_lines < F else "input x",
            f"hidden state h of {lt.name}",
            f"cell state c of {lt.name}",
        ],
    )
    for j in range(min(F, max_lines)):
        fig.add_trace(
            go.Scatter(
                x=steps, y=x[:, j], name=f"x[{j}]", mode="lines", legendgroup="x", line={"color": OKABE_ITO[j % 8], "width": 2}
            ),
            row=1,
            col=1,
        )
    for row, g in ((2, "h"), (3, "c")):
        values = lt.gate(g)[sample]  # (T, U), processing order
        values = values[::-1] if backwards else values  # (T, U), input-step order
        if max_lines < U:
            _band(fig, steps, values, row, f"all {U} units of {g} (min–max)")
        for u in range(min(U, max_lines)):
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=values[:, u],
                    name=f"{g}[{u}]",
                    mode="lines",
                    legendgroup=g,
                    showlegend=row == 2,
                    line={"color": OKABE_ITO[u % 8], "width": 2, "dash": "solid" if g == "h" else "dot"},
                ),
                row=row,
                col=1,
            )
    fig.update_xaxes(title_text="input step t" + (" (this layer reads t from last to first)" if backwards else ""), row=3, col=1)
    base_layout(fig, title=f"Trajectories over time: {lt.name}, sample {sample}", view="trajectories", height=640)
    fig.update_layout(legend={"orientation": "v", "x": 1.01, "font": {"size": 12}})
    return fig


def pca_project(states: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Project (B, T, U) states on their first principal components.

    Returns:
        ``(coords (B, T, dims), explained variance ratio (dims,))``; missing
        components (U < dims or a flat path) are zeros.
    """
    B, T, U = states.shape
    flat = states.reshape(B * T, U).astype(np.float64)
    centred = flat - flat.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(dims, vt.shape[0])
    coords = np.zeros((B * T, dims))
    coords[:, :k] = centred @ vt[:k].T
    var = s**2
    ratio = np.zeros(dims)
    if var.sum() > 0:
        ratio[:k] = var[:k] / var.sum()
    return coords.reshape(B, T, dims), ratio


def make_state_space_figure(tr: Trace, *, layer: int = 0, dims: int = 2, sample: int | None = None) -> go.Figure:
    """The path of ``h_t`` through state space, by PCA, one path per sample.

    Args:
        tr: the `Trace`.
        layer: focused layer index.
        dims: 2 or 3.
        sample: the focused sample (drawn thicker), or ``None``.

    Returns:
        A figure with ``layout.meta.view == "state_space"``; per sample a trace ``sample b``
        (points coloured by step) and start/end markers.
    """
    lt = tr.layers[layer]
    coords, ratio = pca_project(lt.h, dims)  # (B, T, dims)
    B, T = coords.shape[:2]
    steps = np.arange(1, T + 1)
    fig = go.Figure()
    for b in range(B):
        focus = b == sample
        line = {"color": OKABE_ITO[b % 8], "width": 5 if focus else 2}
        marker = {
            "color": steps,
            "colorscale": TIME_SCALE,
            "size": 7 if focus else 4,
            "cmin": 1,
            "cmax": max(T, 2),
            "showscale": b == 0,
            "colorbar": {"title": {"text": "step"}, "thickness": 14, "len": 0.7},
        }
        c = coords[b]
        common = {
            "name": f"sample {b}",
            "mode": "lines+markers",
            "line": line,
            "marker": marker,
            "legendgroup": f"s{b}",
            "hovertemplate": f"sample {b}, step %{{marker.color}}<extra></extra>",
        }
        ends = {
            "mode": "markers+text",
            "legendgroup": f"s{b}",
            "showlegend": False,
            "textposition": "top center",
            "text": ["start", "end"] if focus else None,
        }
        end_marker = {"symbol": ["circle-open", "x"], "size": 14, "color": OKABE_ITO[b % 8], "line": {"width": 3}}
        if dims == 3:
            fig.add_trace(go.Scatter3d(x=c[:, 0], y=c[:, 1], z=c[:, 2], **common))
            fig.add_trace(
                go.Scatter3d(
                    x=c[[0, -1], 0],
                    y=c[[0, -1], 1],
                    z=c[[0, -1], 2],
                    marker={**end_marker, "symbol": ["circle-open", "x"]},
                    **ends,
                )
            )
        else:
            fig.add_trace(go.Scatter(x=c[:, 0], y=c[:, 1], **common))
            fig.add_trace(go.Scatter(x=c[[0, -1], 0], y=c[[0, -1], 1], marker=end_marker, **ends))
    labels = [f"PC{d + 1} ({ratio[d]:.0%})" for d in range(dims)]
    if dims == 3:
        fig.update_layout(scene={"xaxis_title": labels[0], "yaxis_title": labels[1], "zaxis_title": labels[2]})
    else:
        fig.update_xaxes(title_text=labels[0], zeroline=True, zerolinecolor=MUTED, gridcolor="#eeeeee")
        fig.update_yaxes(title_text=labels[1], zeroline=True, zerolinecolor=MUTED, gridcolor="#eeeeee")
    base_layout(
        fig, title=f"h_t of {lt.name} in state space (PCA over all samples and steps, {dims}-D)", view="state_space", height=520
    )
    fig.update_layout(legend={"orientation": "h", "y": -0.18 if dims == 2 else 0.0, "x": 0})
    return fig
