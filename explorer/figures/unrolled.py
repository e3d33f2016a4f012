"""View 1: the network unrolled in time, as learners draw it.

One row of cells per LSTM layer, one column per input step (``x_t`` below,
outputs above). Horizontal arrows carry ``c`` (top) and ``h`` (bottom) from step
to step in the order the cell processes them; vertical arrows carry ``h_t`` up
only where the layer returns sequences. Long sequences show the first and last
few steps around an ellipsis.
"""

from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go

from explorer.config import LSTMConfig
from explorer.figures.marks import Arrows, Labels
from explorer.figures.player import time_player
from explorer.figures.style import (
    BROKEN,
    GATE_COLOURS,
    HIDDEN_AXIS,
    INK,
    MUTED,
    SEQUENTIAL,
    layout_dict,
    make_room,
    unvalidated_figure,
)
from explorer.figures.unrolled_focus import cell_picker, focus_mark
from explorer.i18n import N_, _
from explorer.i18n.names import layer_label
from explorer.reference import Trace, processes_backwards

CELL_W, CELL_H = 0.28, 0.25  # half sizes of a cell box, in data units
COLOUR_LABELS = {"f": N_("mean f"), "i": N_("mean i"), "o": N_("mean o"), "h_norm": "‖h_t‖", "c_norm": "‖c_t‖"}


def visible_steps(timesteps: int, max_columns: int = 12, focus: int | None = None) -> list[int | None]:
    """Input steps (0-based) drawn as columns; ``None`` marks an ellipsis column.

    A focused step hidden by the ellipsis gets a column of its own between two ellipses.
    """
    if timesteps <= max_columns:
        return list(range(timesteps))
    k = (max_columns - 1) // 2
    if focus is None or focus < k or focus >= timesteps - k:
        return [*range(k), None, *range(timesteps - k, timesteps)]
    a = k - 1
    return [*range(a), None, focus, None, *range(timesteps - a, timesteps)]


def cell_values(tr: Trace, layer: int, sample: int, colour_by: str) -> np.ndarray:
    """(T,) the colour quantity per processing step of one layer and sample."""
    lt = tr.layers[layer]
    if colour_by in ("h_norm", "c_norm"):
        return np.linalg.norm(lt.gate(colour_by[0])[sample], axis=-1)
    return lt.gate(colour_by)[sample].mean(axis=-1)


def _cell_grid(columns: int, rows: int) -> tuple[list[float], list[float]]:
    """Heatmap bin edges: a box of 2·CELL_W × 2·CELL_H around every (column, row), empty bins between."""
    xe = [e for j in range(columns) for e in (j - CELL_W, j + CELL_W)]
    ye = [e for r in range(1, rows + 1) for e in (r - CELL_H, r + CELL_H)]
    return xe, ye


def cell_traces(xe, ye, z, grey, hover, *, rows, columns, colour_by: str, lo: float, hi: float) -> list[dict]:
    """The cells of an unrolled drawing: a grey heatmap where a cell has no value (untraced, or skipped padding), the
    coloured heatmap ``"cell colours"`` with each cell's hover text, and one line trace of every cell's outline."""
    traces = []
    if not np.isnan(grey).all():  # most drawings have no grey cell: skip an empty heatmap's canvas
        traces.append({"type": "heatmap", "x": xe, "y": ye, "z": grey, "name": "untraced", "showscale": False,
                       "colorscale": [[0, "#e6e6e6"], [1, "#e6e6e6"]], "hoverinfo": "skip"})  # fmt: skip
    traces.append(
        {
            "type": "heatmap",
            "x": xe,
            "y": ye,
            "z": z,
            "name": "cell colours",
            "colorscale": SEQUENTIAL,
            "zmin": lo,
            "zmax": hi,
            "colorbar": {"title": {"text": _(COLOUR_LABELS[colour_by])}, "thickness": 14, "len": 0.7},
            "customdata": hover,
            "hovertemplate": "%{customdata}<extra></extra>",
            "hoverongaps": False,  # the gaps between cells are NaN: no hover there
            "hoverlabel": {"bgcolor": "white", "bordercolor": INK, "font": {"color": INK}},
        }
    )
    outline_x, outline_y = [], []
    for r in rows:
        for j in columns:
            outline_x += [j - CELL_W, j + CELL_W, j + CELL_W, j - CELL_W, j - CELL_W, None]
            outline_y += [r - CELL_H, r - CELL_H, r + CELL_H, r + CELL_H, r - CELL_H, None]
    traces.append({"type": "scatter", "x": outline_x, "y": outline_y, "mode": "lines", "name": "cell outlines",
                   "hoverinfo": "skip", "line": {"color": INK, "width": 1.5}})  # fmt: skip
    return traces


