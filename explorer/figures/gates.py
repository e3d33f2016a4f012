"""View 3: gate activations of one layer and sample, units × timesteps.

Heatmaps of ``i, f, g, o`` and ``c, h`` on a shared time axis (a [0, 1]
sequential scale for the sigmoid gates, a diverging scale centred on 0 for
``g, c, h``), then the focused unit's gates as lines over time. Wide layers
show a window of `MAX_UNITS` units around the focused one, so the payload stays small.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer.figures.marks import skipped_bands
from explorer.figures.player import time_player
from explorer.figures.style import (
    DIVERGING,
    FOCUS,
    GATE_COLOURS,
    GATE_LABELS,
    INK,
    SEQUENTIAL,
    axis_suffix,
    click_targets,
    layout_dict,
    make_room,
    stacked_rows,
    step_ticks,
    unvalidated_figure,
)
from explorer.i18n import _
from explorer.i18n.names import layer_label
from explorer.reference import LayerTrace

MAX_UNITS = 32
HEATMAPS = ("i", "f", "g", "o", "c", "h")
# Click targets over the heatmaps are drawn as one SVG element (`click_targets`) but sent as data, ~11 bytes each:
# beyond this many, only the lines are clickable.
MAX_PICKER_POINTS = 4000


def unit_window(units: int, focus: int, size: int = MAX_UNITS) -> range:
    """The units shown: all of them, or `size` consecutive ones containing ``focus``."""
    if units <= size:
        return range(units)
    start = min(max(focus - size // 2, 0), units - size)
    return range(start, start + size)


def _pickers(layer: LayerTrace, sample: int, units: range) -> list[dict]:
    """Invisible markers over every heatmap cell: what a click selects (heatmaps cannot be selected)."""
    T = layer.h.shape[1]
    steps, unit = np.meshgrid(np.arange(1, T + 1, dtype=np.int16), np.array(units, dtype=np.int16))  # (units, T)
    out = []
    where, click = _("unit %{y}, step %{x}"), _("click: focus")
    for row, g in enumerate(HEATMAPS, start=1):
        values = layer.gate(g)[sample][:, units.start : units.stop].T  # (units shown, T), as the heatmap
        suffix = axis_suffix(row)
        out.append(
            {
                "type": "scatter",
                "x": steps.ravel(),
                "y": unit.ravel(),
                "name": f"{g} picker",
                "showlegend": False,
                **click_targets(10),
                "customdata": values.ravel(),
                "hovertemplate": f"{g}: %{{customdata:.3f}}<br>{where}<br><i>{click}</i><extra></extra>",
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
            }
        )
    return out


def _now_lines(position: int, units: range, extent: tuple[float, float]) -> list[dict]:
    """A vertical mark at processing step ``position`` on every row (six heatmaps, then the line chart)."""
    out = []
    for row in range(1, len(HEATMAPS) + 2):
        suffix = axis_suffix(row)
        y = [units.start - 0.5, units.stop - 0.5] if row <= len(HEATMAPS) else list(extent)
        out.append(
            {
                "type": "scatter",
                "x": [position, position],
                "y": y,
                "mode": "lines",
                "name": "step mark",
                "showlegend": False,
                "hoverinfo": "skip",
                "line": {"color": FOCUS, "width": 3},
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
            }
        )
    return out


def make_gates_figure(
    layer: LayerTrace,
    *,
    sample: int = 0,
    unit: int = 0,
    step_labels=None,
    title: str | None = None,
    step: int | None = None,
    step_names: list[str] | None = None,
) -> go.Figure:
    """Heatmaps of every gate of one layer and sample, and the focused unit's gates over time.

    Args:
        layer: the `LayerTrace` of the focused layer.
        sample: which sample of the batch.
        unit: the focused unit (its row is outlined; its gates are plotted as lines).
        step_labels: the input of each processing step as the task's text (``(``, ``▲0.42``), or ``None``.
        title: replaces the default title (e.g. to say which weights are shown).
        step: the focused step as a processing position (1 … T): marked on every row, with a time
            player that moves the mark; ``None`` = no mark.
        step_names: the player's label of each processing step (the input step it reads), or ``None``.

    Returns:
        A figure whose first six traces are heatmaps named ``i f g o c h`` with
        ``z`` = ``(units shown, timesteps)``; then four lines named after the gates (the focused unit);
        over small heatmaps, invisible ``"<gate> picker"`` traces (x = step, y = unit) that a click
        selects; with ``step``, seven traces ``"step mark"`` and one frame per step;
        ``layout.meta.view == "gates"``.
    """
    T, U = layer.h.shape[1], layer.h.shape[2]
    shown = unit_window(U, unit)
    steps = np.arange(1, T + 1)
    titles = [_(GATE_LABELS[g]) + ("  ∈ [0, 1]" if g in "ifo" else "") for g in HEATMAPS]
    titles.append(_("unit {unit} over time").format(unit=unit))
    layout = stacked_rows([1, 1, 1, 1, 1, 1, 1.3], spacing=0.025, titles=titles)
    signed = max(float(np.abs(layer.gate(g)[sample][:, shown]).max()) for g in "gch") or 1.0
    traces, shapes = [], []
    for row, g in enumerate(HEATMAPS, start=1):
        suffix = axis_suffix(row)
        z = layer.gate(g)[sample][:, shown].T.astype(np.float32)  # (units shown, T)
        traces.append(
            {
                "type": "heatmap",
                "z": z,
                "x": steps,
                "y": np.array(shown),
                "name": g,
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "coloraxis": "coloraxis" if g in "ifo" else "coloraxis2",
                "hovertemplate": f"{g}: %{{z:.3f}}<br>" + _("unit %{y}, step %{x}") + "<extra></extra>",
            }
        )
        layout[f"yaxis{suffix}"]["title"] = {"text": _("unit"), "standoff": 2}
        if len(shown) > 1:  # outline the focused unit's row: white on black, seen on light and dark cells alike
            row_box = {"type": "rect", "x0": 0.5, "x1": T + 0.5, "y0": unit - 0.5, "y1": unit + 0.5}
            row_box.update(xref=f"x{suffix}", yref=f"y{suffix}")
            shapes.append({**row_box, "line": {"color": INK, "width": 4}})
            shapes.append({**row_box, "line": {"color": "white", "width": 1.5}})
    for g in ("i", "f", "g", "o"):
        traces.append(
            {
                "type": "scatter",
                "x": steps,
                "y": layer.gate(g)[sample, :, unit],
                "name": _(GATE_LABELS[g]),
                "xaxis": "x7",
                "yaxis": "y7",
                "mode": "lines+markers" if T <= 40 else "lines",
                "line": {"color": GATE_COLOURS[g], "width": 2.5},
                "marker": {"size": 5},
            }
        )
    layout["yaxis7"]["title"] = {"text": _("value")}
    layout["xaxis7"]["title"] = {"text": _("processing step")}
    layout["xaxis7"].update(step_ticks(step_labels, html=True))
    title = title or _("Gate activations of {layer}, sample {sample}").format(layer=layer_label(layer.name), sample=sample) + (
        _(" (units {first}–{last} of {U})").format(first=shown.start, last=shown.stop - 1, U=U) if len(shown) < U else ""
    )
    layout.update(layout_dict(title=title, view="gates", height=1100))
    make_room(layout, l=80, r=146)  # the rows' "unit" titles; two colour bars, the lines' legend (English: 139 px)
    layout.update(
        clickmode="event+select",
        shapes=shapes
        + (skipped_bands(layer.mask[sample], f"x{axis_suffix(len(HEATMAPS) + 1)}") if layer.mask is not None else []),
        coloraxis={
            "colorscale": SEQUENTIAL,
            "cmin": 0,
            "cmax": 1,
            "colorbar": {"title": {"text": _("gate")}, "len": 0.3, "y": 0.86, "thickness": 14},
        },
        coloraxis2={
            "colorscale": DIVERGING,
            "cmid": 0,
            "cmin": -signed,
            "cmax": signed,
            "colorbar": {"title": {"text": "g, c, h"}, "len": 0.3, "y": 0.5, "thickness": 14},
        },
        # the gate lines' legend: beside the bottom row, under the colour bars, clear of the axis title and the player
        legend={"orientation": "v", "x": 1.01, "xanchor": "left", "y": 0, "yanchor": "bottom"},
    )
    if len(HEATMAPS) * T * len(shown) <= MAX_PICKER_POINTS:
        traces += _pickers(layer, sample, shown)
    frames = None
    if step is not None:
        lines = np.stack([layer.gate(g)[sample, :, unit] for g in "ifgo"])  # (4, T): the bottom chart's extent
        extent = (min(float(lines.min()), 0.0), max(float(lines.max()), 1.0))
        first = len(traces)
        traces += _now_lines(step, shown, extent)
        frames, player = time_player(
            [_now_lines(p, shown, extent) for p in range(1, T + 1)],
            traces=list(range(first, len(traces))),
            labels=step_names or [str(p) for p in range(1, T + 1)],
            active=step - 1,
            y=-0.09,
        )
        layout.update(player)
        make_room(layout, b=198)  # tick labels, axis title and player (+8 px: Chromium builds and fonts differ by 3–4 px here)
        layout["height"] += 100
    return unvalidated_figure(traces, layout, frames)
