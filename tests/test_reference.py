"""The NumPy reference LSTM against Keras itself, over a seeded grid of configs and options."""

import numpy as np
import pytest

from explorer import LSTMConfig, build_model, extract_weights, keras_check, keras_differences, make_sequence, trace
from explorer.config import ACTIVATIONS, HEAD_ACTIVATIONS, RECURRENT_ACTIVATIONS
from explorer.reference import ACTIVATION_FUNCTIONS

ATOL = 1e-5


def random_config(rng: np.random.Generator) -> LSTMConfig:
    n = int(rng.integers(1, 5))
    return LSTMConfig(
        timesteps=int(rng.integers(1, 7)),
        features=int(rng.integers(1, 5)),
        units=tuple(int(u) for u in rng.integers(1, 7, size=n)),
        return_sequences=(*([True] * (n - 1)), bool(rng.integers(2))),
        return_state=bool(rng.integers(2)),
        go_backwards=bool(rng.integers(2)),
        activation=str(rng.choice(ACTIVATIONS)),
        recurrent_activation=str(rng.choice(RECURRENT_ACTIVATIONS)),
        use_bias=bool(rng.integers(2)),
        unit_forget_bias=bool(rng.integers(2)),
        head_units=int(rng.choice([0, 0, 1, 3])),
        head_activation=str(rng.choice(HEAD_ACTIVATIONS)),
        seed=int(rng.integers(0, 1000)),
    )


EVERY_ACTIVATION_PAIR = pytest.mark.parametrize(
    ("activation", "recurrent_activation"), [(a, r) for a in ACTIVATIONS for r in RECURRENT_ACTIVATIONS]
)
GRID = [random_config(np.random.default_rng(seed)) for seed in range(16)]


@pytest.mark.parametrize("cfg", GRID, ids=[f"cfg{k}" for k in range(len(GRID))])
def test_trace_matches_keras_on_random_grid(cfg):
    model = build_model(cfg)
    x = make_sequence("random_walk", timesteps=cfg.timesteps, features=cfg.features, batch_size=2, seed=cfg.seed)
    tr = trace(model, x)
    diffs = keras_differences(model, x, tr)
    assert {f"{name}.h" for name in cfg.layer_names} <= diffs.keys()
    assert "output" in diffs
    assert ("state_h" in diffs) == cfg.return_state
    assert max(diffs.values()) < ATOL, diffs
    # the check computes the output with copies of the model's layers; the real model says the same
    outs = model(x, training=False)
    outs = outs if isinstance(outs, list | tuple) else [outs]
    np.testing.assert_allclose(np.asarray(outs[0]), tr.output, atol=ATOL, rtol=0)
    if cfg.return_state:
        np.testing.assert_allclose(np.asarray(outs[1]), tr.layers[-1].final_h, atol=ATOL, rtol=0)
        np.testing.assert_allclose(np.asarray(outs[2]), tr.layers[-1].final_c, atol=ATOL, rtol=0)


def test_every_option_value_is_covered_by_the_grid():
    # The grid is random; make sure it really exercises each option value at least once.
    for name, values in [
        ("activation", ACTIVATIONS),
        ("recurrent_activation", RECURRENT_ACTIVATIONS),
        ("go_backwards", (True, False)),
        ("use_bias", (True, False)),
        ("return_state", (True, False)),
        ("unit_forget_bias", (True, False)),
    ]:
        assert {getattr(c, name) for c in GRID} == set(values), name
    assert {c.n_layers for c in GRID} == {1, 2, 3, 4}
    assert any(c.head_units for c in GRID)


def test_trace_shapes_and_final_states():
    cfg = LSTMConfig(timesteps=6, features=3, units=(5, 4), return_sequences=(True, False), head_units=2)
    model = build_model(cfg)
    x = make_sequence("sine", timesteps=6, features=3, batch_size=3, seed=0)
    tr = trace(model, x)
    for layer, units in zip(tr.layers, cfg.units, strict=True):
        for name in "ifgoch":
            assert layer.gate(name).shape == (3, 6, units)
        assert np.array_equal(layer.final_h, layer.h[:, -1])
    assert tr.output.shape == (3, 2)
    floats = 3 * 6 * 3 + 3 * 2 + sum(6 * 3 * 6 * u + 2 * 3 * u for u in cfg.units)  # x, output, 6 gates, h0 and c0
    assert tr.nbytes == 4 * floats  # float32: what caching the trace costs


