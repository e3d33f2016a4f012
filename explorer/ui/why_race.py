"""Why gates, trained: an LSTM, a GRU and a SimpleRNN of one size learn the view's task side by side on the server's
training pool (three jobs, same data and seed), optionally with an LSTM whose forget bias starts at 0; and a sweep
that trains the three at T = 10, 30 and 60.

The jobs live in ``st.session_state["_race"]`` and ``["_sweep"]`` (``{name: TrainingJob}``); a rerun only reads their
progress, and a fragment redraws the charts while any of them trains.
"""

from __future__ import annotations

import streamlit as st

from explorer.admission import RateLimit
from explorer.config import LSTMConfig
from explorer.i18n import Message, _, use_language
from explorer.training.jobs import JobState, TrainingJob, TrainingRefused
from explorer.training.snapshots import TrainedWeights
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS
from explorer.ui import cache
from explorer.ui.cache.why import trained_contender
from explorer.ui.controls import page_language
from explorer.ui.training import POLL_S, TRAIN_STARTS, _session_watch, training_pool
from explorer.view import ViewConfig

KINDS = ("LSTM", "GRU", "SimpleRNN")
FORGET_BIAS_NAMES = {0.0: "LSTM, b_f = 0", 3.0: "LSTM, b_f = 3"}  # besides Keras's default, b_f = 1
SWEEP_LENGTHS = (10, 30, 60)


def race_base(view: ViewConfig) -> TrainingSpec | None:
    """The training settings the comparison uses: the view's, on one LSTM layer of the view's first layer's size."""
    spec = view.training_spec()
    if spec is None:
        return None
    task, model = TASKS[view.task], view.model
    one = LSTMConfig(timesteps=model.timesteps, units=(model.units[0],), return_sequences=(task.per_step,), seed=model.seed)
    return spec.replace(model=task.fit_config(one))


def race_specs(base: TrainingSpec, *, forget_biases=(), timesteps: int | None = None) -> dict[str, TrainingSpec]:
    """``{name: spec}``: the three kinds (and an LSTM per forget bias asked for) on ``base``'s task, data and seed."""
    if timesteps is not None:
        task = TASKS[base.task]
        base = base.replace(model=task.fit_config(base.model.replace(timesteps=timesteps)))
    specs = {kind: base.replace(cell=kind) for kind in KINDS}
    for bias in forget_biases:
        specs[FORGET_BIAS_NAMES[bias]] = base.replace(forget_bias=bias)
    return specs


def _start(key: str, specs: dict) -> None:
    """Button callback: stop this session's previous jobs under ``key`` and submit one job per spec (one start of
    the session's `TRAIN_STARTS`)."""
    wait = st.session_state.setdefault("_train_starts", RateLimit(*TRAIN_STARTS)).admit()
    if wait is not None:
        st.session_state["_race_refused"] = Message("start the next comparison in {seconds} s.", seconds=f"{wait:.0f}")
        return
    for job in st.session_state.get(key, {}).values():
        job.stop()
    jobs, watch = {}, _session_watch()
    for name, spec in specs.items():
        job = TrainingJob(spec, is_wanted=watch)
        try:
            training_pool().submit(job)
        except TrainingRefused as err:
            st.session_state["_race_refused"] = err
            break
        jobs[name] = job
    st.session_state[key] = jobs


def _jobs(key: str, specs: dict | None = None) -> dict[str, TrainingJob]:
    """This session's jobs under ``key`` (those of other settings are not shown when ``specs`` is given)."""
    jobs = st.session_state.get(key) or {}
    if specs is not None and {n: j.spec for n, j in jobs.items()} != {n: s for n, s in specs.items() if n in jobs}:
        return {}
    return jobs


def race_controls(view: ViewConfig) -> tuple[dict, dict]:
    """The buttons; returns the race's and the sweep's specs ``({name: spec}, {(name, T): spec})``."""
    base = race_base(view)
    labels = {0.0: _("b_f = 0: unit_forget_bias=False, f ≈ 0.5"), 3.0: _("b_f = 3: f ≈ 0.95")}
    biases = st.pills(_("Also an LSTM whose forget-gate bias starts at (Keras's default is b_f = 1, f ≈ 0.73)"),
                      list(labels), format_func=labels.get, selection_mode="multi", key="why_forget_biases")  # fmt: skip
    chosen = sorted(biases or ())
    sweep = {(name, t): spec for t in SWEEP_LENGTHS for name, spec in race_specs(base, forget_biases=chosen, timesteps=t).items()}
    race = race_specs(base, forget_biases=chosen)
    left, right = st.columns(2)
    with left:
        st.button(_("Train the three (same task, data and seed)"), icon=":material/play_arrow:", type="primary",
                  on_click=_start, args=("_race", race), key="why_race")  # fmt: skip
    with right:
        label = _("Sweep: train them at T = {lengths}").format(lengths=", ".join(map(str, SWEEP_LENGTHS)))
        st.button(label, icon=":material/stacked_line_chart:", on_click=_start, args=("_sweep", sweep), key="why_sweep")
    if refused := st.session_state.pop("_race_refused", None):
        st.error(_("Training could not start: {reason}").format(reason=refused))
    return race, sweep


def race_state(race: dict, sweep: dict) -> tuple[dict, dict, bool]:
    """This session's race and sweep jobs for these settings, and whether any still trains."""
    jobs, sweep_jobs = _jobs("_race", race), _jobs("_sweep", sweep)
    active = any(j.progress().active for j in (*jobs.values(), *sweep_jobs.values()))
    return jobs, sweep_jobs, active


def trained_contenders(jobs: dict) -> list:
    """Each race model at its latest snapshot (LSTM first), with its gradient through time; ``[]`` before any."""
    out = []
    for name in sorted(jobs, key=lambda n: (n != "LSTM", n)):
        progress = jobs[name].progress()
        if progress.snapshots:
            last = progress.snapshots[-1]
            out.append(trained_contender(TrainedWeights(jobs[name].spec, last.step, last.arrays), name))
    return out if out and out[0].kind == "LSTM" else []


def race_rows(jobs: dict) -> list:
    """``(name, snapshots, solved)`` per race model (``solved`` is ``None`` until its run ends)."""
    rows = []
    for name, job in jobs.items():
        progress, task = job.progress(), TASKS[job.spec.task]
        solved = None
        if progress.state is JobState.DONE and progress.snapshots:
            solved = task.solved(progress.snapshots[-1].metric, cache.task_baseline(job.spec)[1])
        rows.append((name, progress.snapshots, solved))
    return rows


def sweep_points(jobs: dict) -> dict:
    """``{name: [(T, metric, solved), ...]}`` (``None`` twice while that run trains)."""
    points: dict = {}
    for (name, t), job in jobs.items():
        progress = job.progress()
        done = progress.state is JobState.DONE and progress.snapshots
        metric = progress.snapshots[-1].metric if done else None
        solved = TASKS[job.spec.task].solved(metric, cache.task_baseline(job.spec)[1]) if done else None
        points.setdefault(name, []).append((t, metric, solved))
    return points


def poll_every(active: bool) -> float | None:
    """How often the fragment redraws while the comparison trains (``None``: not at all)."""
    return max(1.0, 3 * POLL_S) if active else None


def in_page_language(draw):
    """``draw`` run in the page's language (a fragment's rerun runs only its own function)."""

    def run(*args):
        with use_language(page_language()):
            draw(*args)

    return run
