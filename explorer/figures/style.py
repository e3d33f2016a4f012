"""Palette and layout shared by every figure: colour-blind safe, readable on a projector."""

from __future__ import annotations

import plotly.graph_objects as go

from explorer.i18n import N_

# Okabe–Ito, for categories (gate slices, samples, units).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
GATE_COLOURS = {"i": "#0072B2", "f": "#E69F00", "g": "#009E73", "c": "#009E73", "o": "#CC79A7", "h": "#000000"}
GATE_LABELS = {  # messages: translate with `_` where shown
    "i": N_("input gate i"),
    "f": N_("forget gate f"),
    "g": N_("candidate g"),
    "o": N_("output gate o"),
    "c": N_("cell state c"),
    "h": N_("hidden state h"),
}
SEQUENTIAL = "Viridis"  # [0, 1] gates and norms
DIVERGING = "RdBu_r"  # signed values, centred on 0 (blue < 0 < red)
TIME_SCALE = "Cividis"  # time along a trajectory
BROKEN = "#D55E00"  # a missing connection
FOCUS = "#D55E00"  # the focused step / cell: vermillion, apart from the gate colours (a broken link uses it too)
INK = "#222222"
MUTED = "#8a8a8a"
# Latin faces first, then the usual Simplified Chinese faces of each system (Linux, macOS, Windows).
FONT = {
    "family": "Inter, 'Segoe UI', Helvetica, Arial, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif",
    "size": 15,
    "color": INK,
}


def layout_dict(*, title: str, view: str, height: int) -> dict:
    """The shared look as a layout dict; ``meta.view`` names the view (tests and the browser read it)."""
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 19}},
        "font": FONT,
        "height": height,
        "margin": {"l": 60, "r": 30, "t": 60, "b": 40},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "meta": {"view": view},
        "hoverlabel": {"font": {"size": 14}},
    }


def make_room(layout: dict, **sides: int) -> None:
    """Set margins that already hold the figure's colorbars, legend and time player (``l``, ``r``, ``t``, ``b`` px).

    Plotly widens a margin that is too small for them, then draws the whole chart a second time. Streamlit draws
    a chart anew whenever its data change, so every press paid that pass (7–11 ms a chart in Chromium). The sizes
    are what Plotly widened them to at the default and the largest configs, in English, plus a few px; a browser
    test checks that no view's margin is widened. A projector's larger fonts, or longer labels, still widen them.
    """
    layout["margin"] = {**layout["margin"], **sides}


def legend_below(**style) -> dict:
    """A legend in a row under the chart, pinned to the figure's bottom edge (container coordinates).

    Plotly reserves its room there, below the x axis's tick labels and title, so they never meet at any font size
    or label length (a legend placed in plot fractions, ``y=-0.2``, ran into the axis title in Chinese and on a
    projector). ``style``: more legend settings (e.g. ``font``).
    """
    return {"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom", **style}


def click_targets(size: int) -> dict:
    """A scatter trace's styling for invisible markers that are there to be clicked (a heatmap cell cannot be
    selected; a marker over it can).

    Plotly draws one SVG element per marker, yet hovers and selects points by their data: with
    ``marker.maxdisplayed`` = 1 it draws a single (invisible) element however many targets there are, and a click
    still selects the point under the cursor. Streamlit draws a chart anew (``Plotly.newPlot``) whenever its data
    change, so the gates view's 1,152 targets at the default cost every redraw 25–45 ms (measured in Chromium).

    Args:
        size: the marker's size in px (what a hover or a click finds).

    Returns:
        ``mode``, ``marker``, ``selected`` and ``unselected`` for the trace's dict.
    """
    invisible = {"marker": {"opacity": 0}}
    marker = {"symbol": "square", "size": size, "opacity": 0, "maxdisplayed": 1}
    return {"mode": "markers", "marker": marker, "selected": invisible, "unselected": invisible}


HIDDEN_AXIS = {"visible": False, "fixedrange": True}  # diagrams drawn in data coordinates: no grid, ticks or zero lines


def base_layout(fig: go.Figure, *, title: str, view: str, height: int) -> go.Figure:
    """Apply the shared look (`layout_dict`) to ``fig``."""
    fig.update_layout(**layout_dict(title=title, view=view, height=height))
    return fig


def unvalidated_figure(traces: list[dict], layout: dict, frames: list[dict] | None = None) -> go.Figure:
    """A figure from plain trace and layout dicts, skipping Plotly's property validation.

    Validation costs ~40 ms for a diagram of a few hundred points, on every slider
    move; building from dicts costs ~2 ms. The tests validate every figure instead
    (``go.Figure(fig.to_dict())`` raises on any invalid property). ``frames``: a time
    player's frames (`explorer.figures.player.time_player`), as dicts or ``Frame`` objects.
    """
    fig = go.Figure(data=traces, layout=layout, _validate=False)
    if frames:
        # Frames given to the constructor (or its public setter) are copied and validated one property at a time
        # even with _validate=False: 2.2 s for a 200-step player; unvalidated Frame objects take 35 ms.
        fig._frame_objs = unvalidated_frames(frames)
    return fig


def unvalidated_frames(frames) -> tuple[go.Frame, ...]:
    """A player's frames as Plotly ``Frame`` objects, unvalidated (see `unvalidated_figure`); ``Frame`` objects
    given pass as they are, so figures for several focused steps can share one player's frames."""
    return tuple(frame if isinstance(frame, go.Frame) else go.Frame(frame, _validate=False) for frame in frames)


MAX_STEP_LABELS = 40  # longer sequences keep numeric ticks (labels would overlap)


def step_ticks(step_labels, *, html: bool = False) -> dict:
    """Axis entries that label steps 1…T with a task's text (``(`` / ``)``, ``▲0.42``), or ``{}``.

    Args:
        step_labels: one label per step in the axis's order, or ``None``.
        html: labels go under the step number on two lines.
    """
    if step_labels is None or len(step_labels) > MAX_STEP_LABELS:
        return {}
    text = [f"{t + 1}<br>{label}" if html else str(label) for t, label in enumerate(step_labels)]
    return {"tickmode": "array", "tickvals": list(range(1, len(text) + 1)), "ticktext": text}


def axis_suffix(row: int) -> str:
    """Plotly's name suffix for row ``row``'s axes in `stacked_rows`: ``x``/``y`` for row 1, ``x2``/``y2`` for row 2…"""
    return "" if row == 1 else str(row)


def stacked_rows(row_heights: list[float], *, spacing: float, titles: list[str]) -> dict:
    """Layout entries for rows stacked on one shared x axis (what ``make_subplots(rows=n, shared_xaxes=True)``
    gives, without its ~40 ms): ``xaxis``…``xaxisN``, ``yaxis``…``yaxisN`` and a title annotation per row.

    Row ``r`` (1-based, top first) draws on ``x{r}``/``y{r}``; only the bottom row shows x tick labels.
    """
    n = len(row_heights)
    usable = 1 - spacing * (n - 1)
    unit = usable / sum(row_heights)
    layout: dict = {"annotations": []}
    top = 1.0
    for r, height in enumerate(row_heights, start=1):
        bottom = max(top - height * unit, 0.0)
        suffix = axis_suffix(r)
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": [0.0, 1.0]}
        if r < n:
            layout[f"xaxis{suffix}"].update(matches=f"x{n}", showticklabels=False)
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": [bottom, top]}
        layout["annotations"].append(
            {
                "text": titles[r - 1],
                "x": 0,
                "xanchor": "left",
                "xref": "paper",
                "y": top,
                "yanchor": "bottom",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": 14},
            }
        )
        top = bottom - spacing
    return layout