def test_trace_from_extracted_weights_equals_trace_from_model():
    cfg = LSTMConfig(timesteps=5, features=2, units=(3, 2), return_sequences=(True, True))
    model = build_model(cfg)
    x = make_sequence("square", timesteps=5, features=2, batch_size=2, seed=4)
    assert np.array_equal(trace(model, x).output, trace(extract_weights(model), x).output)


def test_initial_state_matches_keras():
    cfg = LSTMConfig(timesteps=5, features=2, units=(4, 3), return_sequences=(True, False))
    model = build_model(cfg)
    x = make_sequence("sine", timesteps=5, features=2, batch_size=2, seed=1)
    rng = np.random.default_rng(0)
    init = [(rng.normal(size=(2, u)).astype(np.float32), rng.normal(size=(2, u)).astype(np.float32)) for u in cfg.units]
    tr = trace(model, x, initial_state=init)
    assert np.array_equal(tr.layers[0].h0, init[0][0])
    diffs = keras_differences(model, x, tr)
    assert "output" in diffs  # the model's output from these states, computed by Keras layers
    assert max(diffs.values()) < ATOL
    assert not np.allclose(tr.layers[1].final_h, trace(model, x).layers[1].final_h)


@EVERY_ACTIVATION_PAIR
def test_gate_invariants(activation, recurrent_activation):
    cfg = LSTMConfig(
        timesteps=8,
        features=3,
        units=(6,),
        return_sequences=(True,),
        activation=activation,
        recurrent_activation=recurrent_activation,
    )
    x = 3 * make_sequence("noisy_sine", timesteps=8, features=3, batch_size=2, seed=2)
    layer = trace(build_model(cfg), x).layers[0]
    for gate in (layer.i, layer.f, layer.o):
        assert gate.min() >= 0 and gate.max() <= 1
    if activation == "tanh":
        assert np.abs(layer.g).max() <= 1
    act = ACTIVATION_FUNCTIONS[activation]
    np.testing.assert_allclose(layer.h, layer.o * act(layer.c), atol=1e-6)
    c_prev = np.concatenate([layer.c0[:, None], layer.c[:, :-1]], axis=1)
    np.testing.assert_allclose(layer.c, layer.f * c_prev + layer.i * layer.g, atol=1e-6)


def test_go_backwards_processes_the_last_input_step_first():
    cfg = LSTMConfig(timesteps=5, features=1, units=(2,), return_sequences=(True,), go_backwards=True)
    model = build_model(cfg)
    x = make_sequence("impulse", timesteps=5, features=1, batch_size=1, seed=0)
    forward = trace(build_model(cfg.replace(go_backwards=False)), x[:, ::-1])
    backward = trace(model, x)
    np.testing.assert_allclose(backward.layers[0].h, forward.layers[0].h, atol=1e-7)


def test_keras_check_is_small_and_detects_a_wrong_trace():
    cfg = LSTMConfig(timesteps=4, features=2, units=(3,), return_sequences=(False,))
    model = build_model(cfg)
    x = make_sequence("sine", timesteps=4, features=2, batch_size=1, seed=0)
    tr = trace(model, x)
    assert keras_check(model, x, tr) < ATOL
    other = trace(build_model(cfg.replace(seed=5)), x)
    assert keras_check(model, x, other) > 1e-3


def test_a_checked_model_can_be_freed():
    # The check's probes are kept per structure; none may keep a checked model alive.
    import gc
    import weakref

    from explorer.check import _PROBES

    cfg = LSTMConfig(timesteps=3, features=2, units=(2,), return_sequences=(False,))
    model = build_model(cfg)
    x = make_sequence("sine", timesteps=3, features=2, batch_size=1, seed=0)
    keras_check(model, x, trace(model, x))
    assert _PROBES
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None  # freed, though its structure's probe is kept


