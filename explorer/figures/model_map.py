"""The model map: every layer of a learner's real model as a box with its output shape and parameter count, arrows
where tensors flow, the LSTMs the app traces in colour and the one on screen outlined."""

from __future__ import annotations

import plotly.graph_objects as go

from explorer.figures.style import GATE_COLOURS, INK, MUTED, layout_dict, unvalidated_figure
from explorer.formatting import format_shape
from explorer.i18n import _
from explorer.realmodel.structure import Box, Site

BOX_W, BOX_H = 0.42, 0.34  # half-width and half-height of a box, in grid cells
LSTM_FILL, OTHER_FILL = "#dbeaf6", "#f3f3f3"


def _grid(boxes: tuple[Box, ...]) -> dict[str, tuple[int, int]]:
    """Layer name → (column, row): a layer's column is one past its deepest input's; layers of a column stack down."""
    column: dict[str, int] = {}
    for box in boxes:  # the model's order is a topological order
        column[box.name] = 1 + max((column[name] for name in box.inbound if name in column), default=-1)
    rows: dict[int, int] = {}
    place = {}
    for box in boxes:
        c = column[box.name]
        place[box.name] = (c, rows.get(c, 0))
        rows[c] = rows.get(c, 0) + 1
    return place


def _label(box: Box, sites: list[Site]) -> str:
    shapes = ", ".join(format_shape(s) for s in box.output_shapes[:1])
    more = f" +{len(box.output_shapes) - 1}" if len(box.output_shapes) > 1 else ""
    text = f"<b>{box.name}</b><br>{box.kind}<br>{shapes}{more}"
    if box.kind == "Bidirectional(LSTM)" and sites:
        text += f"<br>→ ← merge: {sites[0].merge_mode}"
    return text + "<br>" + _("{n} params").format(n=f"{box.params:,}")


def make_model_map(boxes: tuple[Box, ...], sites: tuple[Site, ...], shown_layer: str = "") -> go.Figure:
    """The map of a real model.

    Args:
        boxes: the model's layers (`RealModel.boxes`), in the model's order.
        sites: the LSTMs the app traces (`RealModel.sites`).
        shown_layer: the layer whose LSTM the views show (outlined), or ``""``.

    Returns:
        A figure with one rectangle per layer in ``layout.shapes`` (traced LSTMs filled blue, the shown one outlined
        thick), arrows as annotations (an encoder's ``h, c`` handed to a decoder dashed and labelled), and one text
        trace ``"layers"`` whose ``customdata`` holds each layer's name; ``layout.meta.view == "model_map"``.
    """
    place = _grid(boxes)
    columns = 1 + max(c for c, _r in place.values())
    rows = 1 + max(r for _c, r in place.values())
    by_layer: dict[str, list[Site]] = {}
    for site in sites:
        by_layer.setdefault(site.layer, []).append(site)
    states_from = {site.layer: site.state_from for site in sites if site.state_from}
    shapes, annotations = [], []
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
            annotations.append(
                {
                    "x": c - BOX_W,
                    "y": -r - (0.12 if state else 0),
                    "ax": sc + BOX_W,
                    "ay": -sr - (0.12 if state else 0),
                    "xref": "x",
                    "yref": "y",
                    "axref": "x",
                    "ayref": "y",
                    "showarrow": True,
                    "arrowhead": 2,
                    "arrowwidth": 2.5 if state else 1.5,
                    "arrowcolor": GATE_COLOURS["c"] if state else INK,
                    "text": "",
                }
            )
            if state:
                annotations.append(
                    {
                        "x": (c + sc) / 2,
                        "y": -(r + sr) / 2 - 0.2,
                        "text": "<b>h, c</b>",
                        "showarrow": False,
                        "font": {"color": GATE_COLOURS["c"], "size": 14},
                        "bgcolor": "white",
                    }
                )
    traces = [
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
        yaxis={"visible": False, "range": [-rows + 0.5, 0.55], "fixedrange": True},
        shapes=shapes,
        annotations=annotations,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    return unvalidated_figure(traces, layout)
