"""The sliders build real models too: token ids through an Embedding (mask_zero optional), Bidirectional layers with a
merge mode. Property tests over random configs: every LSTM and direction traced in NumPy equals Keras; the parameter
count is the Embedding's vocab × dim plus 2 × 4U(F + U + 1) per Bidirectional layer."""

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.config import ConfigError, LSTMConfig
from explorer.realmodel.built import build_real_model, keras_check_real, numpy_real_model, real_model_of
from explorer.realmodel.tracing import keras_differences
from explorer.reference.real_forward import real_forward
from explorer.view import ViewConfig


@st.composite
def real_configs(draw):
    n = draw(st.integers(1, 2))
    tokens = draw(st.booleans())
    bidirectional = tuple(draw(st.booleans()) for _ in range(n))
    if not tokens and not any(bidirectional):
        bidirectional = (True, *bidirectional[1:])
    return LSTMConfig(
        timesteps=draw(st.integers(1, 7)),
        features=draw(st.integers(1, 4)),
        units=tuple(draw(st.integers(1, 5)) for _ in range(n)),
        return_sequences=(*([True] * (n - 1)), draw(st.booleans())),
        input_kind="tokens" if tokens else "numbers",
        vocab=draw(st.integers(2, 30)),
        embed_dim=draw(st.integers(1, 6)),
        mask_zero=tokens and draw(st.booleans()),
        bidirectional=bidirectional,
        merge_mode=draw(st.sampled_from(["concat", "sum", "mul", "ave"])),
        go_backwards=draw(st.booleans()),
        use_bias=draw(st.booleans()),
        head_units=draw(st.sampled_from([0, 3])),
        return_state=draw(st.booleans()),
        seed=draw(st.integers(0, 1000)),
    )


def expected_params(cfg: LSTMConfig) -> int:
    total = cfg.vocab * cfg.embed_dim if cfg.input_kind == "tokens" else 0
    for k, u in enumerate(cfg.units):
        f = cfg.layer_input_features(k)
        one = 4 * (u * (f + u) + (u if cfg.use_bias else 0))
        total += 2 * one if cfg.is_bidirectional(k) else one
    if cfg.head_units:
        total += cfg.head_units * (cfg.layer_output_width(cfg.n_layers - 1) + 1)
    return total


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(real_configs())
def test_every_lstm_of_a_slider_built_real_model_equals_keras(cfg):
    model = build_real_model(cfg)
    assert model.count_params() == expected_params(cfg)
    last_has_two_directions = cfg.is_bidirectional(cfg.n_layers - 1)
    assert len(model.outputs) == (1 + (4 if last_has_two_directions else 2) * cfg.return_state)  # [x, h, c, …]
    real = numpy_real_model(cfg, model)  # the page's path: no Keras call
    assert keras_check_real(real, model) <= 1e-5  # the badge's check: Keras on the same samples
    assert max(keras_differences(real_model_of(cfg)).values()) <= 1e-5  # and read as any uploaded file is
    assert len(real.sites) == sum(2 if cfg.is_bidirectional(k) else 1 for k in range(cfg.n_layers))
    if cfg.mask_zero:
        ids = real.inputs[0].samples
        np.testing.assert_array_equal(real.layer_inputs[real.sites[0].layer].mask, ids != 0)


def test_the_learners_25_character_model_is_a_slider_config():
    cfg = LSTMConfig(timesteps=31, input_kind="tokens", vocab=25, embed_dim=16, units=(32,), return_sequences=(False,),
                     head_units=25, head_activation="softmax")  # fmt: skip
    model = build_real_model(cfg)
    assert tuple(model.inputs[0].shape) == (None, 31) and tuple(model.get_layer("embedding").output.shape) == (None, 31, 16)
    assert model.count_params() == 25 * 16 + 4 * (32 * (16 + 32) + 32) + 25 * 33


