"""Why gates: the NumPy GRU and SimpleRNN equal Keras, and the NumPy gradient through time equals tf.GradientTape's
for the LSTM, the GRU and the SimpleRNN, alone, stacked and with go_backwards, for both kinds of task loss."""

from __future__ import annotations

import numpy as np
import pytest

from explorer._keras import keras
from explorer.whygates.cells import cell_weights, run_cell
from explorer.whygates.gradients import gradient_through_time, stack_weights

LAYERS = {"LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU, "SimpleRNN": keras.layers.SimpleRNN}


def model_of(kind: str, *, units=(5,), features=3, timesteps=7, head=4, per_step=False, go_backwards=False, seed=0):
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((timesteps, features))]
    for k, u in enumerate(units):
        last = k == len(units) - 1
        layers.append(LAYERS[kind](u, return_sequences=per_step or not last, go_backwards=go_backwards))
    layers.append(keras.layers.Dense(head, activation="linear" if per_step else "softmax"))
    model = keras.Sequential(layers)
    for w in model.weights:  # biases away from zero, so every term of the backward pass is exercised
        if "bias" in w.path:
            w.assign(np.random.default_rng(seed).normal(0, 0.5, w.shape).astype(np.float32))
    return model


def batch(model, *, per_step: bool, seed=1):
    rng = np.random.default_rng(seed)
    _, steps, features = model.input_shape
    x = rng.normal(size=(6, steps, features)).astype(np.float32)
    head = model.layers[-1].units
    y = rng.normal(size=(6, steps, head)).astype(np.float32) if per_step else rng.integers(0, head, size=6)
    return x, y


def tape_gradient(model, x, y, loss: str):
    import tensorflow as tf

    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        value = keras.losses.get(loss)(y, model(xt))
        value = tf.reduce_mean(value)
    return float(value), tape.gradient(value, xt).numpy()


@pytest.mark.parametrize("kind", ["GRU", "SimpleRNN"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_the_numpy_gru_and_simplernn_equal_keras(kind, go_backwards):
    model = model_of(kind, units=(6,), per_step=True, go_backwards=go_backwards)
    x, _ = batch(model, per_step=True)
    layer = model.layers[0]
    ours = run_cell(cell_weights(layer), x).h
    theirs = layer(x).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


CASES = [
    # kind, units, per_step, go_backwards
    *((k, (5,), False, False) for k in LAYERS),
    *((k, (4, 3), True, False) for k in LAYERS),  # stacked, a loss at every step
    *((k, (4, 3), False, True) for k in LAYERS),  # stacked, both layers reading backwards
    *((k, (5,), True, True) for k in LAYERS),
]


@pytest.mark.parametrize(("kind", "units", "per_step", "go_backwards"), CASES)
def test_the_numpy_gradient_equals_the_tapes(kind, units, per_step, go_backwards):
    model = model_of(kind, units=units, per_step=per_step, go_backwards=go_backwards)
    x, y = batch(model, per_step=per_step)
    loss = "mse" if per_step else "sparse_categorical_crossentropy"
    ours = gradient_through_time(stack_weights(model), x, y, loss)
    value, grad = tape_gradient(model, x, y, loss)
    assert ours.loss == pytest.approx(value, rel=1e-5)
    assert np.abs(grad).max() > 1e-4  # a gradient worth comparing
    np.testing.assert_allclose(ours.grad_x, grad, rtol=1e-4, atol=1e-4 * np.abs(grad).max())
    np.testing.assert_allclose(ours.dx, np.linalg.norm(grad, axis=-1).mean(0), rtol=1e-4, atol=1e-6)
    assert ours.kind == kind and len(ours.dh) == len(units)
    assert (ours.dc[0] is not None) == (kind == "LSTM") and (ours.forget_product[0] is not None) == (kind == "LSTM")


@pytest.mark.parametrize("kind", list(LAYERS))
@pytest.mark.parametrize("go_backwards", [False, True])
def test_the_state_gradients_equal_the_tapes_from_each_steps_state(kind, go_backwards):
    """‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖): the tape's gradient with respect to the initial state of the rest of the sequence."""
    import tensorflow as tf

    from explorer.reference.forward import lstm_layer

    model = model_of(kind, units=(5,), go_backwards=go_backwards)
    x, y = batch(model, per_step=False)
    loss = "sparse_categorical_crossentropy"
    stack = stack_weights(model)
    ours = gradient_through_time(stack, x, y, loss)
    w = stack.layers[0]
    run = lstm_layer(w, x) if kind == "LSTM" else run_cell(w, x)
    read = x[:, ::-1] if go_backwards else x  # the steps in the order the cell took them
    steps = x.shape[1]
    for t in (0, 2, steps - 3):  # processing step t: the rest of the sequence starts from (h_t, c_t)
        rest = tf.constant(read[:, t + 1 :])
        layer = LAYERS[kind](5, return_sequences=False)  # forwards over what is left, in the cell's order
        states = [tf.constant(run.h[:, t])] + ([tf.constant(run.c[:, t])] if kind == "LSTM" else [])
        layer(rest, initial_state=states)
        layer.set_weights(model.layers[0].get_weights())
        with tf.GradientTape() as tape:
            tape.watch(states)
            value = tf.reduce_mean(keras.losses.get(loss)(y, model.layers[-1](layer(rest, initial_state=states))))
        grads = tape.gradient(value, states)
        data_t = steps - 1 - t if go_backwards else t
        np.testing.assert_allclose(ours.dh[0][data_t], np.linalg.norm(grads[0], axis=-1).mean(), rtol=1e-4)
        if kind == "LSTM":  # c_t reaches L through c_{t+1} (the tape, h_t held) and through h_t = o_t·tanh(c_t)
            total = grads[1].numpy() + grads[0].numpy() * run.o[:, t] * (1 - np.tanh(run.c[:, t]) ** 2)
            np.testing.assert_allclose(ours.dc[0][data_t], np.linalg.norm(total, axis=-1).mean(), rtol=1e-4)


def test_the_forget_product_is_the_forget_gates_from_each_step_to_the_last():
    from explorer.reference.forward import lstm_layer

    model = model_of("LSTM", units=(4,))
    x, y = batch(model, per_step=False)
    stack = stack_weights(model)
    product = gradient_through_time(stack, x, y, "sparse_categorical_crossentropy").forget_product[0]
    f = lstm_layer(stack.layers[0], x).f  # (B, T, U)
    np.testing.assert_allclose(product[2], f[:, 3:].prod(axis=1).mean(0), rtol=1e-5)
    np.testing.assert_allclose(product[-1], 1.0)


def test_what_the_numpy_pass_does_not_follow_is_refused():
    model = keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3, activation="relu"), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="default activations"):
        stack_weights(model)
    model = keras.Sequential([keras.Input((4, 2)), keras.layers.GRU(3, reset_after=False), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="reset_after"):
        stack_weights(model)
    model = keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3), keras.layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match="not followed"):
        gradient_through_time(stack_weights(model), np.zeros((1, 4, 2), np.float32), np.zeros((1, 2)), "mse")


