"""The chart helper: what ``st.plotly_chart`` sends for a cached figure is made once and is exactly Plotly's own JSON."""

from __future__ import annotations

import gc

import plotly.io as pio
import plotly.tools
import pytest

from explorer import LSTMConfig, build_model, make_sequence, shape_table, trace
from explorer.figures import make_gates_figure, make_shapes_figure, make_unrolled_figure
from explorer.figures.lecture import for_lecture
from explorer.ui import chart


def _streamlit_spec(fig) -> str:
    """The spec ``st.plotly_chart`` puts on the wire (its two calls, as Streamlit 1.x makes them)."""
    return pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)


@pytest.fixture(scope="module")
def figures():
    cfg = LSTMConfig(timesteps=6, features=2, units=(5, 3), return_sequences=(True, False))
    model = build_model(cfg)
    tr = trace(model, make_sequence("sine", timesteps=6, features=2, batch_size=3, seed=0))
    return [
        make_unrolled_figure(cfg, tr, sample=1, colour_by="f"),
        make_gates_figure(tr.layers[0], sample=2, unit=1),
        make_shapes_figure(shape_table(cfg, model), count_params=model.count_params()),
    ]


def test_sendable_sends_exactly_plotlys_json(figures):
    for fig in [*figures, *(for_lecture(f) for f in figures)]:
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