def test_the_url_carries_the_real_model():
    query = {"input": "tokens", "vocab": "25", "embed_dim": "16", "mask_zero": "1", "units": "8,4",
             "bidirectional": "1,0", "merge": "sum"}  # fmt: skip
    view, notices = ViewConfig.from_query_params(query)
    assert notices == []
    m = view.model
    assert (m.input_kind, m.vocab, m.embed_dim, m.mask_zero, m.bidirectional, m.merge_mode) == (
        "tokens",
        25,
        16,
        True,
        (True, False),
        "sum",
    )
    assert ViewConfig.from_query_params(view.to_query_params())[0] == view
    _, notices = ViewConfig.from_query_params({"input": "pictures", "merge": "max", "vocab": "1"})
    assert len(notices) == 3 and all("Ignored" in str(n) for n in notices)


def test_bad_real_settings_are_explained():
    with pytest.raises(ConfigError, match="mask_zero"):
        LSTMConfig(mask_zero=True)
    with pytest.raises(ConfigError, match="one per layer"):
        LSTMConfig(units=(4, 4), bidirectional=(True,))
    assert LSTMConfig(units=(4,), return_sequences=(True,), bidirectional=(False,)).bidirectional == ()  # no wrapper: plain


def test_a_real_model_is_built_ahead_one_key_press_along_the_field_that_moved():
    from explorer.ui import cache
    from explorer.ui.cache.real import real_cost

    cfg = LSTMConfig(timesteps=6, input_kind="tokens", vocab=50, embed_dim=4, units=(3,), return_sequences=(False,),
                     bidirectional=(True,))  # fmt: skip
    built = cache.built_real(cfg)
    assert real_cost(built) == built.real.total_params - 50 * 4 + 50 * 4 * 4 / 20  # the table counted at a fifth
    ahead = cache.prefetch_next(cfg.replace(units=(2,)), cfg)
    assert ahead == [cfg.replace(units=(4,))]
    deadline = time.monotonic() + 30
    while cfg.replace(units=(4,)) not in cache.REAL_MODELS and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cfg.replace(units=(4,)) in cache.REAL_MODELS


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_real_models_figures_are_made_ahead_with_it_in_the_pages_language(monkeypatch, lang):
    """A real model's press is mostly its two directions' NumPy traces and figures: the build ahead makes them too, and
    the page's own call finds them (not made twice), in the page's language."""
    from functools import partial

    from explorer.i18n import use_language
    from explorer.ui import cache
    from explorer.ui.cache import figures as cached_figures
    from explorer.ui.real_model import site_of, warm_real_view
    from explorer.ui.view_panels import graph_figures

    made = []
    make = cached_figures.make_bidirectional_figure
    monkeypatch.setattr(cached_figures, "make_bidirectional_figure", lambda *a, **k: made.append(1) or make(*a, **k))
    vocab = 41 + (lang == "zh")  # a model of each test's own
    cfg = LSTMConfig(timesteps=7, input_kind="tokens", vocab=vocab, embed_dim=3, units=(3,), return_sequences=(False,),
                     bidirectional=(True,))  # fmt: skip
    view = ViewConfig(model=cfg, step=2, sample=1, lang=lang)
    _, site_view = site_of(cache.built_real(cfg), view, 0)
    ahead = cache.prefetch_next(cfg.replace(units=(2,)), cfg, partial(warm_real_view, site_view, "graph", 0))
    following = cfg.replace(units=(4,))
    assert ahead == [following]
    deadline = time.monotonic() + 30
    while not made and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # the unrolled graph is made after both directions
    assert made == [1]
    weights, next_view = site_of(cache.built_real(following), view.replace(model=following), 0)
    with use_language(lang):
        both, unrolled = graph_figures(next_view, next_view.data_key, weights)
    assert made == [1]  # the page's call found the figure made ahead
    title = both.layout.title.text
    assert title.startswith("bidirectional_1") and any("\u4e00" <= ch <= "\u9fff" for ch in title) == (lang == "zh")
    assert unrolled.layout.meta["view"] == "unrolled"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(real_configs())
def test_the_numpy_forward_from_weight_arrays_equals_keras_model_output(cfg):
    """What training scores a real model's snapshots with: its arrays alone, no Keras."""
    cfg = cfg.replace(return_state=False)
    model = build_real_model(cfg)
    x = numpy_real_model(cfg, model).inputs[0].samples  # token ids (with padding under mask_zero) or numbers
    ours = real_forward(cfg, tuple(np.asarray(w) for w in model.get_weights()), x)
    np.testing.assert_allclose(ours, np.asarray(model(x)), atol=1e-5)
