"""One way to put a Plotly figure on the page."""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable

import plotly.io as pio
import streamlit as st
from plotly.basedatatypes import BaseFigure

from explorer.figures.lecture import for_lecture

CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


IMAGE_FORMATS = {"PNG": "png", "SVG": "svg"}  # the downloads' choice (key "image_format") → Plotly's format


def image_options(name: str, kind: str = "PNG") -> dict:
    """The camera button's file: a PNG at 3× the on-screen size (about 2,400 px wide: a slide) or an SVG, named ``name``."""
    return {"format": IMAGE_FORMATS[kind], "scale": 3 if kind == "PNG" else 1, "filename": name}


def _once_per_figure(made: dict[int, tuple[weakref.ref, object]], fig, make: Callable):
    """``make(fig)``, made once per figure object and kept in ``made`` (figures are unhashable: keyed by id, and the
    entry leaves when the figure does)."""
    entry = made.get(id(fig))
    if entry is not None and entry[0]() is fig:
        return entry[1]
    value = make(fig)
    made[id(fig)] = (weakref.ref(fig), value)
    weakref.finalize(fig, made.pop, id(fig), None)
    return value


_LECTURE: dict[int, tuple[weakref.ref, object]] = {}  # id(cached figure) → (its weak ref, its lecture copy)


def lecture_version(fig):
    """``fig`` for a projector (`for_lecture`), made once per figure object."""
    return _once_per_figure(_LECTURE, fig, for_lecture)


class _SentFigure(BaseFigure):
    """A figure's dict, made once, in the form ``st.plotly_chart`` takes (a `BaseFigure`: a plain dict would be
    validated again). Streamlit asks it only for ``to_dict()``; nothing else of a figure is set up."""

    def __init__(self, spec: dict):  # BaseFigure's own set-up is skipped on purpose
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


_SENT: dict[int, tuple[weakref.ref, _SentFigure]] = {}  # id(figure) → (its weak ref, its dict made once)


def sendable(fig) -> _SentFigure:
    """``fig`` as ``st.plotly_chart`` takes it, its dict made once per figure object.

    Figures come from caches shared by every session and are never changed, yet Streamlit deep-copied each one
    (``fig.to_dict()``) on every rerun: 1–3 ms a chart, the largest part of drawing one (measured, 30 learners: 11 %
    of the server's GIL time). The JSON round trip leaves the arrays in Plotly's base64 form, so nothing is encoded twice.
    """
    return _once_per_figure(_SENT, fig, lambda f: _SentFigure(json.loads(pio.to_json(f, validate=False))))


def name_charts_after(stem: str) -> None:
    """This rerun's charts save their PNGs as ``<stem>_<chart key>.png`` (the page calls it once, with the model's stem)."""
    st.session_state["_chart_stem"] = stem


def show_chart(fig, key: str, on_click: Callable[[], None] | None = None, *, name: str | None = None) -> None:
    """Draw ``fig`` at the container's full width with a trimmed mode bar; ``key`` keeps its identity across reruns.

    ``on_click``: a callback run (before the rerun) when a point is clicked; it reads the clicked point
    from ``st.session_state[key].selection.points``. ``name``: the saved PNG's file name (default: the stem
    set by `name_charts_after` and ``key``).
    """
    stem = st.session_state.get("_chart_stem")
    kind = st.session_state.get("image_format") or "PNG"  # (a segmented control can be cleared: None)
    if st.session_state.get("lecture"):
        fig = lecture_version(fig)
    config = {**CHART_CONFIG, "toImageButtonOptions": image_options(name or (f"{stem}_{key}" if stem else key), kind)}
    fig = sendable(fig)
    if on_click is None:
        st.plotly_chart(fig, width="stretch", config=config, key=key)
    else:
        st.plotly_chart(fig, width="stretch", config=config, key=key, on_select=on_click, selection_mode="points")