def make_unrolled_figure(
    cfg: LSTMConfig,
    tr: Trace | None = None,
    *,
    sample: int = 0,
    colour_by: str = "f",
    max_columns: int = 12,
    step_labels=None,
    focus: tuple[int, int] | None = None,
) -> go.Figure:
    """The unrolled graph of ``cfg``, cells coloured from a trace.

    Args:
        cfg: the model configuration (may be a broken stack: its missing arrows are drawn).
        tr: a `Trace` of the model (or of its buildable prefix: later layers stay grey), or ``None``.
        sample: which sample of the batch colours the cells.
        colour_by: ``"f"``, ``"i"``, ``"o"`` (mean gate over units) or ``"h_norm"``, ``"c_norm"``.
        max_columns: longest sequence drawn in full; longer ones show first/last steps and "…".
        step_labels: each input step as the task's text (data order, e.g. ``(`` / ``)``), or ``None``.
        focus: ``(layer, step)`` with ``step`` the input step 1 … T: its cell is outlined, its column
            marked (and drawn even where an ellipsis would hide it), and a time player moves the mark.

    Returns:
        A figure whose heatmap ``"cell colours"`` holds the drawn values: ``z[2k, 2j]`` is layer
        ``k`` at drawn column ``j`` (NaN between cells and where nothing was traced), with the
        gates of each cell in ``customdata`` for hover; a transparent trace ``"cell picker"`` with a
        point per cell (``customdata`` = ``[layer, step]``) that a click selects; with ``focus``, a
        trace ``"focus"`` and frames named after the drawn steps; ``layout.meta.view == "unrolled"``.
    """
    T, L = cfg.timesteps, cfg.n_layers
    steps = visible_steps(T, max_columns, None if focus is None else focus[1] - 1)
    col = {t: j for j, t in enumerate(steps) if t is not None}
    backwards = processes_backwards(cfg)
    annotations: list[dict] = []
    arrows, labels = Arrows(), Labels()
    xe, ye = _cell_grid(len(steps), L)
    z = np.full((2 * L - 1, 2 * len(steps) - 1), np.nan)  # value cells (even indices), gaps (odd)
    grey = np.full_like(z, np.nan)  # cells with no trace (after a broken link)
    traced = 0 if tr is None else len(tr.layers)
    # a layer's own name where it was traced (an LSTM inside a learner's model: "bidirectional · backward")
    names = [layer_label(tr.layers[k].name) if k < traced else name for k, name in enumerate(cfg.layer_names)]

    # Cell values per (layer, step), for colour and hover.
    values = {}
    for k in range(min(traced, L)):
        v = cell_values(tr, k, sample, colour_by)  # processing order
        for t in col:
            values[k, t] = float(v[T - 1 - t if backwards[k] else t])
    lo, hi = (0.0, 1.0) if colour_by in ("f", "i", "o") else (0.0, max([*values.values(), 1e-6]))

    hover = np.full(z.shape, None, dtype=object)  # per cell: its gates, shown on hover
    for k in range(L):
        r = k + 1
        for t, j in col.items():
            p = T - 1 - t if backwards[k] else t
            mask = tr.layers[k].mask if k < traced else None
            if mask is not None and not mask[sample, p]:  # padding: the step is skipped, h and c kept (as Keras does)
                grey[2 * k, 2 * j] = 0.0
                hover[2 * k, 2 * j] = _(
                    "<b>{layer}</b>, input step t={t}: <b>skipped</b> (padding is masked): h and c are kept from the step before"
                ).format(layer=names[k], t=t + 1)
                labels.add(j, r, _("skip"), INK, size=12)
            elif (k, t) in values:
                z[2 * k, 2 * j] = values[k, t]
                lt = tr.layers[k]
                hover[2 * k, 2 * j] = (
                    _("<b>{layer}</b>, input step t={t} (processed {p}ᵗʰ of {T})").format(layer=names[k], t=t + 1, p=p + 1, T=T)
                    + "<br>"
                    + _("mean")
                    + f" i={lt.i[sample, p].mean():.3f}  f={lt.f[sample, p].mean():.3f}  o={lt.o[sample, p].mean():.3f}<br>"
                    f"‖h‖={np.linalg.norm(lt.h[sample, p]):.3f}  ‖c‖={np.linalg.norm(lt.c[sample, p]):.3f}"
                )
            else:
                grey[2 * k, 2 * j] = 0.0
        labels.add(
            -0.75,
            r,
            f"<b>{names[k].replace(' · ', '</b><br><b>· ')}</b><br>"  # "bidirectional · backward" on two lines
            + _("{units} units").format(units=cfg.units[k])
            + f"<br>h, c: {(None, cfg.units[k])}",
            anchor="right",
        )

        # Horizontal h and c arrows in processing order; dotted through the ellipsis.
        order = sorted(col, reverse=backwards[k])
        for a, b in itertools.pairwise(order):
            ja, jb = col[a], col[b]
            sign = 1 if jb > ja else -1
            gap = abs(b - a) > 1
            arrows.add("gap" if gap else "c", ja + sign * CELL_W, r + 0.12, jb - sign * CELL_W, r + 0.12)
            arrows.add("gap" if gap else "h", ja + sign * CELL_W, r - 0.12, jb - sign * CELL_W, r - 0.12)
        labels.add(-CELL_W - 0.04, r + 0.12, "c", GATE_COLOURS["c"], size=12, anchor="right")
        labels.add(-CELL_W - 0.04, r - 0.12, "h", INK, size=12, anchor="right")

        # Vertical arrows from this layer upwards: every step if it returns sequences, else the last one.
        last_t = 0 if backwards[k] else T - 1
        goes_up = list(col) if cfg.return_sequences[k] else [last_t]
        broken = k < L - 1 and not cfg.return_sequences[k]
        top = r + 1 - CELL_H if k < L - 1 else L + 0.8
        for t in goes_up:
            arrows.add("broken" if broken else "up", col[t], r + CELL_H, col[t], top)
        shape_up = (None, T, cfg.units[k]) if cfg.return_sequences[k] else (None, cfg.units[k])
        if broken:
            annotations.append(  # the one boxed warning stays an annotation
                {
                    "x": col[last_t],
                    "y": r + 0.55,
                    "xanchor": "left" if col[last_t] < len(steps) / 2 else "right",  # keep it inside the plot
                    "showarrow": False,
                    "font": {"size": 13, "color": BROKEN},
                    "bgcolor": "white",
                    "bordercolor": BROKEN,
                    "text": _("only h_T {shape} goes on — {layer} needs {needed}").format(
                        shape=shape_up, layer=cfg.layer_names[k + 1], needed=(None, T, cfg.units[k])
                    ),
                }
            )
        elif k < L - 1:
            labels.add(col[goes_up[0]] + 0.05, r + 0.5, f"{shape_up}", MUTED, size=11, anchor="left")

    # Inputs below, outputs above.
    for t, j in col.items():
        label = "" if step_labels is None else f" <b>{step_labels[t]}</b>"
        labels.add(j, 0, f"x<sub>{t + 1}</sub>{label}", size=15)
        arrows.add("input", j, 0.15, j, 1 - CELL_H)
    first = next(iter(col))
    labels.add(col[first] + 0.05, 0.5, f"(None, {cfg.features})", MUTED, size=11, anchor="left")
    labels.add(-0.75, 0, "<b>" + _("input") + "</b>", size=14, anchor="right")
    for j, t in enumerate(steps):
        if t is None:
            for r in range(L + 1):
                labels.add(j, r, "…", MUTED, size=22)
    last = L - 1
    out_ts = list(col) if cfg.return_sequences[last] else [0 if backwards[last] else T - 1]
    for t in out_ts:
        labels.add(col[t], L + 1, f"h<sub>{t + 1}</sub>" if cfg.return_sequences[last] else "h<sub>T</sub>", size=14)
    out_shape = (None, T, cfg.units[last]) if cfg.return_sequences[last] else (None, cfg.units[last])
    head = f" → Dense({cfg.head_units}) → {(*out_shape[:-1], cfg.head_units)}" if cfg.head_units else ""
    state = _("; return_state adds h, c: {shape} each").format(shape=(None, cfg.units[last])) if cfg.return_state else ""
    labels.add(-0.75, L + 1, "<b>" + _("output") + "</b>", size=14, anchor="right")
    labels.add((len(steps) - 1) / 2, L + 1.45, _("output") + f" {out_shape}{head}{state}", INK, size=13)

    traces = cell_traces(xe, ye, z, grey, hover, rows=range(1, L + 1), columns=col.values(), colour_by=colour_by, lo=lo, hi=hi)
    traces[-2]["showscale"] = bool(values)  # the colour heatmap: no colour bar over an untraced stack
    traces += arrows.traces()
    traces.append(labels.trace())
    traces.append(cell_picker(cfg, col, hover))
    frames = None
    if focus is not None:
        layer_focus, step_focus = focus
        traces.append(focus_mark(L, col[step_focus - 1], layer_focus, (CELL_W, CELL_H)))
        shown = [t for t in steps if t is not None]
        frames, player = time_player(
            [[focus_mark(L, col[t], layer_focus, (CELL_W, CELL_H))] for t in shown],
            traces=[len(traces) - 1],
            labels=[str(t + 1) for t in shown],
            active=shown.index(step_focus - 1),
            y=0.0,
        )
    direction = "←" if cfg.go_backwards else "→"
    note = _(
        "Every column is the <b>same cell with the same weights</b> (kernel, recurrent_kernel, bias)<br>applied at "
        "each of the {T} steps {direction}: timesteps are not neurons; units = size of h and c."
    ).format(T=T, direction=direction)
    hidden = [f"{steps[j - 1] + 2}–{steps[j + 1]}" for j, t in enumerate(steps) if t is None]
    if hidden:
        note += " " + _("Steps {ranges} are hidden behind “…”.").format(ranges=_(" and ").join(hidden))
    annotations.append(
        {"x": (len(steps) - 1) / 2, "y": -0.65, "text": note, "showarrow": False, "font": {"size": 12, "color": MUTED}}
    )
    layout = layout_dict(
        title=_("Unrolled in time: {layers} × {T} steps").format(
            layers=_("{n} layers").format(n=L) if L > 1 else _("1 layer"), T=T
        ),
        view="unrolled",
        height=150 + 125 * (L + 2),
    )
    layout.update(
        xaxis={**HIDDEN_AXIS, "range": [-2.1, len(steps) - 0.4]},
        yaxis={**HIDDEN_AXIS, "range": [-1.0, L + 1.7]},
        annotations=annotations,
        showlegend=False,
        hovermode="closest",
        clickmode="event+select",
    )
    make_room(layout, r=110)  # the colour bar
    if frames:
        layout.update(player)
        layout["height"] += 70
        make_room(layout, b=110)
    return unvalidated_figure(traces, layout, frames)
