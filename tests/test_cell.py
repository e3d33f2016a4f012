"""The cell view's numbers: every value on the diagram equals the trace, and Keras's own h_t."""

import base64
import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from explorer import LSTMConfig, build_model, extract_weights, make_sequence, trace
from explorer._keras import keras
from explorer.cell.anatomy import cell_step, processing_index, reads_backwards
from explorer.cell.equations import equations, gate_form, number
from explorer.figures.cell import DYNAMIC, make_cell_figure
from explorer.reference import ACTIVATION_FUNCTIONS

ATOL = 1e-5
CONFIGS = {
    "default": LSTMConfig(timesteps=5, features=3, units=(4, 3), return_sequences=(True, True)),
    "backwards, no bias, relu, hard_sigmoid": LSTMConfig(
        timesteps=6, features=2, units=(3, 5, 2), return_sequences=(True, True, True), go_backwards=True,
        use_bias=False, activation="relu", recurrent_activation="hard_sigmoid", seed=7,
    ),
}  # fmt: skip


@pytest.fixture(scope="module", params=list(CONFIGS), ids=list(CONFIGS))
def traced(request):
    cfg = CONFIGS[request.param]
    model = build_model(cfg)
    x = make_sequence("random_walk", timesteps=cfg.timesteps, features=cfg.features, batch_size=2, seed=3)
    return cfg, model, extract_weights(model), trace(model, x), x


def every_focus(cfg):
    for layer in range(cfg.n_layers):
        for step in range(1, cfg.timesteps + 1):
            for unit in range(cfg.units[layer]):
                yield layer, step, unit


def test_the_diagram_numbers_are_the_trace_and_add_up(traced):
    cfg, _, weights, tr, _ = traced
    for layer, step, unit in every_focus(cfg):
        s = cell_step(weights.lstm[layer], tr, layer=layer, sample=1, step=step, unit=unit)
        lt, p = tr.layers[layer], processing_index(tr, layer, step)
        for name, gate in s.gates.items():
            assert gate.value == pytest.approx(float(lt.gate(name)[1, p, unit]), abs=ATOL)
            # The three shares add up to the pre-activation the gate's own activation turns into its value.
            assert float(ACTIVATION_FUNCTIONS[gate.activation](np.float32(gate.z))) == pytest.approx(gate.value, abs=ATOL)
            assert gate.bias == 0.0 or cfg.use_bias
        g = {n: s.gates[n].value for n in "ifgo"}
        assert s.c == pytest.approx(g["f"] * s.c_prev_unit + g["i"] * g["g"], abs=ATOL)
        assert s.h == pytest.approx(g["o"] * s.squashed_c, abs=ATOL)
        assert s.c == float(lt.c[1, p, unit]) and s.h == float(lt.h[1, p, unit])
        np.testing.assert_array_equal(s.all_units["f"], lt.f[1, p])


def test_the_diagram_h_is_keras_own_h(traced):
    cfg, model, weights, tr, x = traced
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    keras_h = keras.Model(model.inputs, [layer.output for layer in lstms]).predict(x, verbose=0)  # each (B, T, U)
    for layer, step, unit in every_focus(cfg):
        s = cell_step(weights.lstm[layer], tr, layer=layer, sample=0, step=step, unit=unit)
        p = s.position - 1  # Keras returns a backwards layer's sequence in processing order too
        assert s.h == pytest.approx(float(keras_h[layer][0, p, unit]), abs=ATOL)


def test_backwards_layers_alternate_and_steps_map_to_positions(traced):
    cfg, _, weights, tr, _ = traced
    T = cfg.timesteps
    for layer in range(cfg.n_layers):
        backwards = cfg.go_backwards and layer % 2 == 0
        assert reads_backwards(tr, layer) == backwards
        s = cell_step(weights.lstm[layer], tr, layer=layer, sample=0, step=1, unit=0)
        assert s.position == (T if backwards else 1)
        first = cell_step(weights.lstm[layer], tr, layer=layer, sample=0, step=T if backwards else 1, unit=0)
        np.testing.assert_array_equal(first.h_prev, tr.layers[layer].h0[0])  # the first processed step starts from h0
    with pytest.raises(ValueError, match="outside"):
        cell_step(weights.lstm[0], tr, layer=0, sample=0, step=T + 1, unit=0)


def numbers_in(text: str) -> list[float]:
    return [float(v.replace("−", "-")) for v in re.findall(r"[−-]?\d+\.\d+", text)]


def test_equations_carry_the_step_numbers(traced):
    cfg, _, weights, tr, _ = traced
    s = cell_step(weights.lstm[-1], tr, layer=cfg.n_layers - 1, sample=0, step=2, unit=1)
    lines = equations(s)
    assert [line.split(" = ")[0] for line in lines] == ["f", "i", "g", "o", "cₜ", "hₜ"]
    f = s.gates["f"]
    shares = [f.from_x, f.from_h] + ([f.bias] if cfg.use_bias else [])
    np.testing.assert_allclose(numbers_in(lines[0]), [*shares, f.z, f.value], atol=1e-3)
    assert ("b_f" in lines[0]) == cfg.use_bias and ("+ b" in gate_form(s)) == cfg.use_bias
    assert numbers_in(lines[4]) == pytest.approx([f.value, s.c_prev_unit, s.gates["i"].value, s.gates["g"].value, s.c], abs=1e-3)
    assert numbers_in(lines[5])[-1] == pytest.approx(s.h, abs=1e-3)
    symbol = {"sigmoid": "σ(", "hard_sigmoid": "hard_σ("}[cfg.recurrent_activation]
    assert lines[0].startswith(f"f = {symbol}")
    assert ("tanh(" in lines[2]) == (cfg.activation == "tanh") and ("relu(" in lines[2]) == (cfg.activation == "relu")


