"""Lecture mode: every figure's text reads from the back of a room, and the URL keeps the same view."""

import json

import numpy as np
import plotly.graph_objects as go
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
from explorer.figures.lecture import MIN_TEXT, for_lecture
from explorer.view import ViewConfig

CFG = LSTMConfig(timesteps=6, features=2, units=(5, 4), return_sequences=(True, False))


def figures():
    model = build_model(CFG)
    weights = extract_weights(model)
    tr = trace(weights, make_sequence("sine", timesteps=6, features=2, batch_size=2, seed=0))
    steps = [cell_step(weights.lstm[0], tr, layer=0, sample=0, step=t, unit=1) for t in range(1, 7)]
    yield "unrolled", make_unrolled_figure(CFG, tr, focus=(0, 3))
    yield "gates", make_gates_figure(tr.layers[0], step=2)
    yield "trajectories", make_trajectory_figure(tr, step=2)
    yield "state space", make_state_space_figure(tr, sample=0, step=2)
    yield "shapes", make_shapes_figure(shape_table(CFG, model), count_params=model.count_params())
    yield "cell", make_cell_figure(steps[2], steps)
    from tests.test_figures import _training_figures

    training = dict(_training_figures())
    yield "training curve", training["brackets curve"]
    yield "predictions", training["brackets predictions"]
    # The Questions tab's answers are drawn through the same chart helper, lecture mode included.
    from explorer.answers import activation_curves
    from explorer.figures.questions import make_activation_curves_figure, make_params_vs_timesteps_figure

    yield "params vs timesteps", make_params_vs_timesteps_figure([(1, 96), (6, 96), (100, 96)], current_timesteps=6)
    z = np.linspace(-6, 6, 25, dtype=np.float32)
    yield "activation curves", make_activation_curves_figure(z, activation_curves(z))


def text_sizes(spec: dict) -> list[tuple[str, float]]:
    """Every font size a figure sets for text a viewer reads: titles, axis titles, annotations, text traces, legend."""
    layout = spec["layout"]
    base = layout.get("font", {}).get("size", 12)
    sizes = [("title", layout["title"]["font"]["size"])] if "font" in layout.get("title", {}) else []
    sizes += [
        (f"annotation {a.get('text', '')[:20]}", a.get("font", {}).get("size", base)) for a in layout.get("annotations", [])
    ]
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and axis.get("title", {}).get("text"):
            sizes.append((f"{key} title", axis["title"].get("font", {}).get("size", base)))
    for t in spec["data"]:
        if "text" in str(t.get("mode", "")):
            size = t.get("textfont", {}).get("size", base)
            sizes += [(f"text of {t.get('name')}", s) for s in np.atleast_1d(size)]
    sizes.append(("legend", layout.get("legend", {}).get("font", {}).get("size", base)))
    return sizes


@pytest.mark.parametrize(("name", "fig"), list(figures()), ids=[n for n, _ in figures()])
def test_every_figure_in_lecture_mode_has_large_text_and_thick_lines(name, fig):
    small = [(what, size) for what, size in text_sizes(json.loads(fig.to_json())) if size < MIN_TEXT]
    big = for_lecture(fig)
    go.Figure(big.to_dict())  # still a valid figure
    spec = json.loads(big.to_json())
    assert [(w, s) for w, s in text_sizes(spec) if s < MIN_TEXT] == [], name
    assert small, f"{name}: nothing was below {MIN_TEXT} px before (the test would prove nothing)"
    widths = [t["line"]["width"] for t in json.loads(fig.to_json())["data"] if "width" in t.get("line", {})]
    big_widths = [t["line"]["width"] for t in spec["data"] if "width" in t.get("line", {})]
    assert big_widths == [w * 1.6 for w in widths]
    assert len(spec.get("frames", [])) == len(json.loads(fig.to_json()).get("frames", []))  # the player survives
    assert fig.layout.font.size < big.layout.font.size  # the original (a shared cached figure) is untouched


def test_a_lecture_url_opens_the_same_model_and_view():
    query = {"units": "6,5", "timesteps": "30", "view": "gates", "unit": "3", "step": "9", "task": "brackets"}
    plain, _ = ViewConfig.from_query_params(query)
    lecture, notices = ViewConfig.from_query_params({**query, "lecture": "1"})
    assert not notices and lecture.lecture and not plain.lecture
    assert lecture.replace(lecture=False) == plain
    assert lecture.to_query_params() == {**plain.to_query_params(), "lecture": "1"}
