"""A learner's own series as a task: reading the CSV, the windows and split against hand computation, the scaling
fitted on the training rows only, the naive forecasts, training that beats them, and hostile files."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.config import LSTMConfig
from explorer.figures.forecast import make_forecast_figure
from explorer.training.tasks import TASKS, TaskRegistry
from explorer.yourdata.forecast import held_out_forecast
from explorer.yourdata.naive import baseline_season, detect_season, naive_forecast
from explorer.yourdata.options import SeriesOptions, is_series_key
from explorer.yourdata.prepare import MIN_TRAIN_WINDOWS, fill_gaps, prepare
from explorer.yourdata.samples import SEASONAL, seasonal_csv
from explorer.yourdata.table import MAX_BYTES, DataError, parse_table
from explorer.yourdata.task import series_task


def _csv(columns: dict[str, list]) -> str:
    names = list(columns)
    rows = zip(*columns.values(), strict=True)
    return "\n".join([",".join(names), *(",".join(str(v) for v in row) for row in rows)]) + "\n"


def _ramp(n: int = 60) -> str:
    """Two columns: a = 0, 1, 2, … and b = 100 + 10·row, so every window can be checked by hand."""
    return _csv({"a": list(range(n)), "b": [100 + 10 * k for k in range(n)]})


# --- reading -------------------------------------------------------------------------------------------------------


def test_a_table_keeps_its_numeric_columns_and_skips_text_ones():
    table = parse_table("date,price,volume\n2024-01-01,1.5,10\n2024-01-02,,12\n2024-01-03,1.7,NaN\n")
    assert table.names == ("price", "volume") and table.skipped == ("date",)
    assert table.rows == 3 and np.isnan(table.values[1, 0]) and np.isnan(table.values[2, 1])
    assert table.gaps(("price",)) == 1 and table.gaps(("price", "volume")) == 2


def test_a_table_without_a_header_names_its_columns():
    table = parse_table("1,2\n3,4\n5,6\n")
    assert table.names == ("column 1", "column 2") and table.values.tolist() == [[1, 2], [3, 4], [5, 6]]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"x" * (MAX_BYTES + 1), "limit"),
        (b"a,b\n\xff\xfe,1\n", "UTF-8"),
        (b"a\n1\x002\n", "binary"),
        (b"", "empty"),
        (b"name\n", "Only a header"),
        (b"name,city\nann,paris\nbob,rome\n", "No column holds only numbers"),
        (b"v\n1\n1e39\n", "float32"),
        (b"v,v\n1,2\n3,4\n", "share the name"),
    ],
)
def test_bad_files_get_a_message_that_names_the_problem(data, words):
    with pytest.raises(DataError) as err:
        parse_table(data)
    assert words in str(err.value.args[0])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), st.text(alphabet=st.sampled_from('0123456789.,-e\n\r"; abNn'), max_size=400)))
def test_hostile_bytes_give_a_table_or_a_message_never_a_traceback(data):
    try:
        table = parse_table(data)
    except DataError as err:
        assert str(err.args[0])
        return
    try:
        options = SeriesOptions(table.digest, (table.names[0],), table.names[-1], gaps="interpolate")
        task = series_task(table, options)
    except DataError as err:
        assert str(err.args[0])
        return
    data = task.generate(8, task.timesteps_range[0], 0)
    assert np.isfinite(data.x).all() and np.isfinite(data.y).all()


# --- the choices, and the key a link carries ---------------------------------------------------------------------


@given(
    st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4, unique=True),
    st.integers(1, 50),
    st.integers(50, 95),
    st.sampled_from(["standard", "minmax", "none"]),
    st.integers(0, 500),
    st.sampled_from(["refuse", "drop", "interpolate"]),
)
def test_the_task_key_spells_every_choice_and_reads_back(names, horizon, train, scaling, season, gaps):
    options = SeriesOptions("0123456789abcdef", tuple(names), names[-1], horizon, train, scaling, season, gaps)
    key = options.key()
    assert is_series_key(key) and SeriesOptions.from_key(key) == options


@pytest.mark.parametrize(
    "key", ["series:", "series:zz;in=a;y=a", "series:0123456789ab;y=a", "series:0123456789ab;in=a;y=a;h=0", "brackets"]
)
def test_a_broken_key_is_not_a_series_key(key):
    assert not is_series_key(key)


# --- windows, split and scaling ------------------------------------------------------------------------------------


def test_windows_targets_and_split_match_a_hand_computation():
    table = parse_table(_ramp(60))
    options = SeriesOptions(table.digest, ("a", "b"), "b", horizon=2, train_percent=80, scaling="none")
    p = prepare(table, options)
    assert p.split == 48
    rows = p.target_rows(3, "train")
    assert rows[0] == 4 and rows[-1] == 47  # window rows 0–2 → target row 2 + 2; the last target before the split
    x, y = p.windows(rows[:2], 3)
    assert x[:, :, 0].tolist() == [[0, 1, 2], [1, 2, 3]]  # column a, oldest first
    assert x[:, :, 1].tolist() == [[100, 110, 120], [110, 120, 130]]
    assert y[:, 0].tolist() == [140, 150]  # b at rows 4 and 5
    held = p.target_rows(3, "held_out")
    assert held[0] == 48 and held[-1] == 59


def test_no_training_window_reaches_the_held_out_part_and_the_scaling_never_sees_it():
    table = parse_table(SEASONAL.read_bytes())
    for horizon in (1, 7):
        options = SeriesOptions(table.digest, ("rentals", "temperature_c"), "rentals", horizon=horizon, train_percent=70)
        p = prepare(table, options)
        train, held = p.target_rows(14, "train"), p.target_rows(14, "held_out")
        assert train.max() < p.split <= held.min()
        assert len(train) + len(held) == len(p.raw) - 14 - horizon + 1  # every window is in one part
        raw = p.raw[: p.split]
        np.testing.assert_allclose(p.scaler.shift, raw.mean(axis=0))
        np.testing.assert_allclose(p.scaler.scale, raw.std(axis=0))
        np.testing.assert_allclose(p.scaled[p.split :], (p.raw[p.split :] - raw.mean(axis=0)) / raw.std(axis=0), rtol=1e-5)


def test_min_max_scaling_maps_the_training_rows_onto_zero_to_one():
    table = parse_table(_ramp(60))
    p = prepare(table, SeriesOptions(table.digest, ("a",), "a", scaling="minmax"))
    assert p.scaled[: p.split].min() == 0 and p.scaled[: p.split].max() == 1 and p.scaled[-1, 0] > 1  # held out: beyond


def test_gaps_are_refused_with_their_place_or_dropped_or_interpolated():
    values = np.array([[1.0, 10], [np.nan, 20], [3, np.nan], [4, 40]])
    with pytest.raises(DataError) as err:
        fill_gaps(values, "refuse", ("a", "b"))
    assert "row 2" in str(err.value.args[0]) and "'a'" in str(err.value.args[0])
    dropped, n = fill_gaps(values, "drop", ("a", "b"))
    assert n == 2 and dropped.tolist() == [[1, 10], [4, 40]]
    filled, _ = fill_gaps(values, "interpolate", ("a", "b"))
    assert filled.tolist() == [[1, 10], [2, 20], [3, 30], [4, 40]]


@pytest.mark.parametrize(
    ("text", "options", "words"),
    [
        ("v\n" + "1\n" * 40, {}, "one value"),
        ("v\n" + "\n".join(map(str, range(20))), {}, "too few"),
        ("v\n" + "\n".join(map(str, range(80))), {"inputs": ("w",)}, "no column"),
    ],
)
def test_data_that_cannot_make_a_task_gets_a_message(text, options, words):
    table = parse_table(text)
    choices = {"inputs": ("v",), "target": "v", **options}
    with pytest.raises(DataError) as err:
        series_task(table, SeriesOptions(table.digest, **choices))
    assert words in str(err.value.args[0]).lower()


def test_the_longest_window_leaves_the_training_windows_it_promises():
    table = parse_table(_ramp(100))
    task = series_task(table, SeriesOptions(table.digest, ("a",), "a", horizon=3))
    longest = task.timesteps_range[1]
    assert len(task.prepared.target_rows(longest, "train")) == MIN_TRAIN_WINDOWS
    with pytest.raises(ValueError):
        task.generate(4, longest + 1, 0)


# --- naive forecasts ------------------------------------------------------------------------------------------------


def test_naive_forecasts_are_the_last_value_and_the_value_a_season_before():
    table = parse_table(_ramp(60))
    p = prepare(table, SeriesOptions(table.digest, ("a",), "b", horizon=2, scaling="none"))
    rows = np.array([20, 21])
    assert naive_forecast(p, rows, 0).tolist() == [100 + 10 * 18, 100 + 10 * 19]  # b at the window's last row
    assert naive_forecast(p, rows, 5).tolist() == [100 + 10 * 15, 100 + 10 * 16]  # one season (5 ≥ h) back
    assert naive_forecast(p, rows, 1).tolist() == [100 + 10 * 18, 100 + 10 * 19]  # whole seasons: 2 × 1 back


def test_the_season_is_found_in_the_sample_and_not_in_noise():
    table = parse_table(SEASONAL.read_bytes())
    assert detect_season(table.column("rentals")[:876]) == 7
    assert detect_season(np.random.default_rng(0).normal(size=500)) == 0


def test_the_baseline_takes_the_season_only_where_it_helps_on_the_training_windows():
    table = parse_table(SEASONAL.read_bytes())
    weekly = prepare(table, SeriesOptions(table.digest, ("rentals",), "rentals", season=7))
    assert baseline_season(weekly, 14) == 7
    odd = prepare(table, SeriesOptions(table.digest, ("rentals",), "rentals", season=5))
    assert baseline_season(odd, 14) == 0  # a five-day "season" is worse than yesterday's value


def test_the_shipped_seasonal_sample_is_its_recipes_output():
    assert SEASONAL.read_text() == seasonal_csv()


# --- the task in the registry, training, the forecast ----------------------------------------------------------------


def _sample_task(**choices):
    table = parse_table(SEASONAL.read_bytes())
    options = SeriesOptions(table.digest, ("rentals", "temperature_c"), "rentals", season=7, **choices)
    task = series_task(table, options)
    TASKS.register(task)
    return task


def test_a_registered_task_is_found_by_key_but_not_listed():
    task = _sample_task()
    assert TASKS[task.key] is task and task.key in TASKS and task.key not in list(TASKS) and len(TASKS) == 4
    registry = TaskRegistry({})
    for k in range(TaskRegistry.MAX_REGISTERED + 3):
        registry.register(series_task(parse_table(_ramp(60 + k)), SeriesOptions(parse_table(_ramp(60 + k)).digest, ("a",), "a")))
    assert len(registry._registered) == TaskRegistry.MAX_REGISTERED  # bounded: the oldest go first
    with pytest.raises(ValueError):
        TASKS.register(type(task)(**{**task.__dict__, "key": "brackets"}))


def test_training_windows_are_seeded_and_held_out_windows_spread_in_time_order():
    task = _sample_task()
    a, b = task.generate(64, 14, 3), task.generate(64, 14, 3)
    assert np.array_equal(a.x, b.x) and not np.array_equal(a.x, task.generate(64, 14, 4).x)
    assert a.rows.max() < task.prepared.split
    held = task.held_out(50, 14, 0)
    assert len(held.rows) == 50 and np.all(np.diff(held.rows) > 0) and held.rows.min() >= task.prepared.split
    assert held.labels.shape == (50, 14) and held.labels[0, -1] == f"{task.prepared.raw[held.rows[0] - 1, 0]:.4g}"


def test_a_tiny_training_run_beats_the_naive_forecast_on_the_sample():
    from explorer.training.loop import Trainer
    from explorer.training.spec import TrainingSpec

    task = _sample_task()
    spec = TrainingSpec(task.key, task.default_config(), epochs=task.epochs)
    trainer = Trainer(spec)
    while trainer.step < spec.total_steps:
        trainer.train(trainer.steps_to_epoch_end())
    snapshot = trainer.snapshot()
    naive = task.baseline(trainer.eval_data)
    assert snapshot.loss < naive, (snapshot.loss, naive)
    forecast = held_out_forecast(task, _weights(spec, snapshot.arrays), spec.model.timesteps)
    assert forecast.beats_naive and forecast.model_rmse < forecast.naive_rmse


def _weights(spec, arrays):
    from explorer.training.snapshots import model_weights

    return model_weights(spec.model, arrays)


def test_the_forecast_is_the_keras_models_own_in_the_datas_units():
    from explorer.model import build_model

    task = _sample_task(horizon=3)
    cfg = task.default_config(seed=5)
    model = build_model(cfg)
    forecast = held_out_forecast(task, _weights_of(model, cfg), cfg.timesteps)
    data = task.held_out(2000, cfg.timesteps, 0)
    keras_out = np.asarray(model(data.x), np.float32)[:, 0]  # (n,) scaled
    np.testing.assert_allclose(forecast.model, task.in_units(keras_out), atol=1e-5 * task.prepared.scaler.scale[0])
    np.testing.assert_allclose(forecast.truth, task.prepared.raw[data.rows, 0])


def _weights_of(model, cfg):
    from explorer.training.snapshots import model_weights

    return model_weights(cfg, tuple(np.asarray(w, np.float32) for w in model.get_weights()))


def test_the_forecast_figure_draws_truth_model_and_naive_with_their_errors():
    task = _sample_task()
    cfg = task.default_config()
    from explorer.ui.cache import traced_weights

    forecast = held_out_forecast(task, traced_weights(cfg), cfg.timesteps)
    fig = make_forecast_figure(forecast, target="rentals", horizon=1)
    assert [t.meta for t in fig.data] == ["truth", "model", "naive"]
    np.testing.assert_allclose(fig.data[0].y, np.round(forecast.truth, 6))
    np.testing.assert_array_equal(fig.data[0].x, forecast.rows + 1)
    assert f"{forecast.naive_rmse:.4g}" in fig.data[2].name and "season (7 rows)" in fig.data[2].name
    assert fig.layout.meta["view"] == "forecast" and fig.layout.yaxis.title.text == "rentals"


def test_a_task_takes_what_its_data_fix_and_refuses_a_model_that_does_not_fit():
    task = _sample_task()
    cfg = task.fit_config(LSTMConfig(units=(8, 4), return_sequences=(True, True)))
    assert cfg.features == 2 and cfg.head_units == 1 and cfg.return_sequences == (True, False) and not task.problems(cfg)
    assert task.problems(LSTMConfig(features=3))
