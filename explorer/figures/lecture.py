"""Lecture mode for any figure: text that reads from the back of a room, thicker lines.

One pure transform of a figure's dict (every view, the cell diagram and the training curve go
through it), so the figure functions stay as they are: fonts get a floor and a factor, lines and
markers get thicker, the chart gets taller to keep its proportions.
"""

from __future__ import annotations

import copy

import plotly.graph_objects as go

from explorer.figures.style import unvalidated_figure

MIN_TEXT = 18  # px: axis titles, annotations and labels at least this (read at 1280×720 from the back of a room)
MIN_TICKS = 16
SCALE = 1.3  # every font size × this, then the floors
LINE_SCALE = 1.6


def _font(font: dict | None, floor: int, default: float = 15) -> dict:
    font = dict(font or {})
    size = font.get("size", default)
    if isinstance(size, list | tuple):
        font["size"] = [max(floor, round(s * SCALE)) for s in size]
    else:
        font["size"] = max(floor, round(size * SCALE))
    return font


def _axis(axis: dict) -> dict:
    axis = dict(axis)
    if isinstance(axis.get("title"), dict):
        axis["title"] = {**axis["title"], "font": _font(axis["title"].get("font"), MIN_TEXT)}
    elif isinstance(axis.get("title"), str):
        axis["title"] = {"text": axis["title"], "font": _font(None, MIN_TEXT)}
    axis["tickfont"] = _font(axis.get("tickfont"), MIN_TICKS, 13)
    return axis


def _trace(trace: dict) -> dict:
    trace = dict(trace)
    if "textfont" in trace or str(trace.get("mode", "")).find("text") >= 0:
        trace["textfont"] = _font(trace.get("textfont"), MIN_TEXT)
    if isinstance(trace.get("line"), dict) and isinstance(trace["line"].get("width"), int | float):
        trace["line"] = {**trace["line"], "width": trace["line"]["width"] * LINE_SCALE}
    marker = trace.get("marker")
    if isinstance(marker, dict) and isinstance(marker.get("size"), int | float):
        trace["marker"] = {**marker, "size": marker["size"] * SCALE}
    if isinstance(trace.get("colorbar"), dict):
        trace["colorbar"] = _colorbar(trace["colorbar"])
    return trace


def _colorbar(bar: dict) -> dict:
    bar = dict(bar)
    title = bar.get("title") if isinstance(bar.get("title"), dict) else {"text": bar.get("title", "")}
    bar["title"] = {**title, "font": _font(title.get("font"), MIN_TEXT)}
    bar["tickfont"] = _font(bar.get("tickfont"), MIN_TICKS, 13)
    return bar


def for_lecture(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` for a projector: fonts × 1.3 with floors (18 px text, 16 px ticks), lines × 1.6, taller."""
    spec = fig.to_dict()
    layout = copy.deepcopy(spec.get("layout", {}))
    layout["font"] = _font(layout.get("font"), MIN_TEXT)
    if isinstance(layout.get("title"), dict):
        layout["title"] = {**layout["title"], "font": _font(layout["title"].get("font"), 22, 19)}
    layout["annotations"] = [{**a, "font": _font(a.get("font"), MIN_TEXT)} for a in layout.get("annotations", [])]
    for key in list(layout):
        if key.startswith(("xaxis", "yaxis")) and isinstance(layout[key], dict):
            layout[key] = _axis(layout[key])
        elif key.startswith("coloraxis") and isinstance(layout[key].get("colorbar"), dict):
            layout[key] = {**layout[key], "colorbar": _colorbar(layout[key]["colorbar"])}
        elif key == "scene":
            layout[key] = {k: _axis(v) if k.endswith("axis") else v for k, v in layout[key].items()}
    for menu in ("sliders", "updatemenus"):
        layout[menu] = [{**m, "font": _font(m.get("font"), MIN_TEXT)} for m in layout.get(menu, [])]
    for slider in layout["sliders"]:
        if "currentvalue" in slider:
            slider["currentvalue"] = {**slider["currentvalue"], "font": _font(slider["currentvalue"].get("font"), MIN_TEXT)}
    if isinstance(layout.get("legend"), dict) or "legend" not in layout:
        layout["legend"] = {**layout.get("legend", {}), "font": _font(layout.get("legend", {}).get("font"), MIN_TEXT)}
    layout["hoverlabel"] = {**layout.get("hoverlabel", {}), "font": _font(layout.get("hoverlabel", {}).get("font"), MIN_TEXT)}
    if isinstance(layout.get("height"), int | float):
        layout["height"] = round(layout["height"] * 1.1)
    margin = layout.get("margin", {})
    layout["margin"] = {**margin, "t": round(margin.get("t", 60) * 1.3)}
    return unvalidated_figure([_trace(t) for t in spec.get("data", [])], layout, spec.get("frames"))
