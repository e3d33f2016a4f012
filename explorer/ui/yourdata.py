"""Your own series on the page: the file (or a sample), the columns and the choices in the sidebar, the task they
make, and what the Training tab shows of it (the data as the model sees them, the held-out forecast).

The data stay in this session (`yourdata_state.TABLE`); the task is registered by its key so the trainer's worker and
the cached views find it, and every rerun registers it again.
"""

from __future__ import annotations

import functools

import streamlit as st

from explorer.figures.forecast import make_forecast_figure
from explorer.i18n import N_, Message, _, keep_language
from explorer.training.snapshots import TrainedWeights, model_weights
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS
from explorer.ui.chart import show_chart
from explorer.ui.controls import MODEL_QUERY_KEYS, apply_model, panel_label, state_to_view
from explorer.ui.store import BoundedStore
from explorer.ui.yourdata_state import ERROR, KEY, SERIES, TABLE, WANTED, WIDGETS, options_from_widgets, series_widgets
from explorer.yourdata.forecast import Forecast, held_out_forecast
from explorer.yourdata.naive import detect_season
from explorer.yourdata.options import GAPS, HORIZON_RANGE, SCALINGS, SEASON_RANGE, TRAIN_PERCENT_RANGE, SeriesOptions
from explorer.yourdata.samples import EXAMPLE, SEASONAL
from explorer.yourdata.table import MAX_BYTES, DataError, Table, parse_table
from explorer.yourdata.task import SeriesTask, series_task

SAMPLES = {  # shipped series: key -> (file, label message)
    "rentals": (SEASONAL, N_("bike rentals, daily for 3 years")),
    "example": (EXAMPLE, N_("temperature, 120 rows")),
}
FILE = "series_file"
TASK = "_series_task"  # this session's (options, SeriesTask | DataError): rebuilt when the choices change


@functools.cache
def sample_digest(name: str) -> str:
    """The digest of a shipped sample (a link to it needs no upload)."""
    return parse_table(SAMPLES[name][0].read_bytes()).digest


def _sample_of(key: str) -> str | None:
    """The shipped sample a series key names, if any."""
    digest = SeriesOptions.from_key(key).digest
    return next((name for name in SAMPLES if sample_digest(name).startswith(digest)), None)


def open_linked_sample() -> None:
    """Before any widget: a link to a shipped sample's series opens the sample, with the link's model and choices."""
    s = st.session_state
    if not (s.get(WANTED) and s.get(TABLE) is None and (sample := _sample_of(s[WANTED]))):
        return
    load_table(parse_table(SAMPLES[sample][0].read_bytes()), keep_model=True)
    task, view = TASKS.get(s.get(KEY, "")), state_to_view(s)
    if task is not None and task.problems(view.model):  # the link's model as far as it goes, fitted to the task
        given = MODEL_QUERY_KEYS & set(st.query_params)
        apply_model(task.fit_config(view.model) if given else task.default_config(seed=view.model.seed))
    if task is not None:  # the training settings a link leaves out are the task's defaults
        s["epochs"] = s["epochs"] if "epochs" in st.query_params else task.epochs
        s["learning_rate"] = s["learning_rate"] if "lr" in st.query_params else task.learning_rate


def load_table(table: Table, *, keep_model: bool = False, options: SeriesOptions | None = None) -> None:
    """Callback: ``table`` becomes this session's series, with choices a learner would start from (the first column
    forecast from itself, the season found in its training part), or the choices of a link that wanted this data."""
    s = st.session_state
    s[TABLE] = table
    wanted = s.get(WANTED, "")
    if options is not None:  # the data shaper's choices
        s.update(series_widgets(options))
    elif wanted and SeriesOptions.from_key(wanted).digest == table.digest[:12]:
        s.update(series_widgets(SeriesOptions.from_key(wanted)))
    else:
        target = table.names[0]
        column = table.column(target)
        season = detect_season(column[: int(len(column) * 0.8)])
        defaults = SeriesOptions(table.digest, (target,), target, season=min(season, SEASON_RANGE[1]))
        s.update(series_widgets(defaults))
        if table.gaps(table.names):
            s["series_gaps"] = "interpolate"
    s.pop(WANTED, None)
    s["task"] = SERIES
    sync_series()
    if (task := TASKS.get(s.get(KEY, ""))) and not keep_model:
        apply_model(task.default_config(seed=state_to_view(s).model.seed))
        s["epochs"], s["learning_rate"] = task.epochs, task.learning_rate


