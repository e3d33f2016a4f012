"""The learners' questions: presets, generated Keras code, answers computed from the live model, the data shaper."""

import re
from pathlib import Path

import numpy as np
import pytest

from explorer import LSTMConfig, build_model, extract_weights, make_sequence, trace
from explorer.answers import (
    activation_curves,
    argument_reference,
    keras_stateful_halves,
    measure_dropout,
    measure_unroll,
    params_vs_timesteps,
    return_state_demo,
    state_across_calls,
    units_places,
)
from explorer.codegen import keras3_code, legacy_code
from explorer.presets import PRESETS
from explorer.shaper import MAX_BYTES, ShaperError, column_names, encode, make_windows, parse_series

# --- presets reproduce the seeds exactly -------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "input_shape", "output_shape", "params"),
    [
        ("input_shape_lstm32", (None, 10, 64), (None, 2), 4 * (32 * (64 + 32) + 32) + 2 * 33),
        ("lstm10_state", (None, 1, 1), (None, 1), 4 * (10 * 11 + 10) + 11),
        ("docs_stacked", (None, 8, 16), (None, 10), 4 * (32 * 48 + 32) + 2 * 4 * (32 * 64 + 32) + 330),
        ("stack_64_32_10", (None, 10, 64), (None, 10), 4 * (64 * 128 + 64) + 4 * (32 * 96 + 32) + 4 * (10 * 42 + 10)),
        ("timesteps_13_vs_100", (None, 13, 5), (None, 10), 640),
    ],
)
def test_presets_reproduce_the_seeds(key, input_shape, output_shape, params):
    model = build_model(PRESETS[key].model)
    assert model.input_shape == input_shape
    assert model.output_shape == output_shape
    assert model.count_params() == params


def test_timesteps_preset_compares_against_100_steps():
    preset = PRESETS["timesteps_13_vs_100"]
    assert preset.compare_timesteps == 100
    assert build_model(preset.model.replace(timesteps=100)).count_params() == 640


# --- generated Keras code ------------------------------------------------------------------------

CODE_CASES = [
    PRESETS["docs_stacked"].model,
    LSTMConfig(timesteps=4, features=2, units=(3, 2), return_sequences=(True, True), return_state=True,
               go_backwards=True, activation="relu", recurrent_activation="hard_sigmoid", use_bias=False,
               unit_forget_bias=False, head_units=3),
    # real models: an Embedding in front, Bidirectional layers (each merge mode), go_backwards, states returned
    LSTMConfig(timesteps=5, units=(4, 3), input_kind="tokens", vocab=25, embed_dim=6, mask_zero=True,
               bidirectional=(True, False), head_units=25, head_activation="softmax"),
    LSTMConfig(timesteps=4, features=2, units=(3, 2), return_sequences=(True, False), bidirectional=(True, True),
               merge_mode="sum", go_backwards=True, return_state=True),
    LSTMConfig(timesteps=4, features=2, units=(3,), return_sequences=(True,), bidirectional=(True,), merge_mode="ave"),
    LSTMConfig(timesteps=3, units=(2,), return_sequences=(False,), input_kind="tokens", vocab=7, embed_dim=2,
               bidirectional=(True,), merge_mode="mul", return_state=True),
]  # fmt: skip


@pytest.mark.parametrize("cfg", CODE_CASES)
def test_generated_keras3_code_builds_the_same_model(cfg):
    from explorer.realmodel.built import build_real_model

    namespace: dict = {}
    exec(keras3_code(cfg).replace("model.summary()", ""), namespace)  # the code a learner copies
    generated, ours = namespace["model"], (build_real_model(cfg) if cfg.is_real else build_model(cfg))
    assert generated.count_params() == ours.count_params()
    assert [type(layer).__name__ for layer in generated.layers] == [type(layer).__name__ for layer in ours.layers]
    outs = generated.output if isinstance(generated.output, list) else [generated.output]
    ours_outs = ours.output if isinstance(ours.output, list) else [ours.output]
    assert [tuple(o.shape) for o in outs] == [tuple(o.shape) for o in ours_outs]


def test_legacy_code_shows_every_old_spelling():
    code = legacy_code(PRESETS["input_shape_lstm32"].model)
    for spelling in ("input_shape=(10, 64)", "input_dim=64, input_length=10", "batch_input_shape=(32, 10, 64)", "Dense(2)"):
        assert spelling in code


