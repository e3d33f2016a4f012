"""The floor for page timings: one slider, one small Plotly chart that shows its value.

Started by the benchmarks beside the real app, so a latency is reported against what any Streamlit rerun
with a chart costs on the same machine in the same run (a key press on a slider, as on the real page).

``TRIVIAL_APP_ELEMENTS=N`` adds N one-line captions (no work behind them): the *element floor*, what a rerun
costs Streamlit when a page sends as many messages as the real one (`bench_load --element-floor`).
``TRIVIAL_APP_CONTROLS=1`` draws the slider and the chart inside the page's own skeleton (`page_controls.py`: its
sidebar's controls, header, metrics, tabs and downloads, with no work behind them): the *control floor*, what
Streamlit costs for a page with the page's controls (`bench_load --control-floor`).
"""

import os

import plotly.graph_objects as go
import streamlit as st


def chart(n: int) -> None:
    fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[n, n + 1, n], mode="lines+markers", name=f"value {n}"))
    fig.update_layout(title=f"value {n}", meta={"view": "trivial"}, height=300)
    st.plotly_chart(fig, key="trivial")


def slider() -> int:
    return st.slider("value", 0, 1000, 500, key="value")


if os.environ.get("TRIVIAL_APP_CONTROLS"):
    from page_controls import page_skeleton  # (Streamlit puts the script's folder on the path)

    st.set_page_config(layout="wide")
    page_skeleton(slider, chart)
else:
    chart(slider())

for k in range(int(os.environ.get("TRIVIAL_APP_ELEMENTS", "0"))):
    st.caption(f"line {k + 1}")
