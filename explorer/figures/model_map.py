"""The model map: every layer of a learner's real model as a box with its output shape and parameter count, arrows
where tensors flow, the LSTMs the app traces in colour and the one on screen outlined.

It is drawn as one small SVG, not a Plotly chart: it changes with every press of a size slider, and the browser
draws an SVG of a few boxes in about a millisecond, where each Plotly chart costs tens (twice over: Streamlit draws
a new chart, then again once its theme is applied). A real model's press drew the map first, ahead of its charts.
"""

from __future__ import annotations

from html import escape

from explorer.figures.style import FONT, GATE_COLOURS, INK, MUTED
from explorer.formatting import format_shape
from explorer.i18n import _
from explorer.realmodel.structure import Box, Site

CELL_W, CELL_H = 190, 112  # one grid cell of the map, in SVG units (a box and the gap after it)
BOX_W, BOX_H = 150, 84  # a layer's box
PAD = 8
LSTM_FILL, OTHER_FILL = "#dbeaf6", "#f3f3f3"
LINE_H = 15  # text line height; the font is 12 units
BOLD = ' font-weight="bold"'


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


def _lines(box: Box, sites: list[Site]) -> list[str]:
    """The box's text, a line each: name (drawn bold), kind, first output shape, merge mode, parameters."""
    shapes = ", ".join(format_shape(s) for s in box.output_shapes[:1])
    more = f" +{len(box.output_shapes) - 1}" if len(box.output_shapes) > 1 else ""
    lines = [box.name, box.kind, f"{shapes}{more}"]
    if box.kind == "Bidirectional(LSTM)" and sites:
        lines.append(f"merge_mode={sites[0].merge_mode}")
    return [*lines, _("{n} params").format(n=f"{box.params:,}")]


def _centre(place: tuple[int, int]) -> tuple[float, float]:
    column, row = place
    return PAD + column * CELL_W + BOX_W / 2, PAD + row * CELL_H + BOX_H / 2


def _box(box: Box, place: tuple[int, int], sites: list[Site], shown: bool) -> str:
    x, y = _centre(place)
    traced = bool(sites)
    stroke = GATE_COLOURS["i"] if traced else MUTED
    width = 5 if shown else (2 if traced else 1)
    hover = f"{box.name} · {box.kind}" + (f"\n{box.detail}" if box.detail else "")
    lines = _lines(box, sites)
    top = y - (len(lines) - 1) * LINE_H / 2
    spans = "".join(
        f'<tspan x="{x:g}" y="{top + k * LINE_H:g}"{BOLD if k == 0 else ""}>{escape(line)}</tspan>'
        for k, line in enumerate(lines)
    )
    return (
        f'<g class="layer" data-layer="{escape(box.name)}" data-traced="{int(traced)}" data-shown="{int(shown)}">'
        f"<title>{escape(hover)}</title>"
        f'<rect x="{x - BOX_W / 2:g}" y="{y - BOX_H / 2:g}" width="{BOX_W}" height="{BOX_H}" rx="3" '
        f'fill="{LSTM_FILL if traced else OTHER_FILL}" stroke="{stroke}" stroke-width="{width}"/>'
        f'<text text-anchor="middle" dominant-baseline="central">{spans}</text></g>'
    )


def _arrow(start: tuple[int, int], end: tuple[int, int], state: bool) -> str:
    """An arrow from the right edge of one box to the left edge of another; an encoder's ``h, c`` one a little higher,
    in the cell state's colour, labelled above the boxes."""
    (x0, y0), (x1, y1) = _centre(start), _centre(end)
    lift = 14 if state else 0
    x0, x1, y0, y1 = x0 + BOX_W / 2, x1 - BOX_W / 2 - 2, y0 - lift, y1 - lift
    kind = "state" if state else "tensor"
    line = (
        f'<line class="{kind}-arrow" x1="{x0:g}" y1="{y0:g}" x2="{x1:g}" y2="{y1:g}" '
        f'stroke="{GATE_COLOURS["c"] if state else INK}" stroke-width="{2.5 if state else 1.5}" marker-end="url(#{kind}-head)"/>'
    )
    if not state:
        return line
    label_y = min(y0, y1) - BOX_H / 2 + lift - 6  # above the boxes, over the arrow
    return line + (
        f'<text class="hand-over" x="{(x0 + x1) / 2:g}" y="{label_y:g}" text-anchor="middle" font-weight="bold" '
        f'font-size="14" fill="{GATE_COLOURS["c"]}">h, c</text>'
    )


def _heads() -> str:
    return (
        "<defs>"
        + "".join(
            f'<marker id="{kind}-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            for kind, colour in (("tensor", INK), ("state", GATE_COLOURS["c"]))
        )
        + "</defs>"
    )


def make_model_map(boxes: tuple[Box, ...], sites: tuple[Site, ...], shown_layer: str = "") -> str:
    """The map of a real model, as an SVG document.

    Args:
        boxes: the model's layers (`RealModel.boxes`), in the model's order.
        sites: the LSTMs the app traces (`RealModel.sites`).
        shown_layer: the layer whose LSTM the views show (outlined thick), or ``""``.

    Returns:
        ``<svg data-view="model_map">``: per layer a ``<g class="layer" data-layer=name>`` (its box, its text, its
        Keras details as the tooltip; traced LSTMs filled blue, the shown one outlined thick), tensors as
        ``<line class="tensor-arrow">``, an encoder's ``h, c`` handed to a decoder as ``<line class="state-arrow">``
        labelled by ``<text class="hand-over">``. It scales with its container's width, up to its natural size.
    """
    place = _grid(boxes)
    columns = 1 + max(c for c, _r in place.values())
    rows = 1 + max(r for _c, r in place.values())
    by_layer: dict[str, list[Site]] = {}
    for site in sites:
        by_layer.setdefault(site.layer, []).append(site)
    states_from = {site.layer: set(site.state_from.split(", ")) - {""} for site in sites if site.state_from}
    arrows = [
        _arrow(place[source], place[box.name], source in states_from.get(box.name, set()))
        for box in boxes
        for source in box.inbound
        if source in place
    ]
    shapes = [_box(box, place[box.name], by_layer.get(box.name, []), box.name == shown_layer) for box in boxes]
    width, height = 2 * PAD + (columns - 1) * CELL_W + BOX_W, 2 * PAD + (rows - 1) * CELL_H + BOX_H + 22
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" data-view="model_map" viewBox="0 -22 {width} {height}" '
        f'style="width:100%;max-width:{width * 1.25:g}px;height:auto;display:block;margin:auto" role="img" '
        f'font-family="{escape(FONT["family"])}" font-size="12" fill="{INK}">\n'  # (a line of its own: Markdown's HTML block)
        + _heads()
        + "".join(arrows)
        + "".join(shapes)
        + "</svg>"
    )
