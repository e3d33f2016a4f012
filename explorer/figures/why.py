"""Why gates: how much of the loss's gradient reaches each step, for an LSTM, a GRU and a SimpleRNN of one size, and
the LSTM's cell path (the forget gates' product) beside it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer.figures.style import (
    GATE_COLOURS,
    INK,
    MUTED,
    OKABE_ITO,
    axis_suffix,
    layout_dict,
    legend_below,
    stacked_rows,
    unvalidated_figure,
)
from explorer.i18n import _

KIND_COLOURS = {"LSTM": OKABE_ITO[0], "GRU": OKABE_ITO[2], "SimpleRNN": OKABE_ITO[5]}
OTHER_LSTMS = {"LSTM, b_f = 0": OKABE_ITO[4], "LSTM, b_f = 3": OKABE_ITO[3]}  # a light blue, a purple


def colour_of(name: str) -> str:
    """A model's line colour: by its kind, and each LSTM with a chosen forget bias its own."""
    return KIND_COLOURS.get(name) or OTHER_LSTMS.get(name, INK)


FLOOR = 1e-30  # a gradient of exactly 0 has no place on a log axis: drawn at the floor


def _positive(values) -> np.ndarray:
    return np.round(np.maximum(np.asarray(values, np.float64), FLOOR), 9 + 30)


def make_why_figure(contenders, *, trained_step: int | None = None, height: int = 620, title: str = "") -> go.Figure:
    """Two rows on one step axis: ``‖∂L/∂x_t‖`` of each model (log), and the LSTM's ``f_{t+1}·…·f_T`` (log).

    Args:
        contenders: `explorer.whygates.compare.Contender` s, the LSTM first.
        trained_step: the LSTM's training step (``None``: as initialised).
        title: the chart's title (default: says which weights the LSTM has).

    Returns:
        Traces ``gradient:<kind>`` (row 1), then ``forget:mean`` and ``forget:max`` (row 2, the unit whose product
        at step 1 is largest); ``layout.meta.view == "why"``.
    """
    steps = np.arange(1, len(contenders[0].gradient.dx) + 1)
    traces = []
    for c in contenders:
        traces.append(
            {
                "type": "scatter",
                "x": steps,
                "y": _positive(c.gradient.dx),
                "name": _("{kind}, {units} units, {params} parameters").format(
                    kind=c.name, units=c.units, params=f"{c.params:,}"
                ),
                "meta": f"gradient:{c.name}",
                "mode": "lines+markers",
                "marker": {"size": 5},
                "line": {"color": colour_of(c.name), "width": 3 if c.kind == "LSTM" else 2},
                "hovertemplate": "t = %{x}: %{y:.3g}<extra>" + c.name + "</extra>",
            }
        )
    lstm = contenders[0].gradient
    product = lstm.forget_product[0]  # (T, U)
    best = lstm.remembering_unit
    suffix = axis_suffix(2)
    for meta, values, name, dash in (
        ("forget:mean", product.mean(axis=1), _("f(t+1)·…·f(T), mean over units"), "dot"),
        ("forget:max", product[:, best], _("f(t+1)·…·f(T) of unit {unit} (it keeps the most)").format(unit=best), "solid"),
    ):
        traces.append(
            {
                "type": "scatter",
                "x": steps,
                "y": _positive(values),
                "name": name,
                "meta": meta,
                "mode": "lines",
                "line": {"color": GATE_COLOURS["f"], "width": 2.5, "dash": dash},
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "hovertemplate": "t = %{x}: %{y:.3g}<extra></extra>",
            }
        )
    weights = _("as initialised") if trained_step is None else _("after training step {step}").format(step=trained_step)
    title = title or _("How much of the loss's gradient reaches step t ({weights})").format(weights=weights)
    layout = layout_dict(title=title, view="why", height=height)
    layout.update(
        stacked_rows(
            [1.2, 1.0],
            spacing=0.16,
            titles=[
                _("‖∂L/∂x_t‖ (log): the loss's pull on each input step"),
                _("The LSTM's cell path: ∂c_T/∂c_t along c is the product of the forget gates (log)"),
            ],
        )
    )
    layout["xaxis2"].update(title={"text": _("input step t")}, gridcolor="#eeeeee")
    layout["xaxis"].update(gridcolor="#eeeeee")
    layout["yaxis"].update(type="log", gridcolor="#eeeeee", exponentformat="power")
    layout["yaxis2"].update(type="log", gridcolor="#eeeeee", exponentformat="power")
    layout["legend"] = legend_below(font={"color": INK})
    layout["hovermode"] = "x unified"
    for annotation in layout["annotations"]:
        annotation["font"] = {"size": 14, "color": MUTED}
    layout["margin"] = {**layout["margin"], "b": 120}
    return unvalidated_figure(traces, layout)
