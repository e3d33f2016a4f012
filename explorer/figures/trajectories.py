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

from explorer.figures.marks import skipped_bands
from explorer.figures.player import time_player
from explorer.figures.style import (
    FOCUS,
    MUTED,
    OKABE_ITO,
    TIME_SCALE,
    layout_dict,
    legend_below,
    make_room,
    stacked_rows,
    step_ticks,
    unvalidated_figure,
)
from explorer.i18n import _
from explorer.i18n.names import layer_label
from explorer.reference import Trace, reads_data_backwards

MAX_LINES = 8


def _band(steps, values, axes: dict, name: str) -> list[dict]:
    """Min–max envelope of all units: (T, U) → two traces, the second filled down to the first."""
    lo, hi = values.min(axis=1), values.max(axis=1)
    edge = {"type": "scatter", "x": steps, "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", **axes}
    return [
        {**edge, "y": hi, "showlegend": False},
        {**edge, "y": lo, "fill": "tonexty", "fillcolor": "rgba(120,120,120,0.18)", "name": name},
    ]


def _curtains(step: int, T: int, extents: list[tuple[float, float]]) -> list[dict]:
    """Per row, a white veil over the steps after ``step`` and a line at ``step``: the paths drawn up to t."""
    out = []
    for row, (lo, hi) in enumerate(extents, start=1):
        suffix = "" if row == 1 else str(row)
        axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "showlegend": False, "hoverinfo": "skip"}
        left, right = step + 0.5, T + 0.5
        out.append(
            {
                "type": "scatter",
                "x": [left, right, right, left, left],
                "y": [lo, lo, hi, hi, lo],
                "mode": "lines",
                "fill": "toself",
                "fillcolor": "rgba(255,255,255,0.8)",
                "line": {"width": 0},
                "name": "future",
                **axes,
            }
        )
        out.append({"type": "scatter", "x": [step, step], "y": [lo, hi], "mode": "lines", "name": "step mark",
                    "line": {"color": FOCUS, "width": 3}, **axes})  # fmt: skip
    return out