def train_on_shaped_series(data: bytes, column: str, timesteps: int) -> None:
    """Button callback (the data shaper's *Train on this*): the shaper's file becomes the series task, its column
    forecast one step ahead from windows of the shaper's ``T``."""
    try:
        table = parse_table(data)
        values = table.column(column)
        season = min(detect_season(values[: int(len(values) * 0.8)]), SEASON_RANGE[1])
        load_table(table, options=SeriesOptions(table.digest, (column,), column, season=season))
    except (DataError, ValueError) as err:
        st.session_state[ERROR] = (
            err.args[0] if isinstance(err, DataError) else Message("The column {column} is not numeric.", column=repr(column))
        )
        st.session_state["task"] = SERIES
        return
    open_with_timesteps(st.session_state.get(KEY, ""), timesteps)


def open_with_timesteps(key: str, timesteps: int) -> None:
    """Callback: the data shaper's ``T`` for the task ``key`` (within what it allows), and the Training tab open."""
    task = TASKS.get(key)
    if task is not None:
        lo, hi = task.timesteps_range
        st.session_state["timesteps"] = int(min(max(timesteps, lo), hi))
    st.session_state["panel"] = panel_label("training")


def _on_file() -> None:
    upload = st.session_state.get(FILE)
    if upload is None:
        return
    try:
        load_table(parse_table(upload.getvalue(), max_bytes=MAX_BYTES))
    except DataError as err:
        st.session_state[ERROR] = err.args[0]
        st.session_state[KEY] = ""


def _on_sample(name: str) -> None:
    load_table(parse_table(SAMPLES[name][0].read_bytes()))


def _on_choice() -> None:
    """A changed column or choice: the model follows what the task fixes (features, the head)."""
    sync_series()
    task = TASKS.get(st.session_state.get(KEY, ""))
    view = state_to_view(st.session_state)
    if task is not None and task.problems(view.model):
        apply_model(task.fit_config(view.model))


def sync_series() -> None:
    """Before the view is read: the task key of this session's data and choices (registered), or "" and why not."""
    s = st.session_state
    s[KEY], s[ERROR] = "", s.get(ERROR) if s.get(TABLE) is None else None
    table = s.get(TABLE)
    if s.get("task") != SERIES or table is None:
        return
    try:
        options = options_from_widgets(s, table.digest)
    except ValueError:
        s[ERROR] = Message("Pick at least one input column and the column to forecast.")
        return
    cached = s.get(TASK)
    if cached is None or cached[0] != options:
        try:
            cached = (options, series_task(table, options))
        except DataError as err:
            cached = (options, err)
        s[TASK] = cached
    task = cached[1]
    if isinstance(task, DataError):
        s[ERROR] = task.args[0]
        return
    TASKS.register(task)
    s[KEY] = task.key


def series_sidebar() -> None:
    """The sidebar's "your series" controls: the file or a sample, then the columns and choices."""
    sb, s = st.sidebar, st.session_state
    if wanted := s.get(WANTED):
        options = SeriesOptions.from_key(wanted)
        sb.warning(
            _(
                "This link trains on a series that was opened in another browser session (columns {inputs} → {target}). "
                "Data never travel in links: open the same file here and the same run appears, or use an example."
            ).format(inputs=", ".join(options.inputs), target=options.target),
            icon=":material/link_off:",
        )
    sb.file_uploader(
        _("your series: a CSV (≤ 1 MB)"),
        type=["csv", "txt"],
        key=FILE,
        on_change=_on_file,
        help=_(
            "One row per time step, one column per quantity; a header row optional; text columns such as dates are "
            "skipped. It stays in this session."
        ),
    )
    for name, (_path, label) in SAMPLES.items():
        sb.button(
            _("Example: {label}").format(label=_(label)),
            key=f"series_sample_{name}",
            on_click=_on_sample,
            args=(name,),
            width="stretch",
            icon=":material/dataset:",
        )
    table = s.get(TABLE)
    if table is None:
        if s.get(ERROR) is not None:
            sb.error(str(s[ERROR]), icon=":material/error:")
        return
    _default_widgets(table)
    sb.caption(
        _("{rows} rows, numeric columns: {names}.").format(rows=f"{table.rows:,}", names=", ".join(table.names))
        + (" " + _("Skipped (not numbers): {names}.").format(names=", ".join(table.skipped)) if table.skipped else "")
    )
    sb.multiselect(
        _("input columns (features)"),
        list(table.names),
        key="series_inputs",
        on_change=_on_choice,
        help=_("Each column is one feature: F = the number picked."),
        placeholder=_("Choose options"),
    )
    sb.selectbox(
        _("forecast column"), list(table.names), key="series_target", on_change=_on_choice, placeholder=_("Choose an option")
    )
    c1, c2 = sb.columns(2)
    c1.number_input(
        _("horizon (steps ahead)"),
        *HORIZON_RANGE,
        key="series_horizon",
        on_change=_on_choice,
        help=_("1 = the next row's value; k = the value k rows after the window."),
    )
    c2.number_input(
        _("season (rows, 0 = none)"),
        *SEASON_RANGE,
        key="series_season",
        on_change=_on_choice,
        help=_("For the seasonal naive forecast: the value one season before. Suggested from the data's autocorrelation."),
    )
    sb.slider(
        _("training part (%, the first rows)"),
        *TRAIN_PERCENT_RANGE,
        step=5,
        key="series_train",
        on_change=_on_choice,
        help=_("Split by time: the first rows train, the rest are held out. Never shuffled across."),
    )
    sb.selectbox(
        _("scaling (fitted on the training part)"),
        list(SCALINGS),
        key="series_scaling",
        on_change=_on_choice,
        format_func=keep_language(lambda k: _(SCALINGS[k])),
        placeholder=_("Choose an option"),
    )
    if table.gaps(table.names):
        sb.selectbox(
            _("empty or NaN cells"),
            list(GAPS),
            key="series_gaps",
            on_change=_on_choice,
            format_func=keep_language(lambda k: _(GAPS[k])),
            placeholder=_("Choose an option"),
        )
    if s.get(ERROR) is not None:
        sb.error(str(s[ERROR]), icon=":material/error:")


