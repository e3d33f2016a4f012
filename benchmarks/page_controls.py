"""The page's skeleton with no work behind it: the same kinds of elements, in the same places, as the real page's
default view draws (its sidebar's 36 controls, its header row, metrics, tabs and downloads), for the floors.

`page_skeleton` draws them around one slider and one chart that the calling app supplies, so the trivial app
(``TRIVIAL_APP_CONTROLS=1``) and the figure floor (``FIGURE_FLOOR_CONTROLS=1``) cost what Streamlit itself costs for
a page with the page's controls: what is left of the page's time is its own work (the model, the trace, the
figures, the checks). `tests/test_app.py` holds the skeleton to the page: the same elements by kind and place.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

TABS = (
    "Unrolled graph",
    "Inside a cell",
    "Tensor shapes",
    "Gate activations",
    "Hidden-state trajectories",
    "Training",
    "Why gates",
    "Questions",
)


def _sidebar(slider: Callable[[], int]) -> int:
    """The page's sidebar: the same widgets, unwired; ``slider`` draws the one that matters in place of lstm_1 units."""
    sb = st.sidebar
    sb.header("Train on a task")
    sb.selectbox("task", ["none", "adding", "brackets"], key="sk_task")
    sb.header("Presets")
    sb.radio("preset", ["a", "b"], key="sk_preset")
    sb.button("Load this preset", key="sk_load")
    with sb.expander("Open your own Keras model"):
        st.file_uploader("a .keras or .h5 file", key="sk_upload")
    sb.header("Model")
    sb.slider("Stacked LSTM layers", 1, 4, 2, key="sk_layers")
    sb.slider("timesteps (T)", 1, 200, 12, key="sk_timesteps")
    sb.segmented_control("input", ["numbers", "tokens"], default="numbers", key="sk_input")
    sb.slider("features (F)", 1, 64, 3, key="sk_features")
    with sb:
        value = slider()
    sb.toggle("lstm_1 return_sequences", True, key="sk_rs1")
    sb.toggle("lstm_1 Bidirectional", False, key="sk_bi1")
    sb.slider("lstm_2 units", 1, 256, 8, key="sk_units2")
    sb.toggle("lstm_2 return_sequences", False, key="sk_rs2")
    sb.toggle("lstm_2 Bidirectional", False, key="sk_bi2")
    with sb.expander("Advanced layer arguments"):
        st.toggle("return_state", key="sk_return_state")
        st.toggle("go_backwards", key="sk_go_backwards")
        st.selectbox("activation", ["tanh", "relu"], key="sk_activation")
        st.selectbox("recurrent_activation", ["sigmoid", "hard_sigmoid"], key="sk_recurrent_activation")
        st.toggle("use_bias", True, key="sk_use_bias")
        st.toggle("unit_forget_bias", True, key="sk_unit_forget_bias")
        st.toggle("Dense head", key="sk_head")
        st.number_input("weight seed", 0, 2**31 - 1, 0, key="sk_seed")
    sb.header("Data")
    sb.selectbox("sample sequence", ["sine", "steps"], key="sk_source")
    sb.caption("Sine waves; channel j has its own frequency.")
    sb.slider("samples in the batch", 1, 8, 4, key="sk_batch")
    sb.number_input("data seed", 0, 2**31 - 1, 0, key="sk_data_seed")
    sb.header("Focus")
    sb.slider("sample", 1, 4, 1, key="sk_sample")
    sb.selectbox("layer", ["lstm_1", "lstm_2"], key="sk_layer")
    sb.slider("unit", 1, 16, 1, key="sk_unit")
    sb.slider("step t", 1, 12, 12, key="sk_step")
    sb.selectbox("colour cells by", ["h", "c"], key="sk_colour")
    return value


def page_skeleton(slider: Callable[[], int], chart: Callable[[int], None]) -> None:
    """Draw the page's elements around ``slider()`` (in the sidebar, where lstm_1 units is) and ``chart(value)`` (in
    the open tab, where the view's chart is)."""
    value = _sidebar(slider)
    st.empty()
    title, language, lecture, lesson = st.columns([3, 2, 2, 1.4], vertical_alignment="center")
    title.markdown("## LSTM Explorer")
    language.radio("Language / 语言", ["English", "中文"], horizontal=True, key="sk_language")
    lecture.toggle("Lecture mode", key="sk_lecture")
    lesson.button("Lesson", key="sk_lesson")
    st.markdown("A live **Keras 3 LSTM**: move a slider, the model is rebuilt and every chart recomputed.")
    for column, label in zip(st.columns(4), ("Input shape", "Output shape", "Parameters", "Data"), strict=True):
        column.metric(label, str(value))
    with st.container():
        st.caption("checking the NumPy gates against Keras…")
    tabs = st.tabs(list(TABS), key="sk_panel", on_change="rerun")
    if tabs[0].open:
        with tabs[0], st.container():
            chart(value)
            st.caption("Rows are layers, columns are input steps.")
    with st.expander("Take it with you"):
        names = ("Model (.keras)", "Code (.py)", "Activations (.npz)", "Activations (.csv)")
        for k, (column, label) in enumerate(zip(st.columns(4), names, strict=True)):
            column.download_button(label, b"0", file_name=f"file{k}", key=f"sk_download_{k}")
        st.segmented_control("Charts save as", ["PNG", "SVG"], default="PNG", key="sk_format")
