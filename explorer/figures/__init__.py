"""Pure figure functions: data in, ``go.Figure`` out (no Streamlit)."""

from explorer.figures.gates import make_gates_figure
from explorer.figures.shapes import make_shapes_figure, model_summary_text
from explorer.figures.trajectories import make_state_space_figure, make_trajectory_figure
from explorer.figures.unrolled import make_unrolled_figure

__all__ = [
    "make_gates_figure",
    "make_shapes_figure",
    "make_state_space_figure",
    "make_trajectory_figure",
    "make_unrolled_figure",
    "model_summary_text",
]
