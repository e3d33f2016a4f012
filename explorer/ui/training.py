"""Live training on the page: the task picker, Train / Stop / Resume, the live curve, the snapshot scrubber.

The session's job lives in ``st.session_state["_job"]`` (one per session); it runs on the
server's `TrainingPool` (one per process, `st.cache_resource`), never on the script
thread: a rerun only reads the job's `Progress`. While a job is queued or running, a
fragment redraws the status and the curve a few times a second; when it ends, the fragment
reruns the whole page so every view shows the final snapshot.
"""

from __future__ import annotations

import os
import time

import streamlit as st

from explorer.admission import RateLimit
from explorer.figures.training import make_training_curve_figure
from explorer.i18n import Message, _, keep_language, use_language
from explorer.training.jobs import JobState, Progress, TrainingJob, TrainingPool, TrainingRefused
from explorer.training.snapshots import TrainedWeights, nearest
from explorer.training.spec import BATCH_SIZES, EPOCHS_RANGE, LEARNING_RATES, TrainingSpec
from explorer.training.tasks import TASKS
from explorer.ui import cache
from explorer.ui.chart import show_chart
from explorer.ui.controls import apply_model, page_language, state_to_view
from explorer.ui.view_fragment import JOB_POLLING
from explorer.ui.yourdata import open_linked_sample, series_sidebar, sync_series
from explorer.ui.yourdata_state import SERIES, TEXT, task_key
from explorer.ui.yourtext import open_linked_example, sync_text, text_sidebar
from explorer.view import ViewConfig

POLL_S = float(os.environ.get("LSTM_EXPLORER_TRAIN_POLL_S", "0.3"))  # the live curve's refresh while a job runs
TRAIN_STARTS = (3, 30.0)  # a session starts at most 3 runs in 30 s: each start builds and traces a model (~0.5 s)
CLOSED_GRACE_S = 10.0  # a page disconnected this long (not a reload) stops its job


@st.cache_resource(max_entries=1)
def training_pool() -> TrainingPool:
    """The server's one pool of training workers, shared by every session (sized by the memory budget)."""
    return TrainingPool()


def _session_watch():
    """``is_wanted`` for a job: False once this session's page has been gone for `CLOSED_GRACE_S`."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return lambda: True  # a notebook or AppTest: nobody closes a tab
    runtime, session_id, gone_since = Runtime.instance(), ctx.session_id, []

    def is_wanted() -> bool:
        if runtime.is_active_session(session_id):
            gone_since.clear()
            return True
        gone_since.append(gone_since[0] if gone_since else time.monotonic())
        return time.monotonic() - gone_since[0] < CLOSED_GRACE_S

    return is_wanted


def _on_task_change() -> None:
    """A task loads its default model (measured to learn it); then units, stacking and T are the learner's again."""
    if st.session_state["task"] == SERIES:
        sync_series()
    if st.session_state["task"] == TEXT:
        sync_text()
    key = task_key(st.session_state)
    if key:
        task = TASKS[key]
        view = state_to_view(st.session_state)
        apply_model(task.default_config(seed=view.model.seed))
        st.session_state["epochs"] = task.epochs
        st.session_state["learning_rate"] = task.learning_rate
    st.session_state["snapshot"] = -1


def fit_model_to_task() -> None:
    """Button callback: change what the task needs, keep the rest."""
    view = state_to_view(st.session_state)
    apply_model(TASKS[view.task].fit_config(view.model))


def _task_name(key: str) -> str:
    if key == SERIES:
        return _("your own series (a CSV)")
    if key == TEXT:
        return _("your own text (next character)")
    return _(TASKS[key].title) if key else _("none (untrained model)")


def task_sidebar() -> None:
    """Sidebar: pick a task and the training settings."""
    open_linked_sample()
    open_linked_example()
    sb = st.sidebar
    sb.header(_("Train on a task"))
    sb.selectbox(
        _("task"),
        ["", *TASKS, SERIES, TEXT],
        key="task",
        on_change=_on_task_change,
        format_func=keep_language(_task_name),
        help=_("A task that needs memory, or your own series; its samples feed every view, and Train teaches the live model."),
        placeholder=_("Choose an option"),
    )
    if st.session_state.get("task") == SERIES:
        series_sidebar()
    if st.session_state.get("task") == TEXT:
        text_sidebar()
    sync_series()
    sync_text()
    key = task_key(st.session_state)
    if not key:
        return
    task = TASKS[key]
    sb.caption(_(task.teaches))
    with sb.expander(_("Training settings")):
        st.slider(_("epochs"), *EPOCHS_RANGE, key="epochs", help=_("Passes over the {n} training samples.").format(n=f"{2048:,}"))
        st.select_slider(_("learning rate"), LEARNING_RATES, key="learning_rate", help=_("Adam's step size."))
        st.select_slider(_("training batch"), BATCH_SIZES, key="train_batch", help=_("Samples per training step."))
        st.number_input(_("training seed"), 0, 2**31 - 1, key="train_seed", help=_("Seed of the training data and its order."))


