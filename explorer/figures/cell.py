"""The LSTM cell as textbooks draw it, with one step's live numbers on it.

Left: the diagram for the focused unit — the cell-state line along the top, the
three sigmoid gates and the candidate, the × and + nodes, ``tanh(c_t)`` and the
output gate — each gate's pre-activation split into its input, recurrent and
bias shares, then the equations with the numbers filled in. Right: the same step
for every unit of the layer (the vector the unit belongs to), one bar chart per
gate. A time player steps through the sequence in the browser.

Static parts (wires, boxes, symbols) are shapes and one text trace; everything
that changes with the step lives in a few traces (`DYNAMIC`) that the player's
frames replace.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer.cell.anatomy import CellStep
from explorer.cell.equations import SYMBOLS, equations, gate_form, number
from explorer.figures.gates import unit_window
from explorer.figures.player import player_controls, player_frames
from explorer.figures.style import GATE_COLOURS, INK, MUTED, layout_dict, unvalidated_figure, unvalidated_frames
from explorer.i18n import NC_, _, pgettext

# Diagram coordinates (x 0…10, y −5…10): gate boxes on a row, the c line on top, the h bus below.
C_LINE, BUS, BOX_Y, BOX_W, BOX_H = 8.6, 2.6, 5.6, 0.68, 0.5
GATE_X = {"f": 2.1, "i": 3.8, "g": 5.5, "o": 7.2}
PRODUCT_IG, PLUS, FORGET = (4.65, 7.2), (4.65, C_LINE), (2.1, C_LINE)
SQUASH, OUT_PRODUCT, H_OUT_Y, H_UP_X = (8.2, 7.4), (8.2, 6.4), 1.8, 9.4
EQUATION_GAP = 1.0  # equations: their own hidden axes (x8, y8), one line per unit of y
BAR_ROWS = ("i", "f", "g", "o", "c", "h")
BAR_CONTEXT = "cell view bar title"  # a gate's or state's name over its bars: 输入门, 细胞状态 (not the graph's row labels)
BAR_TITLES = {
    "i": NC_("cell view bar title", "input"), "f": NC_("cell view bar title", "forget"),
    "g": NC_("cell view bar title", "candidate"), "o": NC_("cell view bar title", "output"),
    "c": NC_("cell view bar title", "cell"), "h": NC_("cell view bar title", "hidden"),
}  # fmt: skip
# Paper heights, top to bottom: the diagram, the layer's units (one small bar chart per gate), the equations.
DIAGRAM_HEIGHT, BARS_HEIGHT, EQUATIONS_HEIGHT = (0.47, 1.0), (0.31, 0.42), (0.0, 0.24)
DYNAMIC = ("numbers", "equations", *(f"bars {g}" for g in BAR_ROWS))  # the traces a frame replaces, in order


def _wire(x0, y0, x1, y1, colour=INK, width=2.5) -> dict:
    return {"type": "line", "x0": x0, "y0": y0, "x1": x1, "y1": y1, "line": {"color": colour, "width": width}, "layer": "below"}


def _box(x, y, w, h, colour, fill="white", width=2.5) -> dict:
    return {
        "type": "rect",
        "x0": x - w,
        "x1": x + w,
        "y0": y - h,
        "y1": y + h,
        "line": {"color": colour, "width": width},
        "fillcolor": fill,
        "layer": "below",
    }


def _circle(x, y, r=0.32) -> dict:
    return {
        "type": "circle",
        "x0": x - r,
        "x1": x + r,
        "y0": y - r * 1.25,
        "y1": y + r * 1.25,
        "line": {"color": INK, "width": 2},
        "fillcolor": "white",
        "layer": "below",
    }


def _shapes(step: CellStep) -> list[dict]:
    """Wires, boxes and nodes: the same for every step of a layer."""
    shapes = [_box(5.1, 5.4, 3.8, 3.9, "#bbbbbb", fill="#f7f7f7", width=1.5)]  # the cell body
    shapes += [_wire(0.0, C_LINE, 10.0, C_LINE, GATE_COLOURS["c"], 4)]  # the cell state runs along the top
    shapes += [_wire(0.0, BUS, GATE_X["o"] - 0.35, BUS), _wire(1.0, 0.6, 1.0, BUS)]  # h_{t-1} in, x_t joins it
    for g, x in GATE_X.items():
        shapes.append(_wire(x - 0.35, BUS, x - 0.35, BOX_Y - BOX_H))  # [h_{t-1}, x_t] feeds every gate
        shapes.append(_box(x, BOX_Y, BOX_W, BOX_H, GATE_COLOURS[g], width=3))
    shapes += [
        _wire(GATE_X["f"], BOX_Y + BOX_H, *FORGET),
        _wire(GATE_X["i"], BOX_Y + BOX_H, *PRODUCT_IG),
        _wire(GATE_X["g"], BOX_Y + BOX_H, *PRODUCT_IG),
        _wire(*PRODUCT_IG, *PLUS),
        _wire(SQUASH[0], C_LINE, *SQUASH),
        _wire(*SQUASH, *OUT_PRODUCT),
        _wire(GATE_X["o"], BOX_Y + BOX_H, *OUT_PRODUCT),
        _wire(OUT_PRODUCT[0], OUT_PRODUCT[1], OUT_PRODUCT[0], H_OUT_Y),
        _wire(OUT_PRODUCT[0], H_OUT_Y, 10.0, H_OUT_Y),
        _wire(H_UP_X, H_OUT_Y, H_UP_X, 9.7),
    ]
    shapes += [_circle(*node) for node in (FORGET, PRODUCT_IG, PLUS, OUT_PRODUCT)]
    shapes.append(_box(*SQUASH, 0.42, 0.3, INK, width=2))
    return shapes


def _fixed_labels(step: CellStep) -> dict:
    """Symbols and names that do not change with the step: one text trace."""
    items = [
        (*FORGET, "×", 20),
        (*PRODUCT_IG, "×", 20),
        (*PLUS, "+", 22),
        (*OUT_PRODUCT, "×", 20),
        (*SQUASH, SYMBOLS.get(step.activation) or "id", 14),
    ]
    for g, x in GATE_X.items():
        act = step.gates[g].activation
        items.append((x, BOX_Y + 0.22, SYMBOLS.get(act) or "linear", 14))
    items += [
        (0.05, C_LINE - 0.45, _("cell state"), 13),
        (H_UP_X, 9.95, "hₜ ↑ " + _("output"), 13),
    ]
    x, y, text, size = zip(*items, strict=True)
    return _text_trace("symbols", x, y, text, size=size)


def _text_trace(name: str, x, y, text, *, size, position=None) -> dict:
    """Labels in diagram coordinates as one text trace (cheaper to draw and to animate than annotations)."""
    trace = {
        "type": "scatter",
        "x": x,
        "y": y,
        "text": text,
        "mode": "text",
        "name": name,
        "hoverinfo": "skip",
        "textfont": {"size": size, "color": INK},
        "cliponaxis": False,
    }
    if position is not None:
        trace["textposition"] = position
    return trace


def _numbers(step: CellStep, label: str | None = None) -> dict:
    """Every number on the diagram for this step: one text trace (a frame replaces it whole)."""
    g = step.gates
    u = step.unit
    items = [  # (x, y, text, position)
        (0.0, C_LINE + 0.45, f"cₜ₋₁ = {number(step.c_prev_unit)}", "middle right"),
        (10.0, C_LINE + 0.45, f"cₜ = {number(step.c)}", "middle left"),
        (0.0, BUS + 0.4, f"hₜ₋₁ = {number(step.h_prev_unit)}", "middle right"),
        (10.0, H_OUT_Y + 0.4, f"hₜ = {number(step.h)}", "middle left"),
        (1.0, 0.15, _input_text(step.x, label), "middle center"),
        (FORGET[0] + 0.4, C_LINE - 0.55, f"f·cₜ₋₁ = {number(g['f'].value * step.c_prev_unit)}", "middle right"),
        (PRODUCT_IG[0] - 0.4, PRODUCT_IG[1], f"i·g = {number(g['i'].value * g['g'].value)}", "middle left"),
        (SQUASH[0] - 0.5, SQUASH[1], f"{number(step.squashed_c)} =", "middle left"),
    ]
    for name, x in GATE_X.items():
        gate = g[name]
        items.append((x, BOX_Y - 0.2, f"<b>{name} = {number(gate.value, 2)}</b>", "middle center"))
        shares = [f"W·x {number(gate.from_x, 2)}", f"U·h {number(gate.from_h, 2)}"]
        shares.append(f"b {number(gate.bias, 2)}" if step.use_bias else _("no bias"))
        shares.append(f"z = {number(gate.z, 2)}")
        for k, share in enumerate(shares):
            items.append((x - 0.25, BOX_Y - BOX_H - 0.45 - 0.5 * k, share, "middle right"))
    direction = _(", read backwards: the cell's {k}ᵗʰ step").format(k=step.position) if step.backwards else ""
    heading = _("<b>unit {unit}</b> of lstm_{layer} at input step t = {t}").format(unit=u, layer=step.layer + 1, t=step.step)
    heading += direction
    items.append((0.0, 10.35, heading, "middle right"))
    x, y, text, position = zip(*items, strict=True)
    return _text_trace("numbers", x, y, text, size=15, position=position)


def _input_text(x: np.ndarray, label: str | None = None, shown: int = 3) -> str:
    """``xₜ = [0.52, −0.93, …]  (3 values)``; with a task's label: ``xₜ = "(" = [1.00, 0.00]``."""
    values = ", ".join(number(v, 2) for v in x[:shown]) + (", …" if len(x) > shown else "")
    if label is not None:
        return f"xₜ = <b>{label}</b> = [{values}]"
    return f"xₜ = [{values}]  " + _("({n} values)").format(n=len(x))


