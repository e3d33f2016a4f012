"""The guided lesson: a table of steps whose notes are filled from each step's live model."""

import re

import pytest
from streamlit.testing.v1 import AppTest

from explorer.lesson.facts import FACTS, fill, model_facts
from explorer.lesson.steps import LESSON
from explorer.model import build_model, shape_table
from explorer.view import ViewConfig
from tests.test_app import APP, TIMEOUT, assert_clean


def test_every_step_is_a_valid_url_and_its_note_uses_known_facts():
    assert 8 <= len(LESSON) <= 12
    for k, step in enumerate(LESSON, start=1):
        _view, notices = ViewConfig.from_query_params({**step.query, "lesson": str(k)})
        assert notices == [], (k, notices)
        names = set(re.findall(r"\{(\w+)\}", step.note))
        assert names <= FACTS.keys(), (k, names - FACTS.keys())
    with pytest.raises(KeyError, match="unknown facts"):
        fill("{not_a_fact}", {})
    assert fill("{T} steps", {}) is None  # not computed yet: the page says so instead of showing a blank


def test_notes_carry_the_live_models_numbers():
    view, _ = ViewConfig.from_query_params(LESSON[5].query)  # parameters do not depend on T
    model = build_model(view.model)
    facts = model_facts(view.model, shape_table(view.model, model), model.count_params(), view.batch_size)
    facts["params_T10"] = f"{build_model(view.model.replace(timesteps=10)).count_params():,}"
    note = fill(LESSON[5].note, facts)
    assert f"**{model.count_params():,}** at T = 100" in note and facts["params"] == facts["params_T10"]


def lesson_note(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown if "Lesson" not in m.value and len(m.value) > 80)


def test_walking_the_lesson_with_next_and_back():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lesson"] = "1"
    at.run()
    assert_clean(at)
    assert any("Lesson 1 of" in m.value.replace("\xa0", " ") for m in at.markdown)
    assert "(4, 6, 3)" in lesson_note(at) and "units = **8**" in lesson_note(at).replace("`", "")
    for k in range(2, len(LESSON)):  # the last step trains a model: the browser test walks it
        next(b for b in at.button if b.label == "Next ▶").click().run()
        assert_clean(at)
        assert any(f"Lesson {k} of" in m.value.replace("\xa0", " ") for m in at.markdown), k
        assert at.query_params["lesson"] == str(k)
        assert lesson_note(at), k  # every note rendered, numbers filled
        if k == 8:
            assert at.session_state["question"] == "state" and at.query_params["view"] == "questions"  # step 8's view
        if k == 9:  # token ids through an Embedding: the note's numbers are the real model's
            assert "`(4, 31)`" in lesson_note(at) and "25 × 16 table (400 parameters)" in lesson_note(at)
            assert "lstm_1 reads `(None, 31, 16)`" in lesson_note(at)
        if k == 10:  # Bidirectional: both directions' weights, the merged output
            assert f"Together {2 * 4 * (8 * (8 + 8) + 8):,} parameters" in lesson_note(at) and "`(None, 10, 16)`" in lesson_note(
                at
            )
            assert at.selectbox(key="built_site_picker").options[1] == "bidirectional_1 · backward"
    for k in range(len(LESSON) - 2, 7, -1):
        next(b for b in at.button if b.label == "◀ Back").click().run()
        assert at.query_params["lesson"] == str(k)
    next(b for b in at.button if b.label == "◀ Back").click().run()
    assert at.query_params["lesson"] == "7" and at.session_state["return_state"] is True
    next(b for b in at.button if b.label == "Leave the lesson").click().run()
    assert "lesson" not in at.query_params and not any("Lesson 7 of" in m.value.replace("\xa0", " ") for m in at.markdown)
