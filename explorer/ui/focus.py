"""Views that follow a click: a clicked point moves the focus (layer, step, unit) the other views show.

Each chart that can be clicked passes one of these callbacks to `show_chart`; Streamlit runs it
before the rerun, so the focus widgets take the new values as the page is drawn. The charts sit in the
view's fragment, whose widgets rerun only the fragment by default; a click that moves the focus reruns the
whole page instead (`whole_page`), so the sidebar's focus sliders show where it went.
"""

from __future__ import annotations

import streamlit as st

from explorer.ui.controls import panel_label


def whole_page() -> None:
    """End a callback that moved the focus: the whole page reruns, not only the fragment the widget sits in."""
    st.rerun()


def _clicked(key: str) -> dict | None:
    """The point just clicked in chart ``key`` (the first, if several), or ``None``."""
    event = st.session_state.get(key)
    points = event.selection.points if event is not None else []
    return points[0] if points else None


def _input_step(processing: int, backwards: bool) -> int:
    """A processing position (1 … T) → the input step it reads."""
    return st.session_state["timesteps"] + 1 - processing if backwards else processing


def on_graph_click() -> None:
    """A cell of the unrolled graph: focus its (layer, step) and open the cell view there."""
    point = _clicked("unrolled")
    if point is None or "customdata" not in point:
        return
    layer, step = (int(v) for v in point["customdata"])
    st.session_state["layer"], st.session_state["step"] = layer, step
    st.session_state["panel"] = panel_label("cell")
    whole_page()


def gates_click(backwards: bool):
    """A callback for the gates chart of a layer that reads backwards (or not): a heatmap cell → (step, unit),
    a point of the unit's lines → step."""

    def on_click() -> None:
        point = _clicked("gates")
        if point is None:
            return
        st.session_state["step"] = _input_step(round(point["x"]), backwards)
        if "customdata" in point:  # a heatmap cell (the lines have no customdata): its row is a unit
            st.session_state["unit"] = round(point["y"])
        whole_page()

    return on_click


def on_trajectory_click() -> None:
    """A point of the input, h or c lines (x = input step): focus that step."""
    point = _clicked("trajectories")
    if point is not None and "x" in point:
        st.session_state["step"] = round(point["x"])
        whole_page()


def state_space_click(backwards: bool):
    """A callback for the state-space chart: a point of a path (its index = processing step) → step and sample."""

    def on_click() -> None:
        point = _clicked("state_space_2d")
        curve = -1 if point is None else int(point.get("curve_number", -1))
        if curve < 0 or curve % 2 or curve // 2 >= st.session_state["batch_size"]:  # start/end markers, step mark
            return
        st.session_state["step"] = _input_step(int(point["point_index"]) + 1, backwards)
        st.session_state["sample"] = curve // 2
        whole_page()

    return on_click
