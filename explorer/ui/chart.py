"""One way to put a Plotly figure on the page."""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Callable

import numpy as np
import streamlit as st
from _plotly_utils.utils import is_skipped_key, to_typed_array_spec
from plotly.basedatatypes import BaseFigure

from explorer.figures.lecture import for_lecture
from explorer.i18n.plotly_texts import plotly_locale_config

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


_skipped_key = functools.lru_cache(maxsize=None)(is_skipped_key)  # Plotly's own rule, asked once per key


def _plain(value, typed: bool = False, skipped: bool = False):
    """``value`` as the JSON round trip of Plotly's ``to_dict()`` gives it back, built in one pass (new containers,
    the figure untouched).

    As Plotly's ``convert_to_base64`` does, an array that is a dict's value becomes a typed-array spec, unless its key
    (or a key above it) is one Plotly skips; any other array becomes a list. NumPy scalars become Python numbers,
    NaN and infinities ``None`` (as Plotly's JSON encoder makes them).
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # most of a figure: settle these first
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:
        out = {}
        for key, item in value.items():
            skip = skipped or _skipped_key(key)
            out[key] = _plain(item, not skip, skip)
        return out
    if kind is list or kind is tuple:
        return [_plain(item, False, skipped) for item in value]
    if isinstance(value, np.ndarray):
        spec = to_typed_array_spec(value) if typed else value
        return spec if isinstance(spec, dict) else _plain(value.tolist(), False, True)
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value


def figure_spec(fig) -> dict:
    """``fig``'s dict as Streamlit sends it, equal to ``json.loads(pio.to_json(fig))``, without Plotly's deep copy and
    JSON round trip (measured: default graph 1.8 → 0.35 ms, gates 4.3 → 2.0 ms; largest gates 19 → 5.8 ms).

    Reads the figure's own property dicts (``_data``, ``_layout``, the frames' ``_props``), which is what Plotly's
    ``to_dict`` copies; a frame's dict is kept as long as the frame (the cell view's figures for every step of one
    unit share their frames: 13 of the default's 15 ms, 51 of 55 ms at T = 50, made once instead of per step);
    `tests/test_chart.py` holds the bytes sent equal to Plotly's for every view's figure.
    """
    spec = _plain({"data": fig._data, "layout": fig._layout})
    if fig._frame_objs:  # each frame's dict made once: figures of one player at other focused steps share the frames
        spec["frames"] = [_once_per_figure(_FRAME_SPECS, frame, _frame_spec) for frame in fig._frame_objs]
    return spec


_FRAME_SPECS: dict[int, tuple[weakref.ref, dict]] = {}  # id(frame) → (its weak ref, its dict), while the frame lives


def _frame_spec(frame) -> dict:
    """A frame's dict as `figure_spec` sends it (what `_plain` makes of it under the key ``frames``)."""
    return _plain(frame._props, False, _skipped_key("frames"))


def sendable(fig) -> _SentFigure:
    """``fig`` as ``st.plotly_chart`` takes it, its dict made once per figure object.

    Figures come from caches shared by every session and are never changed, yet Streamlit deep-copied each one
    (``fig.to_dict()``) on every rerun: 1–3 ms a chart, the largest part of drawing one (measured, 30 learners: 11 %
    of the server's GIL time). `figure_spec` builds that dict in one pass, arrays already in Plotly's base64 form.
    """
    return _once_per_figure(_SENT, fig, lambda f: _SentFigure(figure_spec(f)))


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
    config = {
        **CHART_CONFIG,
        **plotly_locale_config(),
        "toImageButtonOptions": image_options(name or (f"{stem}_{key}" if stem else key), kind),
    }
    fig = sendable(fig)
    if on_click is None:
        st.plotly_chart(fig, width="stretch", config=config, key=key)
    else:
        st.plotly_chart(fig, width="stretch", config=config, key=key, on_select=on_click, selection_mode="points")