def make_trajectory_figure(
    tr: Trace,
    *,
    layer: int = 0,
    sample: int = 0,
    max_lines: int = MAX_LINES,
    step_labels=None,
    step: int | None = None,
) -> go.Figure:
    """Input, ``h_t`` and ``c_t`` of one layer and sample over time.

    Args:
        tr: the `Trace`.
        layer: focused layer index.
        sample: focused sample.
        max_lines: at most this many units (and input channels) drawn as lines; all units as a band.
        step_labels: each input step as the task's text (data order), or ``None``.
        step: the focused input step (1 … T): the rows are drawn up to it (later steps veiled), with
            a time player that moves it; ``None`` = the whole sequence, no player.

    Returns:
        A figure with ``layout.meta.view == "trajectories"``; traces named ``x[j]``, ``h[u]``, ``c[u]``
        (with ``step``: per row a ``"future"`` veil and a ``"step mark"``, and one frame per step).
    """
    lt = tr.layers[layer]
    T, U = lt.h.shape[1], lt.h.shape[2]
    x = tr.x[sample]  # (T, F), data order
    # go_backwards layers alternate the direction of data time; draw everything against input step t.
    backwards = reads_data_backwards([lt_.go_backwards for lt_ in tr.layers])[layer]
    steps = np.arange(1, T + 1)
    F = x.shape[1]
    titles = [
        _("input x (first {n} of {F} features)").format(n=min(F, max_lines), F=F) if max_lines < F else _("input x"),
        _("hidden state h of {layer}").format(layer=layer_label(lt.name)),
        _("cell state c of {layer}").format(layer=layer_label(lt.name)),
    ]
    layout = stacked_rows([1, 1, 1], spacing=0.06, titles=titles)
    traces = [
        {
            "type": "scatter",
            "x": steps,
            "y": x[:, j],
            "name": f"x[{j}]",
            "mode": "lines",
            "legendgroup": "x",
            "line": {"color": OKABE_ITO[j % 8], "width": 2},
        }
        for j in range(min(F, max_lines))
    ]
    for row, g in ((2, "h"), (3, "c")):
        axes = {"xaxis": f"x{row}", "yaxis": f"y{row}"}
        values = lt.gate(g)[sample]  # (T, U), processing order
        values = values[::-1] if backwards else values  # (T, U), input-step order
        if max_lines < U:
            traces += _band(steps, values, axes, _("all {U} units of {gate} (min–max)").format(U=U, gate=g))
        for u in range(min(U, max_lines)):
            traces.append(
                {
                    "type": "scatter",
                    "x": steps,
                    "y": values[:, u],
                    "name": f"{g}[{u}]",
                    "mode": "lines",
                    "legendgroup": g,
                    "showlegend": row == 2,
                    "line": {"color": OKABE_ITO[u % 8], "width": 2, "dash": "solid" if g == "h" else "dot"},
                    **axes,
                }
            )
    layout["xaxis3"]["title"] = {"text": _("input step t") + (_(" (this layer reads t from last to first)") if backwards else "")}
    layout["xaxis3"].update(step_ticks(step_labels, html=True))
    title = _("Trajectories over time: {layer}, sample {sample}").format(layer=layer_label(lt.name), sample=sample)
    layout.update(layout_dict(title=title, view="trajectories", height=640))
    make_room(layout, r=212)  # the legend
    layout["legend"] = {"orientation": "v", "x": 1.01, "font": {"size": 12}}
    if lt.mask is not None:  # padding the layer skipped, in input-step order like the x axis
        kept = lt.mask[sample][::-1] if backwards else lt.mask[sample]
        layout["shapes"] = [*layout.get("shapes", []), *skipped_bands(kept, "x3")]
    frames = None
    if step is not None:
        extents = []
        for values in (x[:, : min(F, max_lines)], lt.h[sample], lt.c[sample]):
            lo, hi = float(values.min()), float(values.max())
            pad = 0.05 * (hi - lo or 1.0)
            extents.append((lo - pad, hi + pad))
        first = len(traces)
        traces += _curtains(step, T, extents)
        frames, player = time_player(
            [_curtains(t, T, extents) for t in range(1, T + 1)],
            traces=list(range(first, len(traces))),
            labels=[str(t) for t in range(1, T + 1)],
            active=step - 1,
            y=-0.1,
        )
        layout.update(player)
        layout["height"] += 90
        make_room(layout, b=164)  # the player (+8 px: Chromium builds and fonts differ by 3–4 px here)
    return unvalidated_figure(traces, layout, frames)


