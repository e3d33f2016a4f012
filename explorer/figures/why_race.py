"""Why gates, trained: an LSTM, a GRU and a SimpleRNN learning one task (their held-out loss per snapshot), and a
sweep over the sequence length (each one's final held-out metric against T)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer.figures.style import INK, MUTED, layout_dict, legend_below, unvalidated_figure
from explorer.figures.why import colour_of
from explorer.i18n import _


def make_race_figure(runs, *, baseline_loss: float, metric_name: str, height: int = 380) -> go.Figure:
    """The held-out loss of each model at every snapshot, on one log axis, against the no-memory baseline.

    Args:
        runs: ``(name, snapshots, solved)`` per model: `explorer.training.snapshots.Snapshot` s in step order, and
            whether its last snapshot passes the task's bar (``None`` while it trains).
        baseline_loss: the no-memory baseline's loss (a dashed line).
        metric_name: the task's metric, translated (the hover shows it).

    Returns:
        Traces ``loss:<name>`` per model, then ``baseline``; ``layout.meta.view == "why_race"``.
    """
    traces = []
    for name, snapshots, solved in runs:
        mark = "" if solved is None else (" ✓ " + _("solved") if solved else " ✗ " + _("not solved"))
        traces.append(
            {
                "type": "scatter",
                "x": [s.step for s in snapshots],
                "y": np.round([max(s.loss, 1e-9) for s in snapshots], 6),
                "customdata": np.round([s.metric for s in snapshots], 4),
                "name": name + mark,
                "meta": f"loss:{name}",
                "mode": "lines+markers",
                "marker": {"size": 5},
                "line": {"color": colour_of(name), "width": 3 if name == "LSTM" else 2},
                "hovertemplate": _("step %{x}: loss %{y:.3g}") + f", {metric_name} %{{customdata:.3f}}<extra>{name}</extra>",
            }
        )
    steps = max((s.step for _n, snapshots, _s in runs for s in snapshots), default=1)
    traces.append(_level([0, steps], baseline_loss, _("no memory"), "baseline", "dash"))
    title = _("Held-out loss as they learn (same task, data and seed)")
    xaxis = {"title": {"text": _("training step")}}
    yaxis = {"title": {"text": _("loss (log)")}, "type": "log", "exponentformat": "power"}
    return _figure(traces, title, "why_race", xaxis, yaxis, height)


def make_sweep_figure(points, *, threshold: float, metric_name: str, height: int = 360) -> go.Figure:
    """Each model's final held-out metric against the sequence length T; filled markers passed the bar.

    Args:
        points: ``{name: [(T, metric or None, solved or None), ...]}``: ``None`` while that run trains.
        threshold: the metric's bar (a dotted line).
        metric_name: the task's metric, translated (the y axis).

    Returns:
        Traces ``sweep:<name>`` per model, then ``threshold``; ``layout.meta.view == "why_sweep"``.
    """
    traces, lengths = [], sorted({t for rows in points.values() for t, _m, _s in rows})
    for name, rows in points.items():
        done = [(t, m, s) for t, m, s in sorted(rows) if m is not None]
        traces.append(
            {
                "type": "scatter",
                "x": [t for t, _m, _s in done],
                "y": [round(m, 4) for _t, m, _s in done],
                "name": name,
                "meta": f"sweep:{name}",
                "mode": "lines+markers",
                "marker": {"size": 13, "symbol": ["circle" if s else "circle-open" for _t, _m, s in done], "line": {"width": 2}},
                "line": {"color": colour_of(name), "width": 2},
                "hovertemplate": "T = %{x}: %{y:.3f}<extra>" + name + "</extra>",
            }
        )
    span = [min(lengths, default=0), max(lengths, default=1)]
    traces.append(_level(span, threshold, _("the bar: {value}").format(value=f"{threshold:g}"), "threshold", "dot"))
    title = _("Solved or not, as the sequence grows (● solved, ○ not)")
    xaxis = {"title": {"text": _("timesteps T")}, "tickvals": lengths}
    return _figure(traces, title, "why_sweep", xaxis, {"title": {"text": metric_name}}, height)


def _level(x: list, value: float, name: str, meta: str, dash: str) -> dict:
    """A horizontal line across ``x`` at ``value``: a baseline or a bar to clear."""
    return {"type": "scatter", "x": x, "y": [value, value], "name": name, "meta": meta, "mode": "lines",
            "line": {"color": MUTED, "dash": dash, "width": 1.5}, "hoverinfo": "skip"}  # fmt: skip


def _figure(traces: list, title: str, view: str, xaxis: dict, yaxis: dict, height: int) -> go.Figure:
    """Both charts' frame: gridded axes, the legend in a row below, clear of the x axis's title."""
    layout = layout_dict(title=title, view=view, height=height)
    layout.update(
        xaxis={**xaxis, "gridcolor": "#eeeeee"},
        yaxis={**yaxis, "gridcolor": "#eeeeee"},
        legend=legend_below(font={"color": INK}),
    )
    layout["margin"] = {**layout["margin"], "b": 110}
    return unvalidated_figure(traces, layout)