def _equations(step: CellStep) -> dict:
    lines = [gate_form(step), *equations(step, symbolic=False)]
    return {
        "type": "scatter",
        "x": [0.0] * len(lines),
        "y": [-EQUATION_GAP * k for k in range(len(lines))],
        "xaxis": "x8",
        "yaxis": "y8",
        "text": lines,
        "mode": "text",
        "name": "equations",
        "hoverinfo": "skip",
        "textposition": "middle right",
        "textfont": {"size": 16, "color": INK, "family": "'DejaVu Sans Mono', Menlo, Consolas, monospace"},
        "cliponaxis": False,
    }


def _bars(step: CellStep, shown: range) -> list[dict]:
    """Per gate, the whole layer at this step (a window of units around the focused one)."""
    out = []
    for row, g in enumerate(BAR_ROWS, start=2):
        values = step.all_units[g][shown.start : shown.stop]
        colours = [INK if u == step.unit else GATE_COLOURS[g] for u in shown]
        out.append(
            {
                "type": "bar",
                "x": np.array(shown),
                "y": values,
                "name": f"bars {g}",
                "xaxis": f"x{row}",
                "yaxis": f"y{row}",
                "marker": {"color": colours},
                "hovertemplate": f"{g}: %{{y:.3f}}<br>" + _("unit") + " %{x}<extra></extra>",
            }
        )
    return out


