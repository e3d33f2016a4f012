"""The unrolled graph's focus: the focused step's column and cell marked (a player moves the mark), and an
invisible square over every cell that a click selects (heatmap cells cannot be selected)."""

from __future__ import annotations

import numpy as np

from explorer.config import LSTMConfig
from explorer.figures.style import FOCUS, INK, click_targets
from explorer.i18n import _


def cell_picker(cfg: LSTMConfig, col: dict[int, int], hover: np.ndarray) -> dict:
    """One invisible square per cell: what a click selects (a heatmap cannot be selected); same hover text."""
    x, y, data, text = [], [], [], []
    for k in range(cfg.n_layers):
        for t, j in col.items():
            x.append(j), y.append(k + 1), data.append([k, t + 1])
            text.append(hover[2 * k, 2 * j] or _("{layer}, input step t={t}").format(layer=cfg.layer_names[k], t=t + 1))
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "customdata": data,
        "text": text,
        "name": "cell picker",
        **click_targets(34),
        "hovertemplate": "%{text}<br><i>" + _("click: open this cell") + "</i><extra></extra>",
        "hoverlabel": {"bgcolor": "white", "bordercolor": INK, "font": {"color": INK}},
    }


def focus_mark(layers: int, column: int, layer: int, cell_half: tuple[float, float]) -> dict:
    """The focused step's input underlined and the focused cell outlined, as one line trace (frames move it).

    (A band around the whole column crossed the layers' ``c`` / ``h`` labels beside the first column.)
    """
    band_x = [column - 0.3, column + 0.3]  # under the column's x_t label
    band_y = [-0.3, -0.3]
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