def _default_widgets(table: Table) -> None:
    """Widgets Streamlit dropped while hidden (another task was picked) come back with the first choices."""
    s = st.session_state
    if all(w in s for w in WIDGETS if w != "series_gaps"):
        return
    defaults = series_widgets(SeriesOptions(table.digest, (table.names[0],), table.names[0]))
    for widget, value in defaults.items():
        s.setdefault(widget, value)


_FORECASTS: BoundedStore[tuple[TrainingSpec, TrainedWeights | None], Forecast] = BoundedStore(
    lambda key: _forecast(*key), max_entries=16
)


def _forecast(spec: TrainingSpec, weights: TrainedWeights | None) -> Forecast:
    from explorer.ui.cache import traced_weights

    task = TASKS[spec.task]
    numbers = traced_weights(spec.model) if weights is None else model_weights(spec.model, weights.arrays)
    return held_out_forecast(task, numbers, spec.model.timesteps)


def series_panel(spec: TrainingSpec, weights: TrainedWeights | None) -> None:
    """The Training tab's part for a series: the data as the model gets them, and the held-out forecast."""
    task: SeriesTask = TASKS[spec.task]
    p, o, T = task.prepared, task.options, spec.model.timesteps
    train, held = (len(p.target_rows(T, part)) for part in ("train", "held_out"))
    scale = ", ".join(f"{name}: {p.scaler.shift[k]:.4g} / {p.scaler.scale[k]:.4g}" for k, name in enumerate(o.columns))
    st.markdown(
        _(
            "**Your series as the model gets it.** Rows 1–{split} train, rows {first}–{rows} are held out. Each "
            "window is {T} rows of {inputs}: `({train}, {T}, {F})` training windows and `({held}, {T}, {F})` held-out "
            "ones; each target is {target} {h} row(s) after its window. Scaling *{scaling}*, fitted on the training "
            "rows only (shift / scale): {scale}."
        ).format(
            split=p.split,
            first=p.split + 1,
            rows=len(p.raw),
            T=T,
            inputs=", ".join(o.inputs),
            train=f"{train:,}",
            held=f"{held:,}",
            F=len(o.inputs),
            target=o.target,
            h=o.horizon,
            scaling=_(SCALINGS[o.scaling]),
            scale=scale,
        )
        + (" " + _("{n} rows had an empty cell ({rule}).").format(n=p.gap_rows, rule=_(GAPS[o.gaps])) if p.gap_rows else "")
    )
    forecast = _FORECASTS.get((spec, weights))
    if weights is None:
        st.caption(_("Untrained: the forecast below is the initial weights'. Press **Train**."))
    verdict = _(
        "On the {n} held-out windows the model's error (RMSE) is **{model:.4g}**, the naive forecast's **{naive:.4g}** "
        "(MAE {model_mae:.4g} against {naive_mae:.4g}), measured in {target} itself, not scaled."
    ).format(
        n=len(forecast.rows),
        model=forecast.model_rmse,
        naive=forecast.naive_rmse,
        model_mae=forecast.model_mae,
        naive_mae=forecast.naive_mae,
        target=o.target,
    )
    if forecast.beats_naive:
        st.success(verdict + " " + _("The model beats the naive forecast."), icon=":material/trending_up:")
    else:
        st.warning(
            verdict
            + " "
            + _(
                "**The model does not beat the naive forecast**: for this series, the last value (or last season's) "
                "is the better guess so far."
            ),
            icon=":material/trending_flat:",
        )
    show_chart(make_forecast_figure(forecast, target=o.target, horizon=o.horizon), "forecast")