def session_job(spec: TrainingSpec | None) -> TrainingJob | None:
    """This session's job if it trains ``spec`` (a job for another model or setting is not shown)."""
    job = st.session_state.get("_job")
    return job if job is not None and spec is not None and job.spec == spec else None


def start_training(spec: TrainingSpec) -> None:
    """Button callback: one job per session; a new one stops the previous. A session that starts runs faster than
    `TRAIN_STARTS` allows is told when it may start the next (a mashed button, a script)."""
    wait = st.session_state.setdefault("_train_starts", RateLimit(*TRAIN_STARTS)).admit()
    if wait is not None:
        st.session_state["_train_refused"] = Message(
            "you started {n} runs in the last {window} s; start the next in {seconds} s.",
            n=TRAIN_STARTS[0],
            window=f"{TRAIN_STARTS[1]:.0f}",
            seconds=f"{wait:.0f}",
        )
        return
    previous = st.session_state.get("_job")
    if previous is not None:
        previous.abandon()
    job = TrainingJob(spec, is_wanted=_session_watch())
    st.session_state["_job"] = job
    st.session_state["snapshot"] = -1
    try:
        training_pool().submit(job)
    except TrainingRefused as err:
        st.session_state["_job"] = None
        st.session_state["_train_refused"] = err  # shown (and translated) by the next run


def resume_training(job: TrainingJob) -> None:
    try:
        training_pool().submit(job)
    except TrainingRefused as err:
        st.session_state["_train_refused"] = err


def shown_weights(view: ViewConfig, spec: TrainingSpec | None, progress: Progress | None) -> TrainedWeights | None:
    """The snapshot of ``spec``'s run the views show (``view.snapshot``, or the latest); ``None``: the initial weights."""
    if spec is None or progress is None or not progress.snapshots:
        return None
    snap = nearest(progress.snapshots, None if view.snapshot < 0 else view.snapshot)
    if snap.step == 0:
        return None  # the initial weights: the untrained model's own caches
    return TrainedWeights(spec, snap.step, snap.arrays)


def auto_train_from_url(view: ViewConfig) -> None:
    """A shared link with ``snap=`` reproduces the trained model: train it (or take the cached run) once."""
    if st.session_state.get("_auto_trained") or view.snapshot <= 0:
        return
    st.session_state["_auto_trained"] = True
    spec = view.training_spec()
    if spec is not None and session_job(spec) is None:
        start_training(spec)


def _status_text(progress: Progress, spec: TrainingSpec) -> str:
    task = TASKS[spec.task]
    epoch = progress.step / spec.steps_per_epoch
    if progress.state is JobState.QUEUED:
        return ":material/hourglass_top: " + _("Waiting: **{position}** in the queue ({running} training now).").format(
            position=progress.position, running=training_pool().running
        )
    head = {
        JobState.RUNNING: ":material/model_training: " + _("Training"),
        JobState.STOPPED: ":material/pause_circle: " + _("Stopped"),
        JobState.DONE: ":material/check_circle: "
        + _("Trained")
        + (_(" (a run finished earlier, from the shared cache)") if progress.from_cache else ""),
        JobState.FAILED: ":material/error: " + _("Failed"),
    }[progress.state]
    text = head + _(": epoch **{epoch}** of {epochs}, step {step} of {total}").format(
        epoch=f"{epoch:.2f}", epochs=spec.epochs, step=progress.step, total=progress.total_steps
    )
    text += _(", {seconds} s").format(seconds=f"{progress.seconds:.1f}")
    if progress.snapshots:
        last = progress.snapshots[-1]
        baseline = cache.task_baseline(spec)[1]
        solved = task.solved(last.metric, baseline)
        text += " · " + _("held-out {metric} **{value}** ({baseline_name}: {baseline}; solved at {threshold})").format(
            baseline_name=_(task.baseline_name),
            metric=_(task.metric[0]),
            value=f"{last.metric:.3f}",
            baseline=f"{baseline:.3f}",
            threshold=f"{task.threshold(baseline):.3f}",
        )
        text += " :material/verified: " + _("solved") if solved else ""
    if progress.message:
        text += f"\n\n{progress.message}"
    return text


