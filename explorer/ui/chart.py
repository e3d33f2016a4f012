"""One way to put a Plotly figure on the page."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def image_options(name: str) -> dict:
    """The camera button's PNG: 3× the on-screen size (about 2,400 px wide: a slide), named ``name``."""
    return {"format": "png", "scale": 3, "filename": name}


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
    config = {**CHART_CONFIG, "toImageButtonOptions": image_options(name or (f"{stem}_{key}" if stem else key))}
    if on_click is None:
        st.plotly_chart(fig, width="stretch", config=config, key=key)
    else:
        st.plotly_chart(fig, width="stretch", config=config, key=key, on_select=on_click, selection_mode="points")
