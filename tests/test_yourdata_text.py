"""A learner's text as a character task: the coding, next-character windows split in order, the probes' quantities,
training past the unigram model, and text written back by the model (window and carried state) equal to Keras's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.realmodel.built import build_real_model
from explorer.reference.real_forward import real_forward
from explorer.training.tasks import TASKS
from explorer.yourdata.generate import CarriedState, generate_text
from explorer.yourdata.samples import TEXT
from explorer.yourdata.table import DataError
from explorer.yourdata.text import MAX_VOCABULARY, OTHER, is_text_key, parse_text, text_probes, text_task


def _fables():
    corpus = parse_text(TEXT.read_bytes())
    task = text_task(corpus)
    TASKS.register(task)
    return corpus, task


def test_the_coding_gives_each_character_an_id_most_frequent_first_and_reads_back():
    corpus = parse_text("abracadabra " * 30)
    assert corpus.vocabulary[:3] == ("a", "b", "r") and corpus.decode(corpus.ids) == corpus.text
    assert corpus.key().startswith("text:") and is_text_key(corpus.key()) and not is_text_key("text:xyz")


def test_rare_characters_beyond_the_vocabulary_share_one_id():
    text = "".join(chr(0x4E00 + k) * (200 - k) for k in range(MAX_VOCABULARY + 5))
    corpus = parse_text(text)
    assert corpus.size == MAX_VOCABULARY + 1 and corpus.vocabulary[-1] == OTHER
    assert (corpus.ids == corpus.size - 1).sum() == sum(200 - k for k in range(MAX_VOCABULARY, MAX_VOCABULARY + 5))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"x" * 100_001, "limit"),
        (b"\xff\xfe" * 200, "UTF-8"),
        (b"ab\x00" * 200, "binary"),
        (b"short", "at least"),
        (b"a" * 500, "one character"),
    ],
)
def test_bad_text_gets_a_message_that_names_the_problem(data, words):
    with pytest.raises(DataError) as err:
        parse_text(data)
    assert words in str(err.value.args[0])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(min_size=250, max_size=800), st.text(min_size=250, max_size=800)))
def test_hostile_text_gives_a_task_or_a_message_never_a_traceback(data):
    try:
        corpus = parse_text(data)
    except DataError as err:
        assert str(err.args[0])
        return
    task = text_task(corpus)
    batch = task.generate(4, task.timesteps_range[0], 0)
    assert batch.x.max() < corpus.size and batch.y.max() < corpus.size


def test_windows_predict_the_next_character_and_stay_on_their_side_of_the_split():
    corpus, task = _fables()
    data = task.generate(64, 10, 0)
    starts = data.rows
    for k in range(3):
        s = starts[k]
        assert corpus.decode(data.x[k]) == corpus.text[s : s + 10] and corpus.decode(data.y[k]) == corpus.text[s + 1 : s + 11]
    assert (starts + 10).max() < task.split  # every training target is before the split
    held = task.held_out(500, 10, 0)
    assert held.rows.min() >= task.split and np.all(np.diff(held.rows) > 0)
    assert data.labels[0].tolist() == [{" ": "␣", "\n": "↵"}.get(c, c) for c in corpus.text[starts[0] : starts[0] + 10]]


def test_the_probes_mark_quotes_brackets_line_position_and_vowels():
    probes = text_probes('ab "cd" (e)\nfg')
    assert probes["quoted"].tolist() == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]  # from the opening quote on
    assert probes["bracketed"].tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]
    assert probes["column"].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1]
    assert probes["vowel"].tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]


def test_the_unigram_baseline_is_the_cross_entropy_of_character_frequencies():
    corpus, task = _fables()
    held = task.held_out(100, 16, 0)
    counts = np.bincount(corpus.ids[: task.split], minlength=corpus.size) + 1.0
    expected = -np.mean(np.log((counts / counts.sum())[held.y]))
    assert task.baseline(held) == pytest.approx(expected, rel=1e-5)


def test_the_model_takes_the_texts_vocabulary_and_refuses_a_bidirectional_layer():
    _, task = _fables()
    cfg = task.default_config()
    assert cfg.input_kind == "tokens" and cfg.vocab == cfg.head_units == task.corpus.size and not task.problems(cfg)
    assert any("Bidirectional" in str(p) for p in task.problems(cfg.replace(bidirectional=(True,))))
    assert any("go_backwards" in str(p) for p in task.problems(cfg.replace(go_backwards=True)))
    assert task.fit_config(cfg.replace(bidirectional=(True,), mask_zero=True)).is_real and not task.problems(
        task.fit_config(cfg.replace(bidirectional=(True,), mask_zero=True))
    )


def _trained():
    from explorer.training.loop import Trainer
    from explorer.training.spec import TrainingSpec

    corpus, task = _fables()
    spec = TrainingSpec(task.key, task.default_config().replace(units=(32,), timesteps=16), epochs=2)
    trainer = Trainer(spec)
    while trainer.step < spec.total_steps:
        trainer.train(trainer.steps_to_epoch_end())
    return corpus, task, spec, trainer


def test_a_tiny_run_goes_below_the_unigram_loss_and_writes_only_the_texts_characters():
    corpus, task, spec, trainer = _trained()
    snapshot = trainer.snapshot()
    assert snapshot.loss < task.baseline(trainer.eval_data)
    text = generate_text(spec.model, snapshot.arrays, corpus, "The fox", 200, temperature=0.8, seed=1)
    assert len(text) == 200 and set(text) <= set(corpus.vocabulary)
    assert text == generate_text(spec.model, snapshot.arrays, corpus, "The fox", 200, temperature=0.8, seed=1)
    greedy_window = generate_text(spec.model, snapshot.arrays, corpus, "The fox", 120, temperature=0)
    greedy_carried = generate_text(spec.model, snapshot.arrays, corpus, "The fox", 120, temperature=0, stateful=True)
    assert greedy_window[:5] == greedy_carried[:5]  # within the window both read the same characters


def test_generation_reads_the_models_own_predictions_window_and_carried_state():
    corpus, task = _fables()
    cfg = task.default_config(seed=3).replace(units=(12, 8), return_sequences=(True, True), timesteps=8)
    model = build_real_model(cfg)
    arrays = tuple(np.asarray(w, np.float32) for w in model.get_weights())
    prompt = corpus.encode("The north wind and the sun")

    def keras_on(ids):  # Keras's own model over these characters from a zero state (its input length fixed: built to fit)
        same = build_real_model(cfg.replace(timesteps=len(ids)))
        same.set_weights(list(arrays))
        return np.asarray(same(np.asarray(ids)[None, :]))[0, -1]

    carried = CarriedState(cfg, arrays)
    p = carried.feed(prompt[:5])
    for k in (5, 9, 17, len(prompt)):  # one character at a time, the state kept: Keras on the whole prefix
        while carried.fed < k:
            p = carried.feed(prompt[carried.fed : carried.fed + 1])
        np.testing.assert_allclose(p, keras_on(prompt[:k]), atol=1e-5)
    window = prompt[None, -cfg.timesteps :]
    np.testing.assert_allclose(real_forward(cfg, arrays, window)[0, -1], np.asarray(model(window))[0, -1], atol=1e-5)
    greedy = generate_text(cfg, arrays, corpus, corpus.decode(prompt), 3, temperature=0)
    ids = list(prompt)
    for expected in greedy:  # the likeliest character after the last T, by Keras
        nxt = int(np.argmax(np.asarray(model(np.array(ids[-cfg.timesteps :])[None, :]))[0, -1]))
        assert corpus.vocabulary[nxt] == expected
        ids.append(nxt)
