"""Why gates, trained: an LSTM, a GRU and a SimpleRNN learning one task (their held-out loss per snapshot), and a
sweep over the sequence length (each one's final held-out metric against T)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer.figures.style import INK, MUTED, layout_dict, unvalidated_figure
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
    traces.append(
        {
            "type": "scatter",
            "x": [0, steps],
            "y": [baseline_loss, baseline_loss],
            "name": _("no memory"),
            "meta": "baseline",
            "mode": "lines",
            "line": {"color": MUTED, "dash": "dash", "width": 1.5},
            "hoverinfo": "skip",
        }
    )
    layout = layout_dict(title=_("Held-out loss as they learn (same task, data and seed)"), view="why_race", height=height)
    layout.update(
        xaxis={"title": {"text": _("training step")}, "gridcolor": "#eeeeee"},
        yaxis={"title": {"text": _("loss (log)")}, "type": "log", "gridcolor": "#eeeeee", "exponentformat": "power"},
        legend={"orientation": "h", "y": -0.3, "x": 0, "font": {"color": INK}},
    )
    layout["margin"] = {**layout["margin"], "b": 110}
    return unvalidated_figure(traces, layout)


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
    traces.append(
        {
            "type": "scatter",
            "x": [min(lengths, default=0), max(lengths, default=1)],
            "y": [threshold, threshold],
            "name": _("the bar: {value}").format(value=f"{threshold:g}"),
            "meta": "threshold",
            "mode": "lines",
            "line": {"color": MUTED, "dash": "dot", "width": 1.5},
            "hoverinfo": "skip",
        }
    )
    layout = layout_dict(title=_("Solved or not, as the sequence grows (● solved, ○ not)"), view="why_sweep", height=height)
    layout.update(
        xaxis={"title": {"text": _("timesteps T")}, "tickvals": lengths, "gridcolor": "#eeeeee"},
        yaxis={"title": {"text": metric_name}, "gridcolor": "#eeeeee"},
        legend={"orientation": "h", "y": -0.3, "x": 0, "font": {"color": INK}},
    )
    layout["margin"] = {**layout["margin"], "b": 110}
    return unvalidated_figure(traces, layout)
