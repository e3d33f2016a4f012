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
from explorer.figures.trajectories import pca_project
from explorer.figures.unrolled import visible_steps
from explorer.reference import processes_backwards


def traced(cfg: LSTMConfig, batch: int = 3):
    model = build_model(cfg.buildable_prefix())
    x = make_sequence("sine", timesteps=cfg.timesteps, features=cfg.features, batch_size=batch, seed=0)
    return model, trace(model, x)


def cells(fig: go.Figure) -> np.ndarray:
    """(layers, drawn columns) the values the graph's cells are coloured with (NaN: not traced)."""
    heat = next(t for t in fig.data if t.name == "cell colours")
    return np.array(heat.z, dtype=float)[::2, ::2]


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
    values = cells(fig)
    assert values.shape == (CFG.n_layers, CFG.timesteps) and np.isfinite(values).all()
    np.testing.assert_allclose(values[0], tr.layers[0].f[1].mean(axis=-1), rtol=1e-6)
    np.testing.assert_allclose(values[1], tr.layers[1].f[1].mean(axis=-1), rtol=1e-6)
    heat = next(t for t in fig.data if t.name == "cell colours")
    assert np.isnan(np.array(heat.z, dtype=float)[1::2]).all()  # the gaps between rows stay empty
    assert "lstm_2</b>, input step t=3" in heat.customdata[2][4]  # hover: row 2k, column 2j
    assert heat.customdata[1][4] is None and heat.hoverongaps is False
    assert heat.showscale and heat.colorbar.title.text == "mean f"
    assert fig.layout.meta["view"] == "unrolled"
    norms = cells(make_unrolled_figure(CFG, tr, sample=0, colour_by="h_norm"))
    np.testing.assert_allclose(norms[0], np.linalg.norm(tr.layers[0].h[0], axis=-1), rtol=1e-6)


def test_vertical_arrows_follow_return_sequences():
    _, tr = traced(CFG)
    fig = make_unrolled_figure(CFG, tr)
    up = arrows(fig, "up")
    assert sum(1 for seg in up if seg[1] == 1.25) == CFG.timesteps  # lstm_1 returns sequences: every h_t goes up
    assert sum(1 for seg in up if seg[1] == 2.25) == 1  # lstm_2 does not: only its last h leaves
    assert len(arrows(fig, "input")) == CFG.timesteps  # one input arrow per step
    assert arrows(fig, "broken") == []
    heads = next(t for t in fig.data if t.name == "arrowheads")
    drawn = sum(len(arrows(fig, style)) for style in ("c", "h", "up", "input"))
    assert len(heads.x) == drawn  # one head per arrow, at its end
    assert "untraced" not in {t.name for t in fig.data}  # nothing grey to draw


def test_broken_stack_draws_only_the_last_arrow_in_warning_colour():
    broken = CFG.replace(return_sequences=(False, False))
    _, tr = traced(broken)
    fig = make_unrolled_figure(broken, tr)
    assert [seg for seg in arrows(fig, "up") if seg[1] == 1.25] == []
    (seg,) = arrows(fig, "broken")
    assert seg[0] == seg[2] == CFG.timesteps - 1  # straight up from the last step
    assert next(t for t in fig.data if t.name == "broken arrows").line.color == "#D55E00"
    assert any("only h_T" in (a.text or "") for a in fig.layout.annotations)
    values = cells(fig)
    assert np.isfinite(values[0]).all() and np.isnan(values[1]).all()  # only the buildable prefix is coloured
    grey = np.array(next(t for t in fig.data if t.name == "untraced").z, dtype=float)[::2, ::2]
    assert np.isnan(grey[0]).all() and (grey[1] == 0).all()  # lstm_2 drawn grey


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
    assert cells(fig).shape == (1, 11) and np.isfinite(cells(fig)).sum() == 10  # and the "…" column
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
    outlines = [s for s in fig.layout.shapes if s.y0 == 3 - 0.5 and s.y1 == 3 + 0.5]
    assert len(outlines) == 12  # the focused unit's row in each of the six heatmaps, a dark and a white line
    assert {s.yref for s in outlines} == {"y", "y2", "y3", "y4", "y5", "y6"}


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
    banded = make_trajectory_figure(tr, layer=0, sample=1, max_lines=2)
    band = next(t for t in banded.data if "min–max" in (t.name or ""))
    np.testing.assert_allclose(band.y, tr.layers[0].h[1].min(axis=1))
    assert band.fill == "tonexty" and band.yaxis == "y2"  # in the h row, filled up to the max
    plane = make_state_space_figure(tr, layer=0, dims=2, sample=1)
    paths = [t for t in plane.data if t.name and t.name.startswith("sample")]
    assert len(paths) == 3 and all(len(p.x) == CFG.timesteps for p in paths)
    space = make_state_space_figure(tr, layer=0, dims=3)
    assert space.data[0].type == "scatter3d"
    assert plane.layout.meta["view"] == "state_space"


