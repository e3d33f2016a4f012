"""A learner's held-out series: the truth, the model's forecast and the naive one, in the data's own units."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer.figures.style import INK, OKABE_ITO, layout_dict, legend_below, unvalidated_figure
from explorer.i18n import _

MAX_POINTS = 600  # consecutive held-out targets drawn at most (the errors count them all)
MODEL, NAIVE = OKABE_ITO[0], OKABE_ITO[1]


def make_forecast_figure(forecast, *, target: str, horizon: int, height: int = 380) -> go.Figure:
    """The first `MAX_POINTS` held-out targets with the model's and the naive forecast of each.

    Args:
        forecast: a `explorer.yourdata.forecast.Forecast`.
        target: the forecast column's name (the y axis).
        horizon: steps ahead (the title).

    Returns:
        Traces ``truth``, ``model``, ``naive`` (x: the row number, 1-based); ``layout.meta.view == "forecast"``.
    """
    n = min(MAX_POINTS, len(forecast.rows))
    x = forecast.rows[:n] + 1
    naive_name = (
        _("naive: the value one season ({season} rows) before").format(season=forecast.season)
        if forecast.season
        else _("naive: the last value")
    )
    traces = [
        {
            "type": "scatter",
            "x": x,
            "y": forecast.truth[:n],
            "name": _("truth"),
            "mode": "lines",
            "line": {"color": INK, "width": 2},
        },
        {
            "type": "scatter",
            "x": x,
            "y": forecast.model[:n],
            "name": _("model (RMSE {error:.4g})").format(error=forecast.model_rmse),
            "mode": "lines",
            "line": {"color": MODEL, "width": 2.5},
        },
        {
            "type": "scatter",
            "x": x,
            "y": forecast.naive[:n],
            "name": naive_name + f" (RMSE {forecast.naive_rmse:.4g})",
            "mode": "lines",
            "line": {"color": NAIVE, "width": 2, "dash": "dot"},
        },
    ]
    for trace, meta in zip(traces, ("truth", "model", "naive"), strict=True):
        trace["meta"] = meta
        trace["y"] = np.round(np.asarray(trace["y"], np.float64), 6)  # a small payload
    title = _("Held-out part: {steps} step(s) ahead, rows {first}–{last}").format(steps=horizon, first=int(x[0]), last=int(x[-1]))
    layout = layout_dict(title=title, view="forecast", height=height)
    layout.update(
        xaxis={"title": {"text": _("row of your series")}, "gridcolor": "#eeeeee"},
        yaxis={"title": {"text": target}, "gridcolor": "#eeeeee"},
        legend=legend_below(font={"color": INK}),  # clear of the axis title, projector fonts too
        hovermode="x unified",
    )
    layout["margin"] = {**layout["margin"], "b": 110}
    return unvalidated_figure(traces, layout)