def training_strip(view: ViewConfig, job: TrainingJob | None, progress: Progress | None) -> None:
    """Above the views: what the task needs, Train / Stop / Resume, the live status and curve, the scrubber.

    ``job``, ``progress``: the session's job for the view's training settings (`session_job`) and what it has done.
    """
    task = TASKS[view.task]
    if problems := task.problems(view.model):
        st.warning(
            _("**This model cannot learn {task}**: {problems}.").format(
                task=_(task.title), problems="; ".join(map(str, problems))
            ),
            icon=":material/block:",
        )
        st.button(_("Fit the model to the task"), on_click=fit_model_to_task, type="primary", key="fit_task")
        return
    spec = view.training_spec()
    if spec is None:  # a broken stack: its own notice explains
        return
    if refused := st.session_state.pop("_train_refused", None):
        st.error(_("Training could not start: {reason}").format(reason=refused))
    buttons, status = st.columns([1, 5], vertical_alignment="center")
    with buttons:
        if progress is None or progress.state is JobState.DONE or progress.state is JobState.FAILED:
            label = _("Train") if progress is None else _("Train again")
            st.button(label, icon=":material/play_arrow:", type="primary", on_click=start_training, args=(spec,), key="train")
        elif progress.active:
            st.button(_("Stop"), icon=":material/stop:", on_click=job.stop, key="stop_training")
        else:
            st.button(_("Resume"), icon=":material/resume:", type="primary", on_click=resume_training, args=(job,), key="resume")
    with status:
        if job is None:
            st.markdown(
                _("**{title}:** {teaches}").format(title=_(task.title), teaches=_(task.teaches))
                + " "
                + _(
                    "Press **Train**: {epochs} epochs of {steps} steps "
                    "(batch {batch}, Adam {rate}). Every view then shows what the model learned."
                ).format(epochs=spec.epochs, steps=spec.steps_per_epoch, batch=spec.batch_size, rate=spec.learning_rate)
            )
        else:
            _live_status(job, spec, progress.active)
    if progress is not None and len(progress.snapshots) >= 2:
        _scrubber(progress, spec)


def poll_seconds(active_jobs: int) -> float:
    """The live status's refresh: `POLL_S`, slower when many jobs are live (each poll redraws a status and a curve,
    and six tabs polling every 0.3 s made 20 runs a second)."""
    return POLL_S * max(1.0, active_jobs / 2)


def _live_status(job: TrainingJob, spec: TrainingSpec, active: bool) -> None:
    st.session_state[JOB_POLLING] = active
    pool = training_pool()

    @st.fragment(run_every=poll_seconds(pool.running + pool.queued) if active else None)
    def live() -> None:
        with use_language(page_language()):  # a fragment's rerun runs only this function: set the language again
            _live(job, spec)

    live()


def _live(job: TrainingJob, spec: TrainingSpec) -> None:
    progress = job.progress()
    if st.session_state.get(JOB_POLLING) and not progress.active:
        st.session_state[JOB_POLLING] = False
        st.session_state["snapshot"] = -1  # show the final weights everywhere
        st.rerun()
    st.markdown(_status_text(progress, spec))
    if len(progress.train_losses):
        baseline = cache.task_baseline(spec)
        fig = make_training_curve_figure(
            TASKS[spec.task], progress.train_losses, progress.snapshots, total_steps=spec.total_steps,
            baseline_loss=baseline[0], baseline_metric=baseline[1], compact=True,
        )  # fmt: skip
        show_chart(fig, "training_live")


def _pick_snapshot() -> None:
    st.session_state["snapshot"] = st.session_state["snapshot_pick"]


def _scrubber(progress: Progress, spec: TrainingSpec) -> None:
    steps = [s.step for s in progress.snapshots]
    want = st.session_state.get("snapshot", -1)
    st.session_state["snapshot_pick"] = nearest(progress.snapshots, None if want < 0 else want).step
    st.select_slider(
        _("Weights the views show: after training step"),
        steps,
        key="snapshot_pick",
        on_change=_pick_snapshot,
        format_func=keep_language(
            lambda s: (
                _("{step} (epoch {epoch})").format(step=s, epoch=f"{s / spec.steps_per_epoch:.2f}")
                + (" " + _("untrained") if s == 0 else "")
            )
        ),
        help=_("Every view (graph colours, gates, trajectories, weights, the Questions' numbers) shows the model at this step."),
    )
