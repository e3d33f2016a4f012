"""Shapes and parameter counts: the formula, Keras's count_params(), and the Keras docs' examples."""

import warnings

import numpy as np
import pytest

from explorer import ConfigError, LSTMConfig, build_model, shape_table


def lstm_params(units, features, use_bias=True):
    return 4 * (units * (features + units) + (units if use_bias else 0))


@pytest.mark.parametrize("timesteps", [13, 100])
def test_seed_002_lstm10_has_640_params_whatever_the_timesteps(timesteps):
    cfg = LSTMConfig(timesteps=timesteps, features=5, units=(10,), return_sequences=(False,))
    model = build_model(cfg)
    rows = shape_table(cfg, model)
    assert model.count_params() == 640
    assert rows.total == 640
    assert rows[1].params == lstm_params(10, 5) == 640
    assert rows[1].formula.endswith("= 4 × (10 × (5 + 10) + 10) = 640")


@pytest.mark.parametrize(
    "cfg",
    [
        LSTMConfig(timesteps=4, features=3, units=(7,), return_sequences=(False,)),
        LSTMConfig(timesteps=4, features=3, units=(7, 2), return_sequences=(True, True), use_bias=False),
        LSTMConfig(timesteps=2, features=1, units=(1, 3, 2), return_sequences=(True, True, False), head_units=4),
    ],
)
def test_parameter_counts_match_formula_and_count_params(cfg):
    model = build_model(cfg)
    rows = shape_table(cfg, model)
    expected = sum(lstm_params(u, cfg.layer_input_features(k), cfg.use_bias) for k, u in enumerate(cfg.units))
    if cfg.head_units:
        expected += cfg.head_units * (cfg.units[-1] + 1)
    assert rows.total == model.count_params() == expected


def test_weight_shapes_are_reported_as_keras_stores_them():
    cfg = LSTMConfig(timesteps=5, features=3, units=(4,), return_sequences=(False,))
    row = shape_table(cfg)[1]
    assert row.weights == {"kernel": (3, 16), "recurrent_kernel": (4, 16), "bias": (16,)}
    no_bias = shape_table(cfg.replace(use_bias=False))[1]
    assert no_bias.weights == {"kernel": (3, 16), "recurrent_kernel": (4, 16)}
    assert no_bias.params == 4 * 4 * (3 + 4)


@pytest.mark.parametrize(
    ("return_sequences", "return_state", "expected"),
    [
        (False, False, (None, 6)),
        (True, False, (None, 5, 6)),
        (False, True, [(None, 6), (None, 6), (None, 6)]),
        (True, True, [(None, 5, 6), (None, 6), (None, 6)]),
    ],
)
def test_output_shapes_follow_return_sequences_and_return_state(return_sequences, return_state, expected):
    cfg = LSTMConfig(timesteps=5, features=2, units=(6,), return_sequences=(return_sequences,), return_state=return_state)
    rows = shape_table(cfg)
    assert rows[0].output_shape == (None, 5, 2)
    assert rows[1].input_shape == (None, 5, 2)
    assert rows[1].output_shape == expected


def test_keras_docs_stacked_classifier():
    # Keras docs: data_dim=16, timesteps=8, three LSTM(32), Dense(10, softmax).
    cfg = LSTMConfig(
        timesteps=8,
        features=16,
        units=(32, 32, 32),
        return_sequences=(True, True, False),
        head_units=10,
        head_activation="softmax",
    )
    model = build_model(cfg)
    rows = shape_table(cfg, model)
    assert [r.name for r in rows] == ["input", "lstm_1", "lstm_2", "lstm_3", "head"]
    assert [r.output_shape for r in rows] == [(None, 8, 16), (None, 8, 32), (None, 8, 32), (None, 32), (None, 10)]
    assert model.output_shape == (None, 10)
    assert rows.total == model.count_params() == 4 * (32 * 48 + 32) + 2 * 4 * (32 * 64 + 32) + 330


def test_build_model_is_deterministic_per_seed():
    cfg = LSTMConfig(timesteps=3, features=2, units=(4, 3), return_sequences=(True, False), head_units=2)
    a, b = build_model(cfg).get_weights(), build_model(cfg).get_weights()
    assert all((wa == wb).all() for wa, wb in zip(a, b, strict=True))
    c = build_model(cfg.replace(seed=1)).get_weights()
    assert not (a[0] == c[0]).all()
    assert [layer.name for layer in build_model(cfg).layers] == ["input", "lstm_1", "lstm_2", "head"]


def test_unit_forget_bias_sets_the_forget_slice_to_one():
    cfg = LSTMConfig(timesteps=2, features=2, units=(3,), return_sequences=(False,))
    bias = build_model(cfg).layers[1].get_weights()[2]
    assert list(bias) == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    bias = build_model(cfg.replace(unit_forget_bias=False)).layers[1].get_weights()[2]
    assert not bias.any()


def test_broken_stack_quotes_keras_and_explains_the_fix():
    cfg = LSTMConfig(timesteps=4, features=2, units=(5, 3), return_sequences=(False, False))
    assert cfg.broken_links == (0,)
    with pytest.raises(ConfigError) as info:
        build_model(cfg)
    message = str(info.value)
    assert info.value.field == "return_sequences"
    assert info.value.keras_message and info.value.keras_message in message
    assert "expected ndim=3, found ndim=2" in message
    assert "`return_sequences=True` on `lstm_1`" in message
    assert "(batch, timesteps, 5)" in message
    # The one-click fix builds.
    assert build_model(cfg.with_fixed_stack()).output_shape == (None, 3)
    assert cfg.buildable_prefix().units == (5,)


def test_the_single_softmax_advice_is_what_keras_computes():
    cfg = LSTMConfig(timesteps=4, features=2, units=(3,), return_sequences=(False,), head_units=1, head_activation="softmax")
    x = np.random.default_rng(0).normal(size=(5, 4, 2)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's own "softmax over an axis of size 1" warning: the point of the test
        out = np.asarray(build_model(cfg).predict_on_batch(x))
    assert out.shape == (5, 1) and np.all(out == 1.0)
    assert "always outputs 1.0" in str(cfg.head_advice)