@pytest.mark.parametrize("kind", list(LAYERS))
@pytest.mark.parametrize(("units", "features"), [(16, 8), (5, 3), (64, 1)])
def test_the_parameter_counts_are_keras_own(kind, units, features):
    from explorer.whygates.compare import build_recurrent, matched_units, recurrent_params

    model = build_recurrent(kind, units, 7, features, (8, "softmax"), per_step=False, seed=0)
    assert recurrent_params(kind, units, features) == model.layers[0].count_params()
    matched = matched_units(kind, units, features)
    target = recurrent_params("LSTM", units, features)
    assert all(abs(recurrent_params(kind, matched, features) - target) <= abs(recurrent_params(kind, u, features) - target)
               for u in range(1, 200))  # fmt: skip


def test_the_comparison_is_deterministic_for_a_seed_and_the_forget_bias_shows():
    from explorer.whygates.compare import build_recurrent, untrained_contender

    x = np.random.default_rng(0).normal(size=(8, 20, 4)).astype(np.float32)
    y = np.arange(8) % 4
    a = untrained_contender("GRU", 8, x, y, "sparse_categorical_crossentropy", (4, "softmax"), per_step=False, seed=3)
    b = untrained_contender("GRU", 8, x, y, "sparse_categorical_crossentropy", (4, "softmax"), per_step=False, seed=3)
    np.testing.assert_array_equal(a.gradient.dx, b.gradient.dx)
    with_bias, without, high = (
        stack_weights(build_recurrent("LSTM", 8, 20, 4, (4, "softmax"), per_step=False, seed=3, forget_bias=bias))
        for bias in (1.0, 0.0, 3.0)
    )
    keras_default = build_recurrent("LSTM", 8, 20, 4, (4, "softmax"), per_step=False, seed=3).layers[0]
    np.testing.assert_array_equal(with_bias.layers[0].bias, keras_default.get_weights()[2])
    keras_own = keras.layers.LSTM(8)  # b_f = 1 is Keras's own unit_forget_bias=True
    keras_own.build((None, 20, 4))
    np.testing.assert_array_equal(with_bias.layers[0].bias, keras_own.get_weights()[2])
    np.testing.assert_allclose(with_bias.layers[0].bias[8:16], 1.0)  # the forget slice i | f | c | o
    np.testing.assert_allclose(without.layers[0].bias, 0.0)
    np.testing.assert_allclose(high.layers[0].bias[8:16], 3.0)
    np.testing.assert_array_equal(high.layers[0].kernel, with_bias.layers[0].kernel)  # nothing else differs
    first = (gradient_through_time(s, x, y, "sparse_categorical_crossentropy").dx[0] for s in (with_bias, without))
    assert next(first) > next(first)  # more of the gradient reaches step 1 with the forget bias at 1