def test_legacy_code_of_a_token_model_gives_the_embedding_its_input_length():
    cfg = LSTMConfig(timesteps=31, units=(32,), return_sequences=(False,), input_kind="tokens", vocab=25, embed_dim=16,
                     bidirectional=(True,), merge_mode="sum", head_units=25, head_activation="softmax")  # fmt: skip
    code = legacy_code(cfg)
    assert "model.add(Embedding(25, 16, input_length=31))" in code
    assert 'model.add(Bidirectional(LSTM(32), merge_mode="sum"))' in code
    assert "input_shape" not in code  # after an Embedding no layer is given a shape


def test_legacy_code_gives_a_first_bidirectional_layer_its_input_shape_on_the_wrapper():
    code = legacy_code(LSTMConfig(timesteps=5, features=10, units=(8,), return_sequences=(True,), bidirectional=(True,)))
    assert "model.add(Bidirectional(LSTM(8, return_sequences=True), input_shape=(5, 10)))" in code


# --- answers -------------------------------------------------------------------------------------

CFG = LSTMConfig(timesteps=8, features=3, units=(5, 4), return_sequences=(True, False), head_units=2)


def test_units_places_name_every_shape():
    places = dict(units_places(CFG, 1))
    assert places["hidden state h_t of lstm_2"] == "(None, 4)"
    assert places["kernel: inputs → the four gates"] == "(5, 4·4) = (5, 16)"
    assert places["what Dense(2) sees"] == "(None, 4): only the last h"
    assert places["Dense kernel"] == "(4, 2)"


def test_params_do_not_depend_on_timesteps():
    points = params_vs_timesteps(CFG, (1, 13, 100))
    assert [t for t, _ in points] == [1, 13, 100]
    assert {n for _, n in points} == {build_model(CFG).count_params()}


def test_the_now_mark_sits_at_the_current_length_on_the_log_axis():
    from explorer.figures.questions import make_params_vs_timesteps_figure

    fig = make_params_vs_timesteps_figure([(1, 96), (12, 96), (200, 96)], current_timesteps=12)
    (line,) = fig.layout.shapes
    (mark,) = fig.layout.annotations
    assert fig.layout.xaxis.type == "log" and line.x0 == line.x1 == 12  # shapes: data values
    assert mark.x == pytest.approx(np.log10(12)) and "12" in mark.text  # annotations: log10 (else at 1e12)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_return_state_output_equals_h(return_sequences):
    cfg = CFG.replace(return_sequences=(True, return_sequences))
    x = make_sequence("sine", timesteps=8, features=3, batch_size=2, seed=0)
    demo = return_state_demo(cfg, x)
    assert demo.h_shape == demo.c_shape == (None, 4)
    assert demo.output_shape == ((None, 8, 4) if return_sequences else (None, 4))
    assert demo.max_output_minus_h < 1e-6
    assert not np.allclose(demo.h, demo.c)


def test_state_carried_across_calls_equals_one_call_and_matches_keras_stateful():
    cfg = CFG.replace(head_units=0, return_sequences=(True, True))
    model = build_model(cfg)
    x = make_sequence("sawtooth", timesteps=8, features=3, batch_size=2, seed=3)
    demo = state_across_calls(extract_weights(model), x)
    assert demo.half == 4
    assert demo.max_diff_carried < 1e-6
    assert demo.max_diff_reset > 1e-3
    keras_out = keras_stateful_halves(cfg, model, x)
    np.testing.assert_allclose(keras_out, demo.carried.layers[-1].output, atol=1e-5)


def test_argument_reference_reads_keras_defaults():
    rows = {r["argument"]: r for r in argument_reference()}
    assert rows["units"]["Keras 3 default"] == "required"
    assert rows["recurrent_activation"]["Keras 3 default"] == "'sigmoid'"
    assert rows["activation"]["Keras 3 default"] == "'tanh'"
    assert rows["unroll"]["Keras 3 default"] == "False"
    for name in ("dropout", "recurrent_dropout", "stateful", "go_backwards", "return_state", "unit_forget_bias", "unroll"):
        assert rows[name]["what it does"], name


def test_activation_curves_old_and_new_hard_sigmoid_differ():
    z = np.array([-4.0, 0.0, 1.0, 4.0], dtype=np.float32)
    curves = list(activation_curves(z).values())
    np.testing.assert_allclose(curves[0], 1 / (1 + np.exp(-z)), atol=1e-6)
    np.testing.assert_allclose(curves[1], [0, 0.5, 4 / 6, 1], atol=1e-6)  # Keras 3: relu6(z + 3) / 6
    np.testing.assert_allclose(curves[2], [0, 0.5, 0.7, 1], atol=1e-6)  # Keras 1/2: clip(0.2 z + 0.5)


