"""One way to put a Plotly figure on the page."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def show_chart(fig, key: str, on_click: Callable[[], None] | None = None) -> None:
    """Draw ``fig`` at the container's full width with a trimmed mode bar; ``key`` keeps its identity across reruns.

    ``on_click``: a callback run (before the rerun) when a point is clicked; it reads the clicked point
    from ``st.session_state[key].selection.points``.
    """
    if on_click is None:
        st.plotly_chart(fig, width="stretch", config=CHART_CONFIG, key=key)
    else:
        st.plotly_chart(fig, width="stretch", config=CHART_CONFIG, key=key, on_select=on_click, selection_mode="points")
