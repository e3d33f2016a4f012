"""The model map: every layer of a learner's real model as a box with its output shape and parameter count, arrows
where tensors flow, the LSTMs the app traces in colour and the one on screen outlined."""

from __future__ import annotations

import plotly.graph_objects as go

from explorer.figures.style import GATE_COLOURS, INK, MUTED, layout_dict, unvalidated_figure
from explorer.formatting import format_shape
from explorer.i18n import _
from explorer.realmodel.structure import Box, Site

BOX_W, BOX_H = 0.39, 0.34  # half-width and half-height of a box, in grid cells
LSTM_FILL, OTHER_FILL = "#dbeaf6", "#f3f3f3"


def _grid(boxes: tuple[Box, ...]) -> dict[str, tuple[int, int]]:
    """Layer name → (column, row): a layer's column is one past its deepest input's; layers of a column stack down."""
    column: dict[str, int] = {}
    for box in boxes:  # the model's order is a topological order
        column[box.name] = 1 + max((column[name] for name in box.inbound if name in column), default=-1)
    for box in boxes:  # an input sits just before the first layer that reads it (a decoder's, beside the encoder)
        if not box.inbound:
            readers = [column[b.name] for b in boxes if box.name in b.inbound]
            column[box.name] = max(min(readers, default=1) - 1, 0)
    rows: dict[int, int] = {}
    place = {}
    for box in sorted(boxes, key=lambda b: not b.inbound):  # layers first in their column, inputs below them
        c = column[box.name]
        place[box.name] = (c, rows.get(c, 0))
        rows[c] = rows.get(c, 0) + 1
    return place


def _label(box: Box, sites: list[Site]) -> str:
    shapes = ", ".join(format_shape(s) for s in box.output_shapes[:1])
    more = f" +{len(box.output_shapes) - 1}" if len(box.output_shapes) > 1 else ""
    text = f"<b>{box.name}</b><br>{box.kind}<br>{shapes}{more}"
    if box.kind == "Bidirectional(LSTM)" and sites:
        text += f"<br>merge_mode={sites[0].merge_mode}"  # (the arrows made the line wider than its box)
    return text + "<br>" + _("{n} params").format(n=f"{box.params:,}")


def _arrow_traces(flows: dict[str, list[tuple]], handovers: list[tuple[float, float]]) -> list[dict]:
    """The arrows as a few traces (annotations draw ~10× slower): per kind a line trace, and its heads as markers that
    point along each arrow (``angleref="previous"``; the tail's marker has size 0); the hand-overs' "h, c" as text."""
    traces = []
    for kind, arrows in flows.items():
        if not arrows:
            continue
        colour, width = (GATE_COLOURS["c"], 2.5) if kind == "state" else (INK, 1.5)
        xs = [v for x0, _y0, x1, _y1 in arrows for v in (x0, x1, None)]
        ys = [v for _x0, y0, _x1, y1 in arrows for v in (y0, y1, None)]
        traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": f"{kind} arrows", "hoverinfo": "skip",
                       "line": {"color": colour, "width": width}})  # fmt: skip
        traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "markers", "name": f"{kind} arrowheads",
                       "hoverinfo": "skip", "marker": {"symbol": "arrow", "angleref": "previous", "color": colour,
                                                       "size": [0, 11, 0] * len(arrows)}})  # fmt: skip
    if handovers:
        traces.append({"type": "scatter", "x": [x for x, _y in handovers], "y": [y for _x, y in handovers], "mode": "text",
                       "text": ["<b>h, c</b>"] * len(handovers), "name": "hand-over", "hoverinfo": "skip",
                       "textfont": {"color": GATE_COLOURS["c"], "size": 14}})  # fmt: skip
    return traces


def make_model_map(boxes: tuple[Box, ...], sites: tuple[Site, ...], shown_layer: str = "") -> go.Figure:
    """The map of a real model.

    Args:
        boxes: the model's layers (`RealModel.boxes`), in the model's order.
        sites: the LSTMs the app traces (`RealModel.sites`).
        shown_layer: the layer whose LSTM the views show (outlined), or ``""``.

    Returns:
        A figure with one rectangle per layer in ``layout.shapes`` (traced LSTMs filled blue, the shown one outlined
        thick), arrows as line and marker traces (``"tensor arrows"``; an encoder's ``h, c`` handed to a decoder in
        ``"state arrows"``, labelled by the text trace ``"hand-over"``), and one text trace ``"layers"`` whose
        ``customdata`` holds each layer's name; ``layout.meta.view == "model_map"``.
    """
    place = _grid(boxes)
    columns = 1 + max(c for c, _r in place.values())
    rows = 1 + max(r for _c, r in place.values())
    by_layer: dict[str, list[Site]] = {}
    for site in sites:
        by_layer.setdefault(site.layer, []).append(site)
    states_from = {site.layer: site.state_from for site in sites if site.state_from}
    shapes: list[dict] = []
    flows: dict[str, list[tuple]] = {"tensor": [], "state": []}  # arrows: (x0, y0, x1, y1)
    handovers: list[tuple[float, float]] = []  # where "h, c" is written
    xs, ys, texts, names, hovers = [], [], [], [], []
    for box in boxes:
        c, r = place[box.name]
        traced = box.name in by_layer
        shown = box.name == shown_layer
        shapes.append(
            {
                "type": "rect",
                "x0": c - BOX_W,
                "x1": c + BOX_W,
                "y0": -r - BOX_H,
                "y1": -r + BOX_H,
                "fillcolor": LSTM_FILL if traced else OTHER_FILL,
                "line": {"color": GATE_COLOURS["i"] if traced else MUTED, "width": 5 if shown else (2 if traced else 1)},
                "layer": "below",
            }
        )
        xs.append(c)
        ys.append(-r)
        texts.append(_label(box, by_layer.get(box.name, [])))
        names.append(box.name)
        hovers.append(f"<b>{box.name}</b> · {box.kind}<br>{box.detail}" if box.detail else f"<b>{box.name}</b> · {box.kind}")
        handed = set(states_from.get(box.name, "").split(", ")) - {""}
        for source in (name for name in box.inbound if name in place):
            sc, sr = place[source]
            state = source in handed
            lift = 0.12 if state else 0.0
            flows["state" if state else "tensor"].append((sc + BOX_W, -sr - lift, c - BOX_W, -r - lift))
            if state:
                handovers.append(((c + sc) / 2, -(r + sr) / 2 + BOX_H + 0.1))  # above the boxes, over the arrow
    traces = _arrow_traces(flows, handovers)
    traces += [
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "mode": "text",
            "text": texts,
            "textfont": {"size": 12, "color": INK},
            "customdata": names,
            "hovertext": hovers,
            "hoverinfo": "text",
            "name": "layers",
        }
    ]
    layout = layout_dict(title="", view="model_map", height=40 + 110 * rows)  # the expander around it has the title
    layout.update(
        xaxis={"visible": False, "range": [-0.55, columns - 0.45], "fixedrange": True},
        yaxis={"visible": False, "range": [-rows + 0.5, 0.6], "fixedrange": True},
        shapes=shapes,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    return unvalidated_figure(traces, layout)