def _spec(cell: str, **more):
    from explorer.training.spec import TrainingSpec
    from explorer.training.tasks import TASKS

    task = TASKS["first"]
    return TrainingSpec("first", task.default_config().replace(timesteps=10, units=(6,)), epochs=1, cell=cell, **more)


@pytest.mark.parametrize("cell", ["GRU", "SimpleRNN", "LSTM"])
def test_a_comparison_spec_trains_its_kind_and_is_scored_by_the_numpy_pass(cell):
    from explorer.training.loop import Trainer, predict_spec

    spec = _spec(cell, forget_bias=3.0 if cell == "LSTM" else None)  # the LSTM here: one whose forget bias starts at 3
    trainer = Trainer(spec)
    assert type(trainer.model.layers[0]).__name__ == cell
    assert spec.parameters == trainer.model.count_params()
    trainer.train(5)
    x = np.random.default_rng(0).normal(size=(9, 10, spec.model.features)).astype(np.float32)
    np.testing.assert_allclose(predict_spec(spec, trainer.weights(), x), trainer.model(x).numpy(), atol=1e-5)
    again = Trainer(spec)
    again.train(5)
    for a, b in zip(trainer.weights(), again.weights(), strict=True):  # deterministic for a seed
        np.testing.assert_array_equal(a, b)


def test_a_comparison_spec_is_one_layer_of_a_known_kind():
    from explorer.config import ConfigError

    with pytest.raises(ConfigError, match="one layer"):
        _spec("GRU").replace(model=_spec("GRU").model.replace(units=(6, 4), return_sequences=(True, False)))
    with pytest.raises(ConfigError, match="cell"):
        _spec("ConvLSTM")
    assert _spec("LSTM").cell_units == 6 and _spec("GRU").cell_units == 7 and _spec("SimpleRNN").cell_units == 14


def test_the_race_and_sweep_figures():
    from explorer.figures.why_race import make_race_figure, make_sweep_figure
    from explorer.training.snapshots import Snapshot

    snaps = [Snapshot(s, s / 64, (), 1.1 - s / 200, s / 100) for s in (0, 16, 32)]
    fig = make_race_figure([("LSTM", snaps, True), ("GRU", snaps, None)], baseline_loss=1.1, metric_name="accuracy")
    assert [t.meta for t in fig.data] == ["loss:LSTM", "loss:GRU", "baseline"]
    assert fig.data[0].name.endswith("solved") and fig.data[1].name == "GRU"
    assert list(fig.data[0].x) == [0, 16, 32] and fig.layout.yaxis.type == "log" and fig.layout.meta["view"] == "why_race"
    sweep = make_sweep_figure({"LSTM": [(10, 1.0, True), (30, 0.4, False), (60, None, None)]}, threshold=0.95,
                              metric_name="accuracy")  # fmt: skip
    assert list(sweep.data[0].x) == [10, 30] and list(sweep.data[0].marker.symbol) == ["circle", "circle-open"]
    assert list(sweep.layout.xaxis.tickvals) == [10, 30, 60] and list(sweep.data[-1].y) == [0.95, 0.95]


def test_the_gradient_figure():
    from explorer.figures.why import make_why_figure
    from explorer.whygates.compare import untrained_contender

    x = np.random.default_rng(0).normal(size=(4, 9, 3)).astype(np.float32)
    y = np.arange(4) % 3
    contenders = [untrained_contender(k, 5, x, y, "sparse_categorical_crossentropy", (3, "softmax"), per_step=False, seed=0)
                  for k in ("LSTM", "GRU", "SimpleRNN")]  # fmt: skip
    fig = make_why_figure(contenders)
    assert [t.meta for t in fig.data] == ["gradient:LSTM", "gradient:GRU", "gradient:SimpleRNN", "forget:mean", "forget:max"]
    assert list(fig.data[0].x) == list(range(1, 10)) and fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    np.testing.assert_allclose(fig.data[1].y, contenders[1].gradient.dx, rtol=1e-5)
    assert fig.data[3].yaxis == "y2" and fig.data[4].y[-1] == pytest.approx(1.0)
    assert "as initialised" in fig.layout.title.text
