"""A ``Bidirectional`` LSTM unrolled as what it is: two LSTMs over the same steps. The forward one above the inputs
reads them left to right, the backward one below reads them right to left (its arrows run right to left), and each
step's two hidden states are merged into the layer's output."""

from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go

from explorer.figures.marks import Arrows, Labels
from explorer.figures.style import HIDDEN_AXIS, INK, MUTED, layout_dict, make_room, unvalidated_figure
from explorer.figures.unrolled import CELL_H, CELL_W, cell_traces, visible_steps
from explorer.i18n import _
from explorer.i18n.names import DIRECTION_WORDS
from explorer.reference.traces import LayerTrace

ROWS = {"forward": 2, "backward": 0}  # y of each direction's cells; the inputs sit between them at y = 1
MERGED = {"concat": "concat", "sum": "+", "mul": "×", "ave": "ave", None: "—"}


def _values(layer: LayerTrace, sample: int, colour_by: str) -> np.ndarray:
    """(T,) the colour quantity per processing step."""
    if colour_by in ("h_norm", "c_norm"):
        return np.linalg.norm(layer.gate(colour_by[0])[sample], axis=-1)
    return layer.gate(colour_by)[sample].mean(axis=-1)


def _output_shape(units: int, steps: int, merge_mode: str | None, return_sequences: bool) -> str:
    width = 2 * units if merge_mode == "concat" else units
    shape = (None, steps, width) if return_sequences else (None, width)
    return f"[{shape}, {shape}]" if merge_mode is None else str(shape)


def make_bidirectional_figure(
    forward: LayerTrace,
    backward: LayerTrace,
    merge_mode: str | None,
    *,
    layer_name: str,
    sample: int = 0,
    colour_by: str = "h_norm",
    max_columns: int = 12,
) -> go.Figure:
    """Both directions of a ``Bidirectional`` LSTM over the same input steps.

    Args:
        forward, backward: the two directions' traces (each in its own processing order).
        merge_mode: the layer's ``merge_mode`` (``"concat"``, ``"sum"``, ``"mul"``, ``"ave"`` or ``None``).
        layer_name: the Keras layer's name.
        sample: which sample colours the cells.
        colour_by: ``"h_norm"``, ``"c_norm"``, ``"f"``, ``"i"`` or ``"o"``.
        max_columns: longest sequence drawn in full.

    Returns:
        A figure whose heatmap ``"cell colours"`` has ``z[2 · row, 2j]`` = the value of the forward (row 1) or
        backward (row 0) cell at drawn column ``j``, in input-step order (NaN between cells and at skipped padding);
        arrows run left to right in the forward row and right to left in the backward row;
        ``layout.meta.view == "bidirectional"``.
    """
    steps_total = forward.h.shape[1]
    steps = visible_steps(steps_total, max_columns)
    col = {t: j for j, t in enumerate(steps) if t is not None}
    arrows, labels = Arrows(), Labels()
    xe = [e for j in range(len(steps)) for e in (j - CELL_W, j + CELL_W)]
    ye = [e for r in (0, 1, 2) for e in (r - CELL_H, r + CELL_H)]
    z = np.full((5, 2 * len(steps) - 1), np.nan)
    grey = np.full_like(z, np.nan)
    hover = np.full(z.shape, None, dtype=object)
    found = {name: _values(tr, sample, colour_by) for name, tr in (("forward", forward), ("backward", backward))}
    hi = 1.0 if colour_by in ("f", "i", "o") else max(float(max(v.max() for v in found.values())), 1e-6)
    for name, tr in (("forward", forward), ("backward", backward)):
        r = ROWS[name]
        backwards = name == "backward"
        for t, j in col.items():
            p = steps_total - 1 - t if backwards else t  # the processing step that read input step t
            if tr.mask is not None and not tr.mask[sample, p]:
                grey[2 * r, 2 * j] = 0.0
                labels.add(j, r, _("skip"), INK, size=12)
                continue
            z[2 * r, 2 * j] = found[name][p]
            hover[2 * r, 2 * j] = (
                _("<b>{layer}</b>, input step t={t} (processed {p}ᵗʰ of {T})").format(
                    layer=tr.name, t=t + 1, p=p + 1, T=steps_total
                )
                + "<br>"
                + _("mean")
                + f" i={tr.i[sample, p].mean():.3f}  f={tr.f[sample, p].mean():.3f}  o={tr.o[sample, p].mean():.3f}"
            )
        order = sorted(col, reverse=backwards)
        for a, b in itertools.pairwise(order):
            ja, jb = col[a], col[b]
            sign = 1 if jb > ja else -1
            style = "gap" if abs(b - a) > 1 else None
            arrows.add(style or "c", ja + sign * CELL_W, r + 0.12, jb - sign * CELL_W, r + 0.12)
            arrows.add(style or "h", ja + sign * CELL_W, r - 0.12, jb - sign * CELL_W, r - 0.12)
        arrow = "→" if name == "forward" else "←"
        labels.add(
            -0.75,
            r,
            f"<b>{_(DIRECTION_WORDS[name])} {arrow}</b><br>" + _("{units} units").format(units=tr.h.shape[2]),
            anchor="right",
        )
        # outputs: up from the forward row, down from the backward one; every step, or the last one read
        last = steps_total - 1 if name == "forward" else 0
        outs = list(col) if tr.return_sequences else [last]
        edge, tip = (r + CELL_H, r + 0.75) if name == "forward" else (r - CELL_H, r - 0.75)
        for t in outs:
            arrows.add("up", col[t], edge, col[t], tip)
            text = f"h{'→' if name == 'forward' else '←'}<sub>{t + 1}</sub>"
            labels.add(col[t], tip + (0.15 if name == "forward" else -0.15), text, size=13)
    for t, j in col.items():  # the inputs between the rows, each feeding both
        labels.add(j, 1, f"x<sub>{t + 1}</sub>", size=15)
        arrows.add("input", j, 1.15, j, 2 - CELL_H)
        arrows.add("input", j, 0.85, j, CELL_H)
    labels.add(-0.75, 1, "<b>" + _("input") + "</b>", size=14, anchor="right")
    for j, t in enumerate(steps):
        if t is None:
            for r in (0, 1, 2):
                labels.add(j, r, "…", MUTED, size=22)
    shape = _output_shape(forward.h.shape[2], steps_total, merge_mode, forward.return_sequences)
    merged = _("output = merge_mode {mode}(h→, h←): {shape}").format(mode=merge_mode, shape=shape)
    traces = cell_traces(xe, ye, z, grey, hover, rows=(0, 2), columns=col.values(), colour_by=colour_by, lo=0.0, hi=hi)
    traces += arrows.traces()
    traces.append(labels.trace())
    title = _("{layer}: two LSTMs over the same {T} steps").format(layer=layer_name, T=steps_total)
    layout = layout_dict(title=title, view="bidirectional", height=560)
    layout.update(
        xaxis={**HIDDEN_AXIS, "range": [-2.1, len(steps) - 0.4]},
        yaxis={**HIDDEN_AXIS, "range": [-1.3, 3.4]},
        annotations=[
            {"x": (len(steps) - 1) / 2, "y": 3.25, "text": merged, "showarrow": False, "font": {"size": 14, "color": INK}}
        ],
        showlegend=False,
        hovermode="closest",
    )
    make_room(layout, r=110)
    return unvalidated_figure(traces, layout)
