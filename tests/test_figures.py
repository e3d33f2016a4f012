"""Figure functions, tested on chosen attributes against the traced arrays."""

import numpy as np
import plotly.graph_objects as go
import pytest

from explorer import LSTMConfig, build_model, make_sequence, shape_table, trace
from explorer.figures import (
    make_gates_figure,
    make_shapes_figure,
    make_state_space_figure,
    make_trajectory_figure,
    make_unrolled_figure,
)
from explorer.figures.gates import MAX_UNITS
from explorer.figures.unrolled import processes_backwards, visible_steps


def traced(cfg: LSTMConfig, batch: int = 3):
    model = build_model(cfg.buildable_prefix())
    x = make_sequence("sine", timesteps=cfg.timesteps, features=cfg.features, batch_size=batch, seed=0)
    return model, trace(model, x)


def cells(fig: go.Figure):
    return next(t for t in fig.data if t.name == "cells")


def arrows(fig: go.Figure, style: str) -> list[tuple]:
    """Segments ``(x0, y0, x1, y1)`` of one arrow style (traces named "<style> arrows")."""
    trace = next((t for t in fig.data if t.name == f"{style} arrows"), None)
    if trace is None:
        return []
    x, y = list(trace.x), list(trace.y)
    return [(x[i], y[i], x[i + 1], y[i + 1]) for i in range(0, len(x), 3)]


CFG = LSTMConfig(timesteps=6, features=2, units=(5, 4), return_sequences=(True, False))


def test_unrolled_cells_hold_the_traced_values():
    _, tr = traced(CFG)
    fig = make_unrolled_figure(CFG, tr, sample=1, colour_by="f")
    cell_trace = cells(fig)
    assert len(cell_trace.x) == CFG.n_layers * CFG.timesteps
    first_row = np.array(cell_trace.marker.color[: CFG.timesteps])
    np.testing.assert_allclose(first_row, tr.layers[0].f[1].mean(axis=-1), rtol=1e-6)
    heat = np.array(next(t for t in fig.data if t.name == "cell colours").z, dtype=float)
    np.testing.assert_allclose(heat[0, ::2], first_row)  # the drawn colours are the same values
    assert fig.layout.meta["view"] == "unrolled"
    norms = cells(make_unrolled_figure(CFG, tr, sample=0, colour_by="h_norm")).marker.color
    np.testing.assert_allclose(norms[: CFG.timesteps], np.linalg.norm(tr.layers[0].h[0], axis=-1), rtol=1e-6)


def test_vertical_arrows_follow_return_sequences():
    _, tr = traced(CFG)
    fig = make_unrolled_figure(CFG, tr)
    up = arrows(fig, "up")
    assert sum(1 for seg in up if seg[1] == 1.25) == CFG.timesteps  # lstm_1 returns sequences: every h_t goes up
    assert sum(1 for seg in up if seg[1] == 2.25) == 1  # lstm_2 does not: only its last h leaves
    assert len(arrows(fig, "input")) == CFG.timesteps  # one input arrow per step
    assert arrows(fig, "broken") == []


def test_broken_stack_draws_only_the_last_arrow_in_warning_colour():
    broken = CFG.replace(return_sequences=(False, False))
    _, tr = traced(broken)
    fig = make_unrolled_figure(broken, tr)
    assert [seg for seg in arrows(fig, "up") if seg[1] == 1.25] == []
    (seg,) = arrows(fig, "broken")
    assert seg[0] == seg[2] == CFG.timesteps - 1  # straight up from the last step
    assert next(t for t in fig.data if t.name == "broken arrows").line.color == "#D55E00"
    assert any("only h_T" in (a.text or "") for a in fig.layout.annotations)
    assert set(cells(fig).y) == {1}  # only the buildable prefix is coloured
    colours = np.array(next(t for t in fig.data if t.name == "cell colours").z, dtype=float)
    assert np.isfinite(colours[0, ::2]).all() and np.isnan(colours[2]).all()  # row 2 (lstm_2) uncoloured


