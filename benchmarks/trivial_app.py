"""The floor for page timings: one button, one small Plotly chart that shows how often it was pressed.

Started by the benchmarks beside the real app, so a latency is reported against what any Streamlit rerun
with a chart costs on the same machine in the same run.
"""

import plotly.graph_objects as go
import streamlit as st

st.session_state.setdefault("presses", 0)


def press() -> None:
    st.session_state["presses"] += 1


st.button("press", on_click=press)
n = st.session_state["presses"]
fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[n, n + 1, n], mode="lines+markers", name=f"presses {n}"))
fig.update_layout(title=f"pressed {n} times", meta={"view": "trivial"}, height=300)
st.plotly_chart(fig, key="trivial")
