"""Shapes and parameter counts: the formula, Keras's count_params(), and the Keras docs' examples."""

import warnings

import numpy as np
import pytest

from explorer import ConfigError, LSTMConfig, build_model, shape_table
from explorer.model import build_on_layers, layer_weights_keys, layers_key, shares_layers, weights_key


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


@pytest.mark.parametrize(
    "changes",
    [
        {"timesteps": 30},
        {"return_sequences": (True, True), "return_state": True},
        {"go_backwards": True, "activation": "relu", "recurrent_activation": "hard_sigmoid"},
        {"head_activation": "sigmoid"},
    ],
    ids=["timesteps", "sequences+state", "backwards+activations", "head activation"],
)
def test_a_model_built_from_a_twins_weights_is_the_model_built_from_scratch(changes):
    import json

    cfg = LSTMConfig(timesteps=5, features=3, units=(4, 3), return_sequences=(True, False), head_units=2, seed=7)
    twin = build_model(cfg)
    target = cfg.replace(**changes)
    assert weights_key(target) == weights_key(cfg)
    fresh, preset = build_model(target), build_model(target, initial_weights=twin.get_weights())
    for a, b in zip(fresh.get_weights(), preset.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # bit for bit: the initializers are seeded
    assert json.dumps(preset.get_config(), sort_keys=True, default=str) == json.dumps(
        fresh.get_config(), sort_keys=True, default=str
    )  # the seeded initializers are in the config, as in a fresh build (and in a saved .keras file)
    assert preset.count_params() == fresh.count_params()


@pytest.mark.parametrize(
    "changes, drawn",
    [
        ({"units": (4, 5)}, {"lstm_2", "head"}),  # lstm_1 kept
        ({"units": (6, 3)}, {"lstm_1", "lstm_2"}),  # lstm_2's input is wider; the head kept
        ({"units": (4, 3, 2), "return_sequences": (True, True, False)}, {"lstm_3", "head"}),  # a layer stacked on top
        ({"seed": 8}, {"lstm_1", "lstm_2", "head"}),
    ],
    ids=["units of the top layer", "units of the bottom layer", "a layer stacked", "another seed"],
)
def test_a_model_takes_the_layers_it_shares_with_a_kept_model_and_draws_the_rest(changes, drawn):
    import json

    cfg = LSTMConfig(timesteps=5, features=3, units=(4, 3), return_sequences=(True, False), head_units=2, seed=7)
    kept = build_model(cfg)
    target = cfg.replace(**changes)
    kept_names = {key: name for name, key in layer_weights_keys(cfg).items()}
    presets = {
        name: kept.get_layer(kept_names[key]).get_weights()
        for name, key in layer_weights_keys(target).items()
        if key in kept_names
    }
    assert set(layer_weights_keys(target)) - set(presets) == drawn
    fresh, preset = build_model(target), build_model(target, initial_weights=presets)
    for a, b in zip(fresh.get_weights(), preset.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # bit for bit: each layer's seeds do not depend on the others
    assert json.dumps(preset.get_config(), sort_keys=True, default=str) == json.dumps(
        fresh.get_config(), sort_keys=True, default=str
    )
    with pytest.raises(ValueError):  # a layer's weights that do not fit are refused
        build_model(target, initial_weights={"lstm_1": build_model(cfg.replace(units=(9, 3))).get_layer("lstm_1").get_weights()})


def test_weights_key_separates_what_changes_the_weights_and_a_misfit_is_refused():
    cfg = LSTMConfig(units=(4, 3), head_units=2)
    for changes in ({"seed": 1}, {"features": 4}, {"units": (4, 2)}, {"use_bias": False}, {"head_units": 3}):
        assert weights_key(cfg.replace(**changes)) != weights_key(cfg), changes
    assert weights_key(cfg.replace(use_bias=False)) == weights_key(cfg.replace(use_bias=False, unit_forget_bias=False))
    with pytest.raises(ValueError):
        build_model(cfg, initial_weights=build_model(cfg.replace(units=(4, 2))).get_weights())


@pytest.mark.parametrize(
    "cfg",
    [
        LSTMConfig(timesteps=5, features=3, units=(4, 3), return_sequences=(True, False), seed=11),
        LSTMConfig(timesteps=6, features=2, units=(5, 3), return_sequences=(True, True), return_state=True, head_units=2),
        LSTMConfig(timesteps=4, features=3, units=(6,), return_sequences=(False,), go_backwards=True, use_bias=False),
    ],
    ids=["stack", "state+head", "backwards, no bias"],
)
def test_a_model_built_on_another_timesteps_layers_is_the_model_built_from_scratch(cfg):
    donor = build_model(cfg)
    rng = np.random.default_rng(0)
    for timesteps in (1, cfg.timesteps + 7):
        target = cfg.replace(timesteps=timesteps)
        assert layers_key(target) == layers_key(cfg)
        shared, fresh = build_on_layers(target, donor), build_model(target)
        assert all(a is b for a, b in zip(shared.layers[1:], donor.layers[1:], strict=True))  # the very same layers
        assert shape_table(target, shared) == shape_table(target, fresh)  # its own shapes, read off its own graph
        for a, b in zip(shared.get_weights(), fresh.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
        x = rng.normal(size=(2, timesteps, cfg.features)).astype("float32")
        as_list = lambda out: list(out) if isinstance(out, list | tuple) else [out]  # noqa: E731 ([output, h, c] or output)
        for a, b in zip(as_list(shared.predict_on_batch(x)), as_list(fresh.predict_on_batch(x)), strict=True):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    assert shares_layers(donor) and not shares_layers(fresh)
    assert shape_table(cfg, donor) == shape_table(cfg, build_model(cfg))  # the donor keeps its own shapes too


def test_layers_serve_a_bounded_number_of_models(monkeypatch):
    from explorer import model as model_module

    monkeypatch.setattr(model_module, "MAX_MODELS_PER_LAYER", 3)
    cfg = LSTMConfig(timesteps=5, features=2, units=(3,), return_sequences=(False,))
    donor = build_model(cfg)  # the layers' first model
    built = [build_on_layers(cfg.replace(timesteps=t), donor) for t in (6, 7, 8)]
    assert built[0] is not None and built[1] is not None and built[2] is None  # a node per model, at most 3
    assert layers_key(cfg.replace(units=(4,))) != layers_key(cfg) != layers_key(cfg.replace(return_state=True))


def test_the_model_store_builds_a_timesteps_step_on_the_kept_layers_and_shows_its_own_shapes(monkeypatch):
    from explorer.ui.cache import models

    cfg = LSTMConfig(timesteps=5, features=3, units=(4, 3), return_sequences=(True, False), seed=4243)
    first = models.MODELS.get((cfg, None))
    calls: list[bool] = []
    real = models.build_model

    def spy(c, initial_weights=None):
        calls.append(initial_weights is not None)
        return real(c, initial_weights=initial_weights)

    monkeypatch.setattr(models, "build_model", spy)
    step = cfg.replace(timesteps=6)
    second = models.MODELS.get((step, None))  # the same layers: no build at all
    switched = models.MODELS.get((cfg.replace(return_sequences=(True, True)), None))  # other layers, same weights
    wider = models.MODELS.get((cfg.replace(units=(4, 5)), None))  # lstm_1's weights kept, lstm_2's drawn
    other = models.MODELS.get((cfg.replace(seed=4244), None))  # other weights: no twin, drawn afresh
    assert calls == [True, True, False]
    np.testing.assert_array_equal(wider.model.get_weights()[0], first.model.get_weights()[0])
    for a, b in zip(wider.model.get_weights(), build_model(cfg.replace(units=(4, 5))).get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert all(a is b for a, b in zip(first.model.layers[1:], second.model.layers[1:], strict=True))
    for a, b, c, d in zip(
        first.model.get_weights(),
        second.model.get_weights(),
        switched.model.get_weights(),
        build_model(step).get_weights(),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(b, c)
        np.testing.assert_array_equal(c, d)
    assert not np.array_equal(other.model.get_weights()[0], first.model.get_weights()[0])
    assert second.table == shape_table(step, build_model(step))  # its own shapes: T = 6
    assert first.table == shape_table(cfg, build_model(cfg))  # and the first keeps T = 5
    # Keras's summary reads a shared layer's last node: the store's summary is of a model of its own
    assert "(None, 6, 4)" in models.model_summary(step) and "(None, 5, 4)" in models.model_summary(cfg)


def test_a_models_shapes_outlive_the_model_in_its_store(monkeypatch):
    """The header's shapes and count come from the real model once; after the parameter budget dropped that model
    (a large config stepping between two sizes), asking again builds nothing."""
    from explorer.ui.cache import models
    from explorer.ui.store import BoundedStore

    store = BoundedStore(models._build_bundle, max_entries=1)  # room for one model only
    monkeypatch.setattr(models, "MODELS", store)
    monkeypatch.setattr(models, "SHAPES", BoundedStore(models._read_shapes, max_entries=8))
    cfg = LSTMConfig(timesteps=5, features=3, units=(4, 3), return_sequences=(True, False), seed=4245)
    wider = cfg.replace(units=(5, 3))
    first = models.model_shapes(cfg)
    assert models.model_shapes(wider).count_params == build_model(wider).count_params()  # drops cfg's model
    assert (cfg, None) not in store
    builds: list[LSTMConfig] = []
    real = models.build_model
    monkeypatch.setattr(models, "build_model", lambda c, initial_weights=None: builds.append(c))
    again = models.model_shapes(cfg)
    assert builds == [] and (cfg, None) not in store  # no model built for it
    monkeypatch.setattr(models, "build_model", real)
    assert again is first and again.table == shape_table(cfg, build_model(cfg))
    assert again.count_params == build_model(cfg).count_params() == 4 * (4 * (3 + 4) + 4) + 4 * (3 * (4 + 3) + 3)
    broken = cfg.replace(return_sequences=(False, False))
    assert isinstance(models.model_shapes(broken), ConfigError)  # a broken stack answers with Keras's refusal


def test_a_finished_check_is_kept_after_the_last_32_checks_moved_on(monkeypatch):
    """A class pushes each other's checks out of the last 32; a model's finished check of its initial weights stays,
    so a learner stepping back to it gets the badge without a Keras model being built (or even asked for) again."""
    from types import SimpleNamespace

    from explorer.ui.cache import checks
    from explorer.view import ViewConfig

    monkeypatch.setattr(checks, "st", SimpleNamespace(session_state={}))  # no script run here: a plain session state
    monkeypatch.setattr(checks, "CHECK_DELAY_S", 0.0)
    cfg = LSTMConfig(timesteps=4, features=2, units=(3,), return_sequences=(False,), seed=4246)
    data_key = ViewConfig(model=cfg).data_key
    first = checks.keras_check_future(cfg, data_key)
    difference = first.result(timeout=120)
    assert 0 <= difference < 1e-5
    with checks._CHECKS_LOCK:
        del checks._CHECKS[(cfg, data_key, None)]  # as 32 newer checks would

    def no_model(*_args, **_kwargs):
        raise AssertionError("a finished check needs no model and no trace")

    monkeypatch.setattr(checks, "model_bundle", no_model)
    monkeypatch.setattr(checks, "view_trace", no_model)
    again = checks.keras_check_future(cfg, data_key)
    assert again.done() and again.result() == difference
    other = cfg.replace(seed=4247)  # another model's check is its own
    with pytest.raises(AssertionError, match="needs no model"):
        checks.keras_check_future(other, data_key)


def test_the_summary_shows_every_column_and_each_layers_count():
    from explorer.figures.shapes import model_summary_text

    cfg = LSTMConfig(timesteps=200, features=64, units=(256,) * 4, return_sequences=(True, True, True, False), head_units=256)
    model = build_model(cfg)
    text = model_summary_text(model)
    assert "Param #" in text  # a table wider than rich's console loses this column without a word
    for layer in model.layers:
        assert f"{layer.count_params():,}" in text, layer.name
    assert max(map(len, text.splitlines())) <= 80
