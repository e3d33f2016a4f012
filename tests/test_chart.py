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
from explorer.figures.cell import make_cell_figure
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
