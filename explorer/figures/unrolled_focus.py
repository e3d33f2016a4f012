"""The unrolled graph's focus: the focused step's column and cell marked (a player moves the mark), and an
invisible square over every cell that a click selects (heatmap cells cannot be selected)."""

from __future__ import annotations

import numpy as np

from explorer.config import LSTMConfig
from explorer.figures.style import FOCUS, INK


def cell_picker(cfg: LSTMConfig, col: dict[int, int], hover: np.ndarray) -> dict:
    """One invisible square per cell: what a click selects (a heatmap cannot be selected); same hover text."""
    x, y, data, text = [], [], [], []
    for k in range(cfg.n_layers):
        for t, j in col.items():
            x.append(j), y.append(k + 1), data.append([k, t + 1])
            text.append(hover[2 * k, 2 * j] or f"{cfg.layer_names[k]}, input step t={t + 1}")
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "customdata": data,
        "text": text,
        "mode": "markers",
        "name": "cell picker",
        "marker": {"symbol": "square", "size": 34, "opacity": 0},
        "selected": {"marker": {"opacity": 0}},
        "unselected": {"marker": {"opacity": 0}},
        "hovertemplate": "%{text}<br><i>click: open this cell</i><extra></extra>",
        "hoverlabel": {"bgcolor": "white", "bordercolor": INK, "font": {"color": INK}},
    }


def focus_mark(layers: int, column: int, layer: int, cell_half: tuple[float, float]) -> dict:
    """The focused step's column band and the focused cell's outline, as one line trace (frames move it)."""
    band_x = [column - 0.45, column + 0.45, column + 0.45, column - 0.45, column - 0.45]
    band_y = [0.55, 0.55, layers + 0.45, layers + 0.45, 0.55]
    r, w, h = layer + 1, cell_half[0] + 0.07, cell_half[1] + 0.07  # just outside the cell's box
    box_x = [column - w, column + w, column + w, column - w, column - w]
    box_y = [r - h, r - h, r + h, r + h, r - h]
    return {
        "type": "scatter",
        "x": [*band_x, None, *box_x],
        "y": [*band_y, None, *box_y],
        "mode": "lines",
        "name": "focus",
        "hoverinfo": "skip",
        "line": {"color": FOCUS, "width": 4},
    }