def test_go_backwards_reverses_the_horizontal_arrows_and_alternates_in_a_stack():
    cfg = CFG.replace(go_backwards=True, return_sequences=(True, True))
    assert processes_backwards(cfg) == [True, False]
    fig = make_unrolled_figure(cfg, traced(cfg)[1])
    row1 = [seg for seg in arrows(fig, "h") if seg[1] == 1 - 0.12]
    row2 = [seg for seg in arrows(fig, "h") if seg[1] == 2 - 0.12]
    assert row1 and all(x1 < x0 for x0, _, x1, _ in row1)  # right to left
    assert row2 and all(x1 > x0 for x0, _, x1, _ in row2)  # left to right again


def test_long_sequences_are_abbreviated():
    assert visible_steps(5) == [0, 1, 2, 3, 4]
    assert visible_steps(200) == [0, 1, 2, 3, 4, None, 195, 196, 197, 198, 199]
    cfg = LSTMConfig(timesteps=200, features=1, units=(2,), return_sequences=(False,))
    fig = make_unrolled_figure(cfg, traced(cfg, batch=1)[1])
    assert len(cells(fig).x) == 10
    assert "…" in next(t for t in fig.data if t.name == "labels").text
    assert arrows(fig, "gap")  # dotted h and c through the ellipsis


def test_shapes_figure_total_and_slices():
    cfg = LSTMConfig(timesteps=10, features=64, units=(32, 16), return_sequences=(True, False), head_units=2)
    model = build_model(cfg)
    fig = make_shapes_figure(shape_table(cfg, model), count_params=model.count_params())
    assert fig.layout.meta["total_params"] == model.count_params()
    names = [s.name for s in fig.layout.shapes if s.name]
    assert names.count("lstm_1.kernel.i") == 1
    assert len([n for n in names if n.startswith("lstm_2.")]) == 12  # 3 weights × 4 gate slices
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "kernel<br>(64, 128)" in texts and "recurrent_kernel<br>(32, 128)" in texts and "bias<br>(128,)" in texts
    assert "(None, 10, 32)" in texts and "= 12,416" in texts


def test_gates_figure_heatmaps_equal_the_trace():
    _, tr = traced(CFG)
    fig = make_gates_figure(tr.layers[0], sample=2, unit=3)
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert [h.name for h in heatmaps] == ["i", "f", "g", "o", "c", "h"]
    for h in heatmaps:
        np.testing.assert_allclose(np.array(h.z), tr.layers[0].gate(h.name)[2].T, rtol=1e-6)
    assert fig.layout.coloraxis.cmin == 0 and fig.layout.coloraxis.cmax == 1
    assert fig.layout.coloraxis2.cmid == 0
    lines = [t for t in fig.data if t.type == "scatter"]
    np.testing.assert_allclose(lines[1].y, tr.layers[0].f[2, :, 3])
    assert fig.layout.xaxis7.title.text == "processing step"


def test_gates_figure_windows_wide_layers():
    cfg = LSTMConfig(timesteps=3, features=1, units=(100,), return_sequences=(False,))
    _, tr = traced(cfg, batch=1)
    fig = make_gates_figure(tr.layers[0], unit=90)
    z = np.array(fig.data[0].z)
    assert z.shape == (MAX_UNITS, 3)
    assert 90 in list(fig.data[0].y)


def test_trajectories_and_state_space():
    _, tr = traced(CFG)
    fig = make_trajectory_figure(tr, layer=0, sample=1)
    h0 = next(t for t in fig.data if t.name == "h[0]")
    np.testing.assert_allclose(h0.y, tr.layers[0].h[1, :, 0])
    assert next(t for t in fig.data if t.name == "x[1]").y.tolist() == pytest.approx(tr.x[1, :, 1].tolist())
    assert any("min–max" in (t.name or "") for t in fig.data) is False  # 5 units: all drawn as lines
    plane = make_state_space_figure(tr, layer=0, dims=2, sample=1)
    paths = [t for t in plane.data if t.name and t.name.startswith("sample")]
    assert len(paths) == 3 and all(len(p.x) == CFG.timesteps for p in paths)
    space = make_state_space_figure(tr, layer=0, dims=3)
    assert space.data[0].type == "scatter3d"
    assert plane.layout.meta["view"] == "state_space"
