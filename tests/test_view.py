"""ViewConfig and its URL round trip: one table both ways, forgiving of bad input."""

import pytest

from explorer import LSTMConfig
from explorer.view import QUERY_FIELDS, ViewConfig

RICH = ViewConfig(
    model=LSTMConfig(timesteps=30, features=5, units=(7, 3, 2), return_sequences=(True, True, True), return_state=True,
                     go_backwards=True, activation="relu", recurrent_activation="hard_sigmoid", use_bias=False,
                     unit_forget_bias=False, head_units=4, head_activation="softmax", seed=42, input_kind="tokens",
                     vocab=30, embed_dim=8, mask_zero=True, bidirectional=(True, False, True), merge_mode="ave"),
    sequence="text", batch_size=6, data_seed=9, sample=5, layer=2, unit=1, step=17, colour_by="c_norm",
    panel="gates", question="state",
    task="brackets", epochs=7, learning_rate=0.003, train_batch=64, train_seed=5, snapshot=96, lecture=True, lesson=3,
    lang="zh",
)  # fmt: skip


def test_defaults_give_an_empty_query_string():
    assert ViewConfig().to_query_params() == {}


def test_round_trip_of_every_field():
    params = RICH.to_query_params()
    assert {q.key for q in QUERY_FIELDS} == params.keys()  # every field differs from its default here
    view, notices = ViewConfig.from_query_params(params)
    assert notices == []
    assert view == RICH


def test_unknown_and_bad_values_fall_back_with_notices():
    view, notices = ViewConfig.from_query_params(
        {"units": "abc", "timesteps": "999", "sequence": "cosine", "utm_source": "mail", "features": "5"}
    )
    assert view.model.units == ViewConfig().model.units
    assert view.model.timesteps == ViewConfig().model.timesteps
    assert view.sequence == "sine"
    assert view.model.features == 5  # the good value still counts
    assert len(notices) == 4
    texts = [str(n) for n in notices]  # notices are messages, translated when shown
    assert any("utm_source" in n for n in texts)
    assert any("timesteps" in n and "between 1 and 200" in n for n in texts)


def test_units_from_the_url_resize_return_sequences():
    view, notices = ViewConfig.from_query_params({"units": "4,4,4"})
    assert notices == []
    assert view.model.return_sequences == (True, True, False)
    view, _ = ViewConfig.from_query_params({"units": "4,4", "return_sequences": "0,0"})
    assert view.model.broken_links == (0,)  # a broken stack is a valid link: learners share it on purpose


@pytest.mark.parametrize("raw", [["7"], ["3", "7"]])
def test_lists_from_streamlit_take_the_last_value(raw):
    view, _ = ViewConfig.from_query_params({"timesteps": raw})
    assert view.model.timesteps == 7


def test_focus_is_clamped_to_the_model():
    view = ViewConfig(sample=20, layer=9, unit=500)
    assert (view.sample, view.layer, view.unit) == (3, 1, 7)


def test_training_fields_from_the_url_and_their_bad_values():
    view, notices = ViewConfig.from_query_params({"task": "adding", "lr": "0.03", "snap": "64", "epochs": "9"})
    assert notices == []
    assert (view.task, view.learning_rate, view.snapshot, view.epochs) == ("adding", 0.03, 64, 9)
    view, notices = ViewConfig.from_query_params(
        {"task": "<script>", "lr": "5", "snap": "-4", "epochs": "x", "train_batch": "33"}
    )
    assert (view.task, view.learning_rate, view.snapshot, view.epochs, view.train_batch) == ("", 0.0, -1, 0, 32)
    assert len(notices) == 5


def test_task_data_and_spec_only_when_the_model_fits_the_task():
    from explorer.training.tasks import TASKS

    view = ViewConfig(task="brackets")  # the default model has 3 features: brackets are one-hot of 2
    assert not view.task_fits and view.training_spec() is None
    assert view.data_key[0] == "sine"
    fitted = view.replace(model=TASKS["brackets"].fit_config(view.model))
    assert fitted.task_fits and fitted.data_key[0] == "task:brackets"
    spec = fitted.training_spec()
    assert (spec.epochs, spec.learning_rate) == (TASKS["brackets"].epochs, TASKS["brackets"].learning_rate)