def test_every_gate_equals_the_textbook_step_in_kerass_gate_order():
    """h and c are checked against Keras; the gates themselves against the equations, slice by slice (i | f | c | o)."""
    cfg = LSTMConfig(timesteps=7, features=3, units=(5, 4), return_sequences=(True, True), go_backwards=True)
    weights = extract_weights(build_model(cfg))
    x = make_sequence("random_walk", timesteps=7, features=3, batch_size=2, seed=3)
    tr = trace(weights, x)

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    inputs = x.astype(np.float64)
    for w, layer in zip(weights.lstm, tr.layers, strict=True):
        u = w.units
        h, c = np.zeros((2, u)), np.zeros((2, u))
        seq = inputs[:, ::-1] if w.go_backwards else inputs
        for t in range(seq.shape[1]):
            z = seq[:, t] @ w.kernel + h @ w.recurrent_kernel + w.bias
            i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u : 2 * u]), np.tanh(z[:, 2 * u : 3 * u]), sigmoid(z[:, 3 * u :])
            c = f * c + i * g
            h = o * np.tanh(c)
            for name, value in {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h}.items():
                np.testing.assert_allclose(layer.gate(name)[:, t], value, atol=ATOL, err_msg=f"{w.name} {name} t={t}")
        inputs = layer.h.astype(np.float64)  # the next layer reads this layer's sequence, as Keras hands it on


def _textbook_layer(w, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """One layer in float64, straight from the equations in Keras's gate order (no reordering, no halving)."""
    act, rec = ACTIVATION_FUNCTIONS[w.activation], ACTIVATION_FUNCTIONS[w.recurrent_activation]
    u, (batch, steps, _) = w.units, inputs.shape
    seq = inputs[:, ::-1] if w.go_backwards else inputs
    h, c = np.zeros((batch, u)), np.zeros((batch, u))
    out = {name: np.empty((batch, steps, u)) for name in "ifgoch"}
    for t in range(steps):
        z = seq[:, t] @ w.kernel + h @ w.recurrent_kernel + w.bias
        i, f, g, o = rec(z[:, :u]), rec(z[:, u : 2 * u]), act(z[:, 2 * u : 3 * u]), rec(z[:, 3 * u :])
        c = f * c + i * g
        h = o * act(c)
        for name, value in {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h}.items():
            out[name][:, t] = value
    return out


@EVERY_ACTIVATION_PAIR
def test_every_activation_pair_matches_the_textbook_at_batch_three(activation, recurrent_activation):
    # The loop halves the sigmoid gates' weights and activates all four slices with one tanh when it can;
    # every other pair takes the general path. Both must give the equations' numbers, gate by gate.
    cfg = LSTMConfig(
        timesteps=6,
        features=3,
        units=(5, 4),
        return_sequences=(True, True),
        activation=activation,
        recurrent_activation=recurrent_activation,
        use_bias=activation != "relu",
    )
    weights = extract_weights(build_model(cfg))
    x = 2 * make_sequence("noisy_sine", timesteps=6, features=3, batch_size=3, seed=4)
    tr = trace(weights, x)
    inputs = x.astype(np.float64)
    for w, layer in zip(weights.lstm, tr.layers, strict=True):
        expected = _textbook_layer(w, inputs)
        for name, value in expected.items():
            np.testing.assert_allclose(layer.gate(name), value, atol=ATOL, err_msg=f"{w.name} {name}")
        inputs = layer.h.astype(np.float64)


def test_a_trace_leaves_its_weights_and_initial_state_untouched_and_reuses_its_layout():
    cfg = LSTMConfig(timesteps=5, features=2, units=(4, 3), return_sequences=(True, False))
    weights = extract_weights(build_model(cfg))
    before = [a.copy() for w in weights.lstm for a in (w.kernel, w.recurrent_kernel, w.bias)]
    x = make_sequence("sine", timesteps=5, features=2, batch_size=2, seed=0)
    init = [(np.full((2, 4), 0.3, np.float32), np.full((2, 4), -0.2, np.float32)), None]
    first = trace(weights, x, initial_state=init)
    plan = weights.lstm[0].step_plan
    second = trace(weights, x, initial_state=init)
    assert weights.lstm[0].step_plan is plan  # laid out once per weights
    after = [a for w in weights.lstm for a in (w.kernel, w.recurrent_kernel, w.bias)]
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert np.all(init[0][0] == 0.3) and np.all(init[0][1] == -0.2)
    for a, b in zip(first.layers[1].arrays, second.layers[1].arrays, strict=True):
        np.testing.assert_array_equal(a, b)
    assert first.layers[0].h.shape == (2, 5, 4) and first.output.shape == (2, 3)
