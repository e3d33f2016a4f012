"""Your own text on the page (AppTest): the example in one click, a pasted text, links that carry no text, training
the character model, its coding and its writing with the state reset or carried."""

from test_app import assert_clean, figures, new_app, open_panel
from test_training_app import train_to_end

from explorer.ui.yourtext import example_corpus

STORY = "The cat sat on the mat. " * 12 + '"Where is the dog?" asked the cat (quietly). ' * 6


def test_the_example_in_one_click_makes_a_character_model_the_url_names():
    at = new_app()
    at.selectbox(key="task").set_value("text").run()
    at.button(key="text_example").click().run()
    assert_clean(at)
    corpus = example_corpus()
    assert at.query_params["task"] == corpus.key() == at.session_state["_text_key"]
    assert at.segmented_control(key="input_kind").value == "tokens" and at.session_state["vocab"] == corpus.size
    assert at.session_state["head_units"] == corpus.size and at.session_state["head_activation"] == "softmax"
    assert f"a vocabulary of {corpus.size}" in " ".join(c.value for c in at.sidebar.caption)


def test_a_pasted_text_gets_its_own_task_and_a_bad_one_a_message():
    at = new_app()
    at.selectbox(key="task").set_value("text").run()
    at.text_area(key="text_paste").input("too short").run()
    at.button(key="text_use").click().run()
    assert_clean(at)
    assert any("at least" in e.value for e in at.sidebar.error) and not at.session_state["_text_key"]
    at.text_area(key="text_paste").input(STORY).run()
    at.button(key="text_use").click().run()
    assert_clean(at)
    assert at.session_state["_text_key"].startswith("text:") and not at.sidebar.error
    assert at.session_state["vocab"] == len(set(STORY))


def test_links_carry_the_example_but_never_a_pasted_text():
    at = new_app({"task": example_corpus().key(), "units": "24"})
    assert_clean(at)
    assert at.session_state["_text_key"] == example_corpus().key() and at.slider(key="units_1").value == 24
    other = new_app({"task": "text:0123456789ab"})
    assert_clean(other)
    assert any("Texts never travel in links" in w.value for w in other.sidebar.warning)
    assert not other.session_state["_text_key"]


def test_the_trained_model_shows_its_coding_and_writes_with_the_state_reset_and_carried():
    at = new_app({"task": example_corpus().key(), "units": "24", "timesteps": "16", "epochs": "1"})
    job, _ = train_to_end(at)
    assert job.progress().snapshots[-1].loss < job.progress().snapshots[0].loss
    open_panel(at, "training")
    assert_clean(at)
    page = " ".join(m.value for m in at.markdown)
    assert "token id" in page and "Embedding(58, 16)" in page
    written = [c.value for c in at.code]
    assert len(written) == 2 and all(w.startswith(at.text_input(key="text_prompt").value) for w in written)
    assert set("".join(written)) <= set(example_corpus().vocabulary)
    assert any("Same seed, same temperature" in c.value for c in at.caption)
    at.select_slider(key="text_temperature").set_value(0.0).run()  # the likeliest character every time
    assert_clean(at)
    assert len(at.code) == 2
    open_panel(at, "gates")
    assert_clean(at)
    ticks = figures(at)["gates"]["layout"]["xaxis7"]["ticktext"]
    assert len(ticks) == 16 and all(len(t.split("<br>")[1]) == 1 for t in ticks)  # each step labelled by its character
