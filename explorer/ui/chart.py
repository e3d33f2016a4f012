"""One way to put a Plotly figure on the page."""

from __future__ import annotations

import streamlit as st

CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def show_chart(fig, key: str) -> None:
    """Draw ``fig`` at the container's full width with a trimmed mode bar; ``key`` keeps its identity across reruns."""
    st.plotly_chart(fig, width="stretch", config=CHART_CONFIG, key=key)