def _dynamic(step: CellStep, shown: range, labels=None) -> list[dict]:
    label = None if labels is None else labels[step.step - 1]
    return [_numbers(step, label), _equations(step), *_bars(step, shown)]


def make_cell_frames(steps: list[CellStep], *, max_units: int = 32, step_labels=None) -> tuple[go.Frame, ...]:
    """The cell diagram's time player frames over ``steps`` (one per input step, named ``"1"`` … ``"T"``).

    They are the same whichever step is focused, so a page that shows one (layer, sample, unit) at several steps can
    make them once and pass them to `make_cell_figure` (arguments as there). Most of the figure: at T = 50, 193 of
    its 221 KB.
    """
    shown = unit_window(len(steps[0].all_units["h"]), steps[0].unit, max_units)
    return unvalidated_frames(
        player_frames(
            [_dynamic(s, shown, step_labels) for s in steps],
            traces=list(range(1, 1 + len(DYNAMIC))),
            labels=[str(s.step) for s in steps],
        )
    )


def make_cell_figure(
    step: CellStep,
    steps: list[CellStep] | None = None,
    *,
    max_units: int = 32,
    step_labels=None,
    frames: tuple[go.Frame, ...] | None = None,
) -> go.Figure:
    """The cell diagram with ``step``'s numbers, the layer's units under it, the equations, and a player over ``steps``.

    Args:
        step: the focused (layer, sample, input step, unit), from `explorer.cell.anatomy.cell_step`.
        steps: the same focus at every input step 1 … T, for the time player; ``None`` = no player.
        max_units: the bar charts show at most this many units, a window around the focused one.
        step_labels: a task's input at each input step as text (data order: ``(`` / ``)``) for the first layer,
            shown beside ``xₜ``; ``None`` for other layers and plain sample sequences.
        frames: `make_cell_frames` of the same ``steps`` and options (kept from another focused step), or
            ``None`` to make them here.

    Returns:
        A figure with ``layout.meta.view == "cell"``; traces named ``numbers`` (the diagram's values),
        ``equations`` (the gates' form, then six lines), ``bars i`` … ``bars h``; frames named
        ``"1"`` … ``"T"`` when ``steps`` is given.
    """
    U = len(step.all_units["h"])
    shown = unit_window(U, step.unit, max_units)
    traces = [_fixed_labels(step), *_dynamic(step, shown, step_labels)]
    title = _("Inside the cell: lstm_{layer}, sample {sample}").format(layer=step.layer + 1, sample=step.sample)
    layout = layout_dict(title=title, view="cell", height=1000 if steps else 920)
    layout.update(
        xaxis={"visible": False, "fixedrange": True, "range": [-2.3, 12.3], "domain": [0.0, 1.0]},
        yaxis={"visible": False, "fixedrange": True, "range": [0.0, 10.7], "domain": list(DIAGRAM_HEIGHT)},
        xaxis8={"visible": False, "fixedrange": True, "range": [0, 1], "domain": [0.0, 1.0], "anchor": "y8"},
        yaxis8={"visible": False, "fixedrange": True, "range": [-6.6, 0.4], "domain": list(EQUATIONS_HEIGHT), "anchor": "x8"},
        shapes=_shapes(step),
        showlegend=False,
        bargap=0.15,
        margin={"l": 20, "r": 20, "t": 60, "b": 128 if steps else 20},  # the player, + 8 px (see `make_room`)
        annotations=[],
    )
    pool = [step] if steps is None else steps  # one scale for every frame: bars comparable across steps
    signed = max(max(float(np.abs(s.all_units[g]).max()) for s in pool for g in "gch"), 1e-6) * 1.05
    n, gap = len(BAR_ROWS), 0.025
    width = (1 - gap * (n - 1)) / n
    for k, g in enumerate(BAR_ROWS):
        row, left = k + 2, k * (width + gap)
        layout[f"xaxis{row}"] = {
            "domain": [left, left + width],
            "anchor": f"y{row}",
            "fixedrange": True,
            "range": [shown.start - 0.6, shown.stop - 0.4],
            "showticklabels": len(shown) <= 16,
            "tickfont": {"size": 10},
            "title": {"text": _("unit"), "font": {"size": 12}},  # below the tick labels, not among them
        }
        layout[f"yaxis{row}"] = {
            "domain": list(BARS_HEIGHT),
            "anchor": f"x{row}",
            "fixedrange": True,
            "range": [0, 1] if g in "ifo" else [-signed, signed],
            "showticklabels": False,  # the scale is in each chart's title: labels would crowd the next chart
            "zeroline": True,
            "zerolinecolor": MUTED,
        }
        layout["annotations"].append(
            {
                "text": f"<b>{g}</b> {pgettext(BAR_CONTEXT, BAR_TITLES[g])}<br>"
                f"<sup>{'0 … 1' if g in 'ifo' else f'±{signed / 1.05:.2g}'}</sup>",
                "x": left,
                "xref": "paper",
                "xanchor": "left",
                "y": BARS_HEIGHT[1],
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13},
            }
        )
    if steps:
        frames = frames or make_cell_frames(steps, max_units=max_units, step_labels=step_labels)
        layout.update(player_controls([str(s.step) for s in steps], step.step - 1))
    return unvalidated_figure(traces, layout, frames if steps else None)