def pca_project(states: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Project (B, T, U) states on their first principal components.

    The components are the top eigenvectors of the (U, U) scatter matrix (4x faster than an
    SVD of the (B·T, U) states at 4 × 200 × 256), each signed so its largest loading is
    positive: the picture does not flip between two similar models.

    Returns:
        ``(coords (B, T, dims), explained variance ratio (dims,))``; missing
        components (U < dims or a flat path) are zeros.
    """
    B, T, U = states.shape
    flat = states.reshape(B * T, U).astype(np.float64)
    centred = flat - flat.mean(axis=0)  # (B·T, U)
    variances, vectors = np.linalg.eigh(centred.T @ centred)  # ascending; vectors (U, U) by column
    variances = np.clip(variances[::-1], 0.0, None)
    k = min(dims, U)
    top = vectors[:, ::-1][:, :k]  # (U, k)
    top = top * np.where(top[np.abs(top).argmax(axis=0), np.arange(k)] < 0, -1.0, 1.0)
    coords = np.zeros((B * T, dims))
    coords[:, :k] = centred @ top
    ratio = np.zeros(dims)
    if variances.sum() > 0:
        ratio[:k] = variances[:k] / variances.sum()
    return coords.reshape(B, T, dims), ratio


def make_state_space_figure(
    tr: Trace, *, layer: int = 0, dims: int = 2, sample: int | None = None, step: int | None = None
) -> go.Figure:
    """The path of ``h_t`` through state space, by PCA, one path per sample.

    Args:
        tr: the `Trace`.
        layer: focused layer index.
        dims: 2 or 3.
        sample: the focused sample (drawn thicker), or ``None``.
        step: with ``sample``, the processing step (1 … T) marked on its path, or ``None``.

    Returns:
        A figure with ``layout.meta.view == "state_space"``; per sample a trace ``sample b``
        (points coloured by step) and start/end markers.
    """
    lt = tr.layers[layer]
    coords, ratio = pca_project(lt.h, dims)  # (B, T, dims)
    B, T = coords.shape[:2]
    steps = np.arange(1, T + 1)
    traces = []
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
            "colorbar": {"title": {"text": _("step")}, "thickness": 14, "len": 0.7},
        }
        c = coords[b]
        kind = "scatter3d" if dims == 3 else "scatter"
        path = {
            "type": kind,
            "x": c[:, 0],
            "y": c[:, 1],
            "name": _("sample {b}").format(b=b),
            "mode": "lines+markers",
            "line": line,
            "marker": marker,
            "legendgroup": f"s{b}",
            "hovertemplate": _("sample {sample}, step {step}").format(sample=b, step="%{marker.color}") + "<extra></extra>",
        }
        ends = {
            "type": kind,
            "x": c[[0, -1], 0],
            "y": c[[0, -1], 1],
            "mode": "markers+text",
            "legendgroup": f"s{b}",
            "showlegend": False,
            "textposition": ["bottom left", "top right"],  # opposite sides: close ends' labels cannot overlap
            "text": [_("start"), _("end")] if focus else None,
            "marker": {"symbol": ["circle-open", "x"], "size": 14, "color": OKABE_ITO[b % 8], "line": {"width": 3}},
        }
        if dims == 3:
            path["z"], ends["z"] = c[:, 2], c[[0, -1], 2]
        traces += [path, ends]
    if step is not None and sample is not None:
        at = coords[sample, step - 1]
        mark = {
            "type": "scatter3d" if dims == 3 else "scatter",
            "x": [at[0]],
            "y": [at[1]],
            "mode": "markers",
            "name": _("step {step}").format(step=step),
            "marker": {"symbol": "diamond", "size": 16, "color": FOCUS, "line": {"width": 2, "color": "white"}},
            "hovertemplate": _("sample {sample}, step {step}").format(sample=sample, step=step) + "<extra></extra>",
        }
        if dims == 3:
            mark["z"] = [at[2]]
        traces.append(mark)
    labels = [f"PC{d + 1} ({ratio[d]:.0%})" for d in range(dims)]
    # Two short lines: the chart sits in half the page's width, where one long title was cut off.
    title = _("h_t of {layer} in state space").format(layer=layer_label(lt.name))
    title += "<br><sup>" + _("PCA over all samples and steps, {dims}-D").format(dims=dims) + "</sup>"
    layout = layout_dict(title=title, view="state_space", height=520)
    make_room(layout, t=80, l=82, r=78, b=154)  # two title lines; tick labels, colour bar, legend
    if dims == 3:
        layout["scene"] = {
            name: {"title": {"text": label}} for name, label in zip(("xaxis", "yaxis", "zaxis"), labels, strict=True)
        }
    else:
        axis = {"zeroline": True, "zerolinecolor": MUTED, "gridcolor": "#eeeeee"}
        layout["xaxis"], layout["yaxis"] = {**axis, "title": {"text": labels[0]}}, {**axis, "title": {"text": labels[1]}}
    layout["legend"] = legend_below()
    return unvalidated_figure(traces, layout)
