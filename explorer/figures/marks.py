"""Diagram marks drawn in data coordinates as few traces as possible: arrows (one line trace per style, one
marker trace for every head) and text labels (one text trace). Many shapes or annotations make Plotly redraw slowly."""

from __future__ import annotations

from explorer.figures.style import BROKEN, GATE_COLOURS, INK, MUTED
from explorer.i18n import _


class Arrows:
    """Arrows as few traces as possible: one line trace per style, one marker trace for every head.

    (Annotations render ~10× slower; heads as markers of the line traces would draw a
    marker for the tail of every arrow too.)
    """

    def __init__(self):
        self.lines: dict[str, dict] = {}
        self.heads: dict[str, list] = {"x": [], "y": [], "angle": [], "color": []}

    def add(self, style: str, x0, y0, x1, y1) -> None:
        seg = self.lines.setdefault(style, {"x": [], "y": []})
        seg["x"] += [x0, x1, None]
        seg["y"] += [y0, y1, None]
        if style != "gap":  # dotted links through the ellipsis have no head
            # Arrows are horizontal or vertical: fixed angles (0 = up) are cheaper to draw than angleref="previous".
            self.heads["x"].append(x1), self.heads["y"].append(y1)
            self.heads["angle"].append((0 if y1 > y0 else 180) if x0 == x1 else (90 if x1 > x0 else 270))
            self.heads["color"].append(ARROW_STYLES[style][0])

    def traces(self) -> list[dict]:
        out = []
        for style, seg in self.lines.items():
            colour, width, dash = ARROW_STYLES[style]
            out.append(
                {
                    "type": "scatter",
                    "x": seg["x"],
                    "y": seg["y"],
                    "name": f"{style} arrows",
                    "mode": "lines",
                    "hoverinfo": "skip",
                    "line": {"color": colour, "width": width, "dash": dash},
                }
            )
        heads = self.heads
        out.append(
            {
                "type": "scatter",
                "x": heads["x"],
                "y": heads["y"],
                "name": "arrowheads",
                "mode": "markers",
                "hoverinfo": "skip",
                "marker": {"symbol": "arrow", "angle": heads["angle"], "size": 11, "color": heads["color"]},
            }
        )
        return out


ARROW_STYLES = {  # style: (colour, width, dash)
    "c": (GATE_COLOURS["c"], 2.0, "solid"),
    "h": (INK, 2.0, "solid"),
    "gap": (MUTED, 1.5, "dot"),
    "up": (INK, 2.0, "solid"),
    "broken": (BROKEN, 3.0, "solid"),
    "input": (MUTED, 2.0, "solid"),
}


TEXT_POSITIONS = {"center": "middle center", "left": "middle right", "right": "middle left"}  # anchor -> textposition


class Labels:
    """Text labels drawn as one Scatter text trace (many annotations make Plotly redraw slowly)."""

    def __init__(self):
        self.x, self.y, self.text, self.size, self.colour, self.position = [], [], [], [], [], []

    def add(self, x, y, text, colour=INK, size=13, anchor="center") -> None:
        self.x.append(x), self.y.append(y), self.text.append(text)
        self.size.append(size), self.colour.append(colour), self.position.append(TEXT_POSITIONS[anchor])

    def trace(self) -> dict:
        return {
            "type": "scatter",
            "x": self.x,
            "y": self.y,
            "text": self.text,
            "mode": "text",
            "name": "labels",
            "hoverinfo": "skip",
            "cliponaxis": False,  # long layer labels may reach into the margin on a narrow page
            "textposition": self.position,
            "textfont": {"size": self.size, "color": self.colour},
        }


def skipped_bands(kept, xref: str) -> list[dict]:
    """Grey bands over the steps a mask skips (padding), for a chart whose x axis ``xref`` counts steps from 1.

    Args:
        kept: (T,) bool in the chart's step order, ``False`` where the step was skipped.
        xref: the x axis the bands follow (they span the whole height of the plot).

    Returns:
        One rectangle per run of skipped steps (the first one also carries a "padding: skipped" label).
    """
    bands, start = [], None
    for t, keep in enumerate([*map(bool, kept), True]):
        if not keep and start is None:
            start = t
        elif keep and start is not None:
            bands.append(
                {
                    "type": "rect",
                    "xref": xref,
                    "yref": "paper",
                    "x0": start + 0.5,
                    "x1": t + 0.5,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": MUTED,
                    "opacity": 0.35,
                    "line": {"width": 0},
                    "layer": "above",
                    "name": "skipped",
                }
            )
            start = None
    if bands:
        bands[0]["label"] = {"text": _("padding: skipped"), "textposition": "top center", "font": {"size": 12, "color": INK}}
    return bands
