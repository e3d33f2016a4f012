"""The floor for page timings: one slider, one small Plotly chart that shows its value.

Started by the benchmarks beside the real app, so a latency is reported against what any Streamlit rerun
with a chart costs on the same machine in the same run (a key press on a slider, as on the real page).

``TRIVIAL_APP_ELEMENTS=N`` adds N one-line captions (no work behind them): the *element floor*, what a rerun
costs Streamlit when a page sends as many messages as the real one (`bench_load --element-floor`).
"""

import os

import plotly.graph_objects as go
import streamlit as st

n = st.slider("value", 0, 1000, 500, key="value")
fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[n, n + 1, n], mode="lines+markers", name=f"value {n}"))
fig.update_layout(title=f"value {n}", meta={"view": "trivial"}, height=300)
st.plotly_chart(fig, key="trivial")

for k in range(int(os.environ.get("TRIVIAL_APP_ELEMENTS", "0"))):
    st.caption(f"line {k + 1}")
