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