def test_unroll_changes_speed_not_values_and_dropout_acts_only_in_training():
    cfg = CFG.replace(head_units=0)
    model = build_model(cfg)
    x = make_sequence("sine", timesteps=8, features=3, batch_size=2, seed=0)
    unroll = measure_unroll(cfg, model, x)
    assert unroll["max_diff"] < 1e-5 and unroll["rolled_ms"] > 0 and unroll["unrolled_ms"] > 0
    drop = measure_dropout(cfg, model, x)
    assert drop["inference_vs_inference"] == 0
    assert drop["inference_vs_no_dropout"] < 1e-5
    assert drop["training_vs_training"] > 1e-3
    assert drop["weights_changed"] == 0
    np.testing.assert_allclose(trace(model, x).output, model.predict_on_batch(x), atol=1e-5)


# --- data shaper ---------------------------------------------------------------------------------


def test_parse_numbers_with_header_and_choose_a_column():
    series = parse_series(b"temp,code\n1.5,0\n2.5,1\n3.5,2\n")
    assert series.column == "temp" and not series.integer_codes
    np.testing.assert_array_equal(series.values, [1.5, 2.5, 3.5])
    codes = parse_series("temp,code\n1.5,0\n2.5,1\n3.5,2\n", column="code")
    assert codes.integer_codes and codes.vocabulary == 3
    assert column_names(b"temp,code\n1,2\n") == ["temp", "code"]
    assert column_names(b"1,2\n") == ["column 1", "column 2"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"value\n", "Only a header"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"abc\x00def\n1\n", "binary"),
        (b"x\n" + b"1\n" * (MAX_BYTES // 2 + 1), "limit is"),
        (b"a,b\nfoo,bar\nbaz,qux\n", "No column holds only numbers"),
        (b"v\n1\nnan\n3\n", "finite"),
        (b"v\n1\ninf\n", "finite"),
    ],
)
def test_bad_files_get_clear_messages(data, words):
    with pytest.raises(ShaperError, match=words):
        parse_series(data)


def test_row_cap_and_unknown_column():
    with pytest.raises(ShaperError, match="rows"):
        parse_series("1\n" * 20, max_rows=10)
    with pytest.raises(ShaperError, match="no column"):
        parse_series("a\n1\n", column="b")


def test_windows_and_encodings_give_lstm_shapes():
    values = np.arange(10, dtype=np.float32) % 4  # codes 0..3
    windows = make_windows(values, timesteps=4, stride=2)
    assert windows.shape == (4, 4)
    np.testing.assert_array_equal(windows[1], values[2:6])
    assert encode(windows, "reshape").shape == (4, 4, 1)
    onehot = encode(windows, "one_hot", vocabulary=4)
    assert onehot.shape == (4, 4, 4) and (onehot.sum(-1) == 1).all()
    assert encode(windows, "embedding").shape == (4, 4)
    with pytest.raises(ShaperError, match="fewer than timesteps"):
        make_windows(values, timesteps=11)
    with pytest.raises(ShaperError, match="integer symbol codes"):
        encode(windows + 0.5, "one_hot", vocabulary=4)
    with pytest.raises(ShaperError, match="Embedding layer instead"):
        encode(windows, "one_hot", vocabulary=100)


def test_no_server_path_on_the_page():
    """The example file is named, never located: the server's folders are not the learner's business."""
    from page_text import page_texts
    from test_app import assert_clean, new_app

    root = str(Path(__file__).resolve().parents[1])
    at = new_app({"view": "questions", "q": "data"})
    assert_clean(at)
    texts = [text for _, text in page_texts(at)] + [c.value for c in at.caption]
    assert any("`example_series.csv`" in t for t in texts)
    assert not [t for t in texts if root in t or "/assets/" in t]


@pytest.mark.parametrize("cfg", [CODE_CASES[0], CODE_CASES[2]])
def test_the_codes_comments_are_in_the_pages_language_and_the_code_still_runs(cfg):
    from explorer.i18n import use_language
    from explorer.realmodel.built import build_real_model

    with use_language("zh"):
        keras3, legacy = keras3_code(cfg), legacy_code(cfg)
    comments = [line.split("# ", 1)[1] for line in (keras3 + "\n" + legacy).splitlines() if "# " in line]
    prose = [c for c in comments if re.search(r"[a-z]{3,} [a-z]{3,}", re.sub(r"\([^)]*\)|`[^`]*`", "", c))]
    assert prose == [] and any(re.search(r"[\u4e00-\u9fff]", c) for c in comments)
    namespace: dict = {}
    exec(keras3.replace("model.summary()", ""), namespace)  # comments in Chinese: the same runnable code
    assert namespace["model"].count_params() == (build_real_model(cfg) if cfg.is_real else build_model(cfg)).count_params()
