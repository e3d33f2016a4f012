"""Your own series on the page (AppTest): the sample in one click, the choices moving the model, a link that carries
everything but the data, training to a forecast beside the naive one, and messages instead of tracebacks."""

from test_app import assert_clean, figures, new_app, open_panel
from test_training_app import train_to_end

from explorer.training.tasks import TASKS
from explorer.yourdata.options import SeriesOptions
from explorer.yourdata.samples import SEASONAL
from explorer.yourdata.table import parse_table
from explorer.yourdata.task import series_task

DIGEST = parse_table(SEASONAL.read_bytes()).digest


def _with_sample(query: dict | None = None):
    at = new_app(query)
    at.selectbox(key="task").set_value("series").run()
    assert_clean(at)
    at.button(key="series_sample_rentals").click().run()
    assert_clean(at)
    return at


def test_the_sample_in_one_click_makes_a_task_the_model_fits_and_the_url_names():
    at = _with_sample()
    key = at.session_state["_series_key"]
    options = SeriesOptions.from_key(key)
    assert options.digest == DIGEST[:12] and options.inputs == ("rentals",) and options.season == 7
    assert at.query_params["task"] == key
    assert at.slider(key="features").value == 1 and at.session_state["head_units"] == 1
    assert "1,095 rows" in " ".join(c.value for c in at.sidebar.caption)


def test_a_changed_choice_moves_the_model_and_the_key():
    at = _with_sample()
    at.multiselect(key="series_inputs").set_value(["rentals", "temperature_c"]).run()
    assert_clean(at)
    assert at.slider(key="features").value == 2
    at.number_input(key="series_horizon").set_value(3).run()
    assert_clean(at)
    options = SeriesOptions.from_key(at.query_params["task"])
    assert options.inputs == ("rentals", "temperature_c") and options.horizon == 3


def test_choices_the_data_cannot_meet_get_a_message():
    at = _with_sample()
    at.multiselect(key="series_inputs").set_value([]).run()
    assert_clean(at)
    assert any("input column" in e.value for e in at.sidebar.error) and at.session_state["_series_key"] == ""
    at.multiselect(key="series_inputs").set_value(["rentals"]).run()
    at.slider(key="series_train").set_value(50).run()
    at.number_input(key="series_horizon").set_value(50).run()
    assert_clean(at)
    assert not at.sidebar.error  # 50 steps ahead still leaves windows in 547 training rows


def test_a_link_to_the_sample_opens_it_with_the_links_choices():
    key = SeriesOptions(DIGEST, ("rentals", "temperature_c"), "rentals", horizon=2, season=7).key()
    at = new_app({"task": key, "units": "12"})
    assert_clean(at)
    assert at.session_state["_series_key"] == key and at.query_params["task"] == key
    assert at.slider(key="features").value == 2 and at.slider(key="units_1").value == 12
    assert not at.sidebar.warning


def test_a_link_to_data_this_session_lacks_says_so_even_when_another_session_has_it():
    table = parse_table("v\n" + "\n".join(str(k % 9) for k in range(200)))
    options = SeriesOptions(table.digest, ("v",), "v")
    TASKS.register(series_task(table, options))  # another learner's session registered it
    at = new_app({"task": options.key()})
    assert_clean(at)
    assert any("Data never travel in links" in w.value for w in at.sidebar.warning)
    assert at.session_state["_series_key"] == "" and "task" not in at.query_params  # nothing of the other's data


def test_training_the_sample_shows_the_forecast_beside_the_naive_one():
    at = _with_sample({"view": "training"})
    job, _ = train_to_end(at)
    assert job.progress().snapshots[-1].step == job.spec.total_steps
    open_panel(at, "training")
    assert_clean(at)
    verdict = [s.value for s in at.success] + [w.value for w in at.warning]
    assert any("naive forecast" in v and "RMSE" in v for v in verdict), verdict
    fig = figures(at)["forecast"]
    assert [t["meta"] for t in fig["data"]] == ["truth", "model", "naive"]
    assert fig["layout"]["yaxis"]["title"]["text"] == "rentals"
    open_panel(at, "gates")  # every view runs on the learner's windows, labelled with their values
    assert_clean(at)
    ticks = figures(at)["gates"]["layout"]["xaxis7"]["ticktext"]
    assert len(ticks) == at.slider(key="timesteps").value
    assert all(t.split("<br>")[1].replace(".", "").isdigit() for t in ticks), ticks  # step, then rentals that day


def test_the_series_controls_work_in_chinese():
    at = _with_sample({"lang": "zh"})
    assert_clean(at)
    assert at.session_state["_series_key"]


def test_the_shapers_train_on_this_opens_the_series_task_with_its_column_and_window():
    at = new_app({"view": "questions", "q": "data"})
    at.number_input(key="shaper_T").set_value(9).run()
    at.button(key="shaper_train").click().run()
    assert_clean(at)
    options = SeriesOptions.from_key(at.session_state["_series_key"])
    assert options.inputs == ("temperature",) == (options.target,) and at.slider(key="timesteps").value == 9
    assert at.query_params["task"] == options.key() and at.session_state["features"] == 1


def test_the_shapers_train_on_this_turns_integer_codes_into_a_next_code_task():
    codes = "code\n" + "\n".join(str(i * 7 % 25) for i in range(2000))
    at = new_app({"view": "questions", "q": "data"})
    at.text_area(key="shaper_text").input(codes).run()
    at.selectbox(key="shaper_mode").set_value("embedding").run()
    at.number_input(key="shaper_T").set_value(31).run()
    at.button(key="shaper_train").click().run()
    assert_clean(at)
    assert at.session_state["_text_key"].startswith("text:") and at.session_state["vocab"] == 25
    assert at.slider(key="timesteps").value == 31 and at.session_state["head_units"] == 25
    open_panel(at, "gates")
    ticks = figures(at)["gates"]["layout"]["xaxis7"]["ticktext"]
    assert all(t.split("<br>")[1].isdigit() for t in ticks)  # each step labelled by its code