def test_number_formatting():
    assert number(0.3154) == "0.315" and number(-0.55) == "−0.550" and number(-0.55, bracket=True) == "(−0.550)"
    assert number(-0.0001) == "0.000"  # no "−0.000"


def test_cell_figure_shows_the_step_and_plays_every_step(traced):
    cfg, _, weights, tr, _ = traced
    layer = cfg.n_layers - 1
    steps = [cell_step(weights.lstm[layer], tr, layer=layer, sample=0, step=t, unit=1) for t in range(1, cfg.timesteps + 1)]
    focus = steps[2]
    fig = make_cell_figure(focus, steps)
    go.Figure(fig.to_dict())  # every property valid
    assert fig.layout.meta["view"] == "cell"
    names = [t.name for t in fig.data]
    assert names[1 : 1 + len(DYNAMIC)] == list(DYNAMIC)
    text = " ".join(next(t for t in fig.data if t.name == "numbers").text)
    for name, gate in focus.gates.items():
        assert f"{name} = {number(gate.value, 2)}" in text
        assert f"W·x {number(gate.from_x, 2)}" in text
    assert f"cₜ = {number(focus.c)}" in text and f"hₜ = {number(focus.h)}" in text
    assert ("no bias" in text) == (not cfg.use_bias)
    assert ("read backwards" in text) == focus.backwards
    eq = next(t for t in fig.data if t.name == "equations").text
    assert list(eq[1:]) == equations(focus, symbolic=False)
    bars = next(t for t in fig.data if t.name == "bars c")
    np.testing.assert_array_equal(bars.y, focus.all_units["c"])
    assert bars.marker.color[1] != bars.marker.color[0]  # the focused unit stands out
    # The player: one frame per step, each carrying that step's numbers; the slider starts at the focus.
    frames = json.loads(fig.to_json())["frames"]  # as the browser gets them (unvalidated Frames cannot be read by attribute)
    assert [f["name"] for f in frames] == [str(t) for t in range(1, cfg.timesteps + 1)]
    assert fig.layout.sliders[0].active == 2
    last = frames[-1]
    assert list(last["traces"]) == list(range(1, 1 + len(DYNAMIC)))
    assert f"cₜ = {number(steps[-1].c)}" in " ".join(last["data"][0]["text"])
    np.testing.assert_array_equal(
        decoded(last["data"][2 + 4]["y"]), steps[-1].all_units["c"]
    )  # numbers, equations, bars i f g o c
    assert "marker" not in last["data"][2]  # frames carry what moves, not the styles


def decoded(array) -> np.ndarray:
    """A Plotly JSON array: a list, or a base64 typed array."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def test_a_tasks_input_is_named_beside_x_t(traced):
    cfg, _, weights, tr, _ = traced
    steps = [cell_step(weights.lstm[0], tr, layer=0, sample=0, step=t, unit=0) for t in range(1, cfg.timesteps + 1)]
    labels = ["(" if t % 2 else ")" for t in range(1, cfg.timesteps + 1)]
    fig = make_cell_figure(steps[1], steps, step_labels=labels)
    text = " ".join(next(t for t in fig.data if t.name == "numbers").text)
    assert "xₜ = <b>)</b> = [" in text  # input step 2
    frames = json.loads(fig.to_json())["frames"]
    assert "xₜ = <b>(</b> = [" in " ".join(frames[2]["data"][0]["text"])  # input step 3, in the player
    assert "xₜ = [" in " ".join(next(t for t in make_cell_figure(steps[1], steps).data if t.name == "numbers").text)


def test_wide_layers_show_a_window_of_units():
    cfg = LSTMConfig(timesteps=3, features=2, units=(80,), return_sequences=(False,))
    model = build_model(cfg)
    tr = trace(model, make_sequence("sine", timesteps=3, features=2, batch_size=1, seed=0))
    s = cell_step(extract_weights(model).lstm[0], tr, layer=0, sample=0, step=3, unit=70)
    bars = next(t for t in make_cell_figure(s).data if t.name == "bars h")
    assert len(bars.y) == 32 and 70 in list(bars.x)


def test_the_pages_cell_figures_at_every_step_of_one_unit_share_one_players_frames():
    """A step move in the cell view makes the diagram at the new step, not the player's frames again: the cached
    figures of one (layer, sample, unit) hold the very same frames; another unit has frames of its own."""
    from explorer.ui.cell_view import cell_figure
    from explorer.view import ViewConfig

    cfg = LSTMConfig(timesteps=5, features=2, units=(4,), return_sequences=(True,), seed=11)
    data = ViewConfig(model=cfg).data_key
    at_2, at_4, other_unit = (
        cell_figure(cfg, data, 0, 0, 1, 2),
        cell_figure(cfg, data, 0, 0, 1, 4),
        cell_figure(cfg, data, 0, 0, 2, 4),
    )
    assert len(at_2.frames) == 5 and all(a is b for a, b in zip(at_2._frame_objs, at_4._frame_objs, strict=True))
    assert not any(a is b for a, b in zip(at_4._frame_objs, other_unit._frame_objs, strict=True))
    assert at_2.layout.sliders[0].active == 1 and at_4.layout.sliders[0].active == 3
    own = make_cell_figure(*_steps_at(cfg, data, unit=1, step=4))  # made without the page's caches
    assert at_4.to_dict() == own.to_dict()


def _steps_at(cfg, data_key, *, unit: int, step: int):
    from explorer.ui import cache

    tr = cache.view_trace(cfg, data_key, None)
    lstm = cache.traced_weights(cfg).lstm[0]
    steps = [cell_step(lstm, tr, layer=0, sample=0, step=t, unit=unit) for t in range(1, cfg.timesteps + 1)]
    return steps[step - 1], steps
