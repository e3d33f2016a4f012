"""The chart helper: what ``st.plotly_chart`` sends for a cached figure is made once and is exactly Plotly's own JSON."""

from __future__ import annotations

import gc

import numpy as np
import plotly.io as pio
import plotly.tools
import pytest

from explorer import LSTMConfig, build_model, extract_weights, make_sequence, shape_table, trace
from explorer.cell.anatomy import cell_step
from explorer.figures import (
    make_gates_figure,
    make_shapes_figure,
    make_state_space_figure,
    make_trajectory_figure,
    make_unrolled_figure,
)
from explorer.figures.cell import make_cell_figure, make_cell_frames
from explorer.figures.lecture import for_lecture
from explorer.figures.style import unvalidated_figure
from explorer.ui import chart


def _streamlit_spec(fig) -> str:
    """The spec ``st.plotly_chart`` puts on the wire (its two calls, as Streamlit 1.x makes them)."""
    return pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)


@pytest.fixture(scope="module")
def figures():
    cfg = LSTMConfig(timesteps=6, features=2, units=(5, 3), return_sequences=(True, False))
    model = build_model(cfg)
    tr = trace(model, make_sequence("sine", timesteps=6, features=2, batch_size=3, seed=0))
    weights = extract_weights(model)
    steps = [cell_step(weights.lstm[0], tr, layer=0, sample=0, step=t, unit=1) for t in range(1, 7)]
    shared = make_cell_frames(steps)
    odd = unvalidated_figure(  # what Plotly's conversion treats specially: every branch of the one-pass spec
        [
            {"type": "scatter", "x": np.arange(4, dtype=np.int64), "y": [1.0, float("nan"), np.float32(2.5), None]},
            {"type": "heatmap", "z": np.array([[1, np.inf], [np.nan, 2]], np.float32), "text": np.array(["a", "b"])},
            {"type": "scatter", "x": [np.array([1, 2]), {"y": np.array([3.0])}], "customdata": (np.int16(1), 2)},
        ],
        {"xaxis": {"range": np.array([0.0, np.float32(1.5)])}, "meta": {"layers": [{"z": np.ones(2)}]}},
        [{"name": "f1", "data": [{"y": np.linspace(0, 1, 3)}]}],
    )
    return [
        make_unrolled_figure(cfg, tr, sample=1, colour_by="f"),
        make_unrolled_figure(cfg, tr, sample=0, colour_by="o", focus=(2, 1)),
        make_gates_figure(tr.layers[0], sample=2, unit=1),
        make_gates_figure(tr.layers[0], sample=0, unit=2, step=3, step_names=[str(t) for t in range(1, 7)]),
        make_shapes_figure(shape_table(cfg, model), count_params=model.count_params()),
        make_trajectory_figure(tr, layer=0, sample=1, step=4),
        make_state_space_figure(tr, layer=0, dims=2, step=2),
        make_cell_figure(steps[2], steps),
        *(make_cell_figure(steps[t], steps, frames=shared) for t in (0, 4)),  # one player's frames, two steps
        odd,
    ]


def test_sendable_sends_exactly_plotlys_json(figures):
    for fig in [*figures, *(for_lecture(f) for f in figures[:-1])]:
        expected = _streamlit_spec(fig)
        assert _streamlit_spec(chart.sendable(fig)) == expected
        assert _streamlit_spec(chart.sendable(fig)) == expected  # again: Streamlit's uid pop changed nothing


def test_sendable_is_made_once_per_figure_and_leaves_with_it(figures):
    fig = for_lecture(figures[0])  # a figure this test owns
    first = chart.sendable(fig)
    assert chart.sendable(fig) is first
    assert chart.sendable(figures[1]) is not first
    key = id(fig)
    del fig
    gc.collect()
    assert key not in chart._SENT


def test_figures_sharing_a_players_frames_send_each_frame_made_once_and_equal_to_a_figure_of_their_own():
    """The cell view's figures at two steps of one unit share their frames: the frames' dicts are made once (the same
    objects in both specs), each figure sends what a figure made on its own at that step sends, and a frame's dict
    leaves with the frame."""
    cfg = LSTMConfig(timesteps=5, features=2, units=(4,), return_sequences=(True,))
    tr = trace(build_model(cfg), make_sequence("sine", timesteps=5, features=2, batch_size=2, seed=0))
    lstm = extract_weights(build_model(cfg)).lstm[0]
    steps = [cell_step(lstm, tr, layer=0, sample=1, step=t, unit=2) for t in range(1, 6)]
    shared = make_cell_frames(steps)
    at_1, at_4 = (make_cell_figure(steps[t], steps, frames=shared) for t in (0, 3))
    assert all(a is b for a, b in zip(at_1._frame_objs, at_4._frame_objs, strict=True))
    first, fourth = chart.figure_spec(at_1), chart.figure_spec(at_4)
    assert all(a is b for a, b in zip(first["frames"], fourth["frames"], strict=True))
    assert first["layout"]["sliders"][0]["active"] == 0 and fourth["layout"]["sliders"][0]["active"] == 3
    assert first["data"] != fourth["data"]  # the diagram shows each its own step
    for t, spec in ((0, first), (3, fourth)):
        assert spec == chart.figure_spec(make_cell_figure(steps[t], steps))  # frames of its own: the same, by value
    key = id(shared[0])
    assert key in chart._FRAME_SPECS
    del shared, at_1, at_4
    gc.collect()
    assert key not in chart._FRAME_SPECS