def test_pca_projection_matches_an_svd_and_keeps_its_sign():
    rng = np.random.default_rng(3)
    states = rng.normal(size=(3, 20, 6)) * np.array([5.0, 3.0, 1.0, 0.5, 0.2, 0.1])  # (B, T, U)
    coords, ratio = pca_project(states, 3)
    flat = states.reshape(60, 6) - states.reshape(60, 6).mean(axis=0)
    u, s, _ = np.linalg.svd(flat, full_matrices=False)
    expected = u[:, :3] * s[:3]  # (B·T, 3), up to the sign of each column
    got = coords.reshape(60, 3)
    np.testing.assert_allclose(np.abs(got), np.abs(expected), atol=1e-9)
    np.testing.assert_allclose(ratio, s[:3] ** 2 / (s**2).sum())
    nudged, _ = pca_project(states + rng.normal(scale=1e-3, size=states.shape), 3)  # a very similar model
    np.testing.assert_allclose(nudged, coords, atol=0.05)  # the same picture, not a mirror image
    one_unit, ratio_1 = pca_project(states[:, :, :1], 2)  # fewer units than dims: zeros
    assert np.all(one_unit[..., 1] == 0) and ratio_1.tolist() == [1.0, 0.0]
    flat_path, ratio_0 = pca_project(np.ones((2, 5, 4)), 2)
    assert np.all(flat_path == 0) and np.all(ratio_0 == 0)


def _every_figure():
    _, tr = traced(CFG)
    broken = CFG.replace(return_sequences=(False, False))
    long = LSTMConfig(timesteps=40, features=1, units=(2,), return_sequences=(False,), go_backwards=True)
    model = build_model(CFG)
    yield "unrolled", make_unrolled_figure(CFG, tr, colour_by="c_norm")
    yield "unrolled, no trace", make_unrolled_figure(CFG)
    yield "unrolled, broken", make_unrolled_figure(broken, traced(broken)[1])
    yield "unrolled, long, backwards", make_unrolled_figure(long, traced(long)[1])
    yield "shapes", make_shapes_figure(shape_table(CFG, model), count_params=model.count_params())
    yield "gates", make_gates_figure(tr.layers[1], sample=1, unit=2)
    yield "trajectories", make_trajectory_figure(tr, layer=1)
    yield "trajectories with a band", make_trajectory_figure(tr, layer=0, max_lines=2)
    yield "state space 2-D", make_state_space_figure(tr, dims=2, sample=0)
    yield "state space 3-D", make_state_space_figure(tr, dims=3)


def test_every_figure_is_valid_plotly():
    """Figures on the hot path skip Plotly's validation when built (~40 ms); here every property is validated."""
    for name, fig in _every_figure():
        spec = fig.to_dict()
        assert spec["data"] or spec["layout"]["shapes"], name
        go.Figure(spec)  # raises ValueError on any invalid property or value


def _training_figures():
    """Training figures for every task, with a short run's numbers (no Keras: a made-up but shaped history)."""
    from explorer.figures.training import make_predictions_figure, make_training_curve_figure
    from explorer.training.snapshots import Snapshot
    from explorer.training.tasks import TASKS

    losses = np.linspace(2.0, 0.05, 900, dtype=np.float32)
    snaps = tuple(Snapshot(s, s / 64, (), float(losses[max(s - 1, 0)]), 0.2 + s / 1200) for s in range(0, 901, 100))
    for key, task in TASKS.items():
        data = task.generate(3, task.default_timesteps, seed=0)
        predictions = task.predict_memoryless(data)
        labels = None if data.labels is None else list(data.labels[1])
        for compact in (False, True):
            curve = make_training_curve_figure(
                task, losses, snaps, total_steps=1000, baseline_loss=1.5, baseline_metric=0.2, selected_step=300, compact=compact
            )
            yield f"{key} curve{' compact' if compact else ''}", curve
        yield f"{key} predictions", make_predictions_figure(task, data.y, predictions, sample=1, step_labels=labels)


def test_training_figures_are_valid_and_show_the_run():
    figs = dict(_training_figures())
    for name, fig in figs.items():
        go.Figure(fig.to_dict())  # validates every property
        assert fig.layout.meta["view"] in ("training_curve", "predictions"), name
    curve = figs["brackets curve"]
    names = [t.name for t in curve.data]
    assert names == ["training loss", "held-out loss", "exact depth"]
    assert len(curve.data[0].x) <= 400 and curve.data[0].x[-1] == 900  # binned, up to the last step
    assert list(curve.data[1].x) == list(range(0, 901, 100))
    assert curve.layout.yaxis.type == "log"
    lines = [s for s in curve.layout.shapes if s.x0 == s.x1]
    assert [s.x0 for s in lines] == [300, 300]  # the snapshot the views show, on both rows
    assert any(abs(s.y0 - 0.95) < 1e-9 for s in curve.layout.shapes)  # the success threshold
    assert len(figs["brackets curve compact"].data) == 2
    predictions = figs["brackets predictions"]
    assert [t.name for t in predictions.data] == ["target", "prediction"]
    assert all(t.endswith(("(", ")")) for t in predictions.layout.xaxis.ticktext)
    first = figs["first predictions"]
    assert [t.name for t in first.data][:3] == ["P(A)", "P(B)", "P(C)"]


def test_step_labels_follow_processing_order_in_the_gates_view():
    cfg = LSTMConfig(timesteps=4, features=2, units=(3,), return_sequences=(True,), go_backwards=True)
    _, tr = traced(cfg)
    labels = ["(", "(", ")", "("]
    fig = make_gates_figure(tr.layers[0], step_labels=labels[::-1])  # the caller reverses for a backwards layer
    assert [t.split("<br>")[1] for t in fig.layout.xaxis7.ticktext] == ["(", ")", "(", "("]
    graph = make_unrolled_figure(cfg, tr, step_labels=labels)
    texts = next(t for t in graph.data if t.name == "labels").text
    assert "x<sub>3</sub> <b>)</b>" in texts
