"""The Why gates tab: how much of the loss's gradient reaches each step, for the live LSTM and a GRU and a SimpleRNN
of its size, and the LSTM's cell path; every number a NumPy backward pass tested against ``tf.GradientTape``."""

from __future__ import annotations

import streamlit as st

from explorer.figures.why import make_why_figure
from explorer.figures.why_race import make_race_figure, make_sweep_figure
from explorer.i18n import _
from explorer.training.jobs import JobState
from explorer.training.snapshots import TrainedWeights
from explorer.training.tasks import TASKS
from explorer.ui import cache
from explorer.ui.cache.why import WHY_SAMPLES, why_contenders
from explorer.ui.chart import show_chart
from explorer.ui.controls import panel_label
from explorer.ui.why_race import (
    in_page_language,
    poll_every,
    race_controls,
    race_rows,
    race_state,
    sweep_points,
    trained_contenders,
)
from explorer.view import ViewConfig
from explorer.yourdata.task import SeriesTask
from explorer.yourdata.text import TextTask

EXAMPLE = "?task=first&timesteps=30&view=why"


def _refusal(view: ViewConfig, from_file: bool) -> str | None:
    """Why the tab cannot show this model and task, or ``None``."""
    if from_file:
        return _("This tab follows the gradient of the sliders' model on a task; your model's file is not followed yet.")
    if not view.task or view.task not in TASKS:
        return _(
            "The gradient needs a loss, and a loss needs a task: pick one under **Train on a task** (the link "
            "[{link}]({link}) opens remember-the-first at T = 30)."
        ).format(link=EXAMPLE)
    task = TASKS[view.task]
    if isinstance(task, SeriesTask | TextTask) or view.model.is_real:
        return _(
            "This tab follows the gradient through plain LSTM stacks on the built-in tasks; "
            "an Embedding, a Bidirectional layer or your own data are not followed yet."
        )
    if not view.task_fits:
        return _("Fit the model to {task} (the button above) first.").format(task=_(task.title))
    if view.model.activation != "tanh" or view.model.recurrent_activation != "sigmoid":
        return _("The gradient is followed with Keras's default activations (tanh, sigmoid) only.")
    return None


def why_panel(view: ViewConfig, weights: TrainedWeights | None, *, from_file: bool = False) -> None:
    """The tab's content: the race's buttons, then the charts (redrawn while the comparison trains), or why it
    cannot be shown.

    Args:
        view: the page's view (its model and task).
        weights: a training snapshot, or ``None`` for the weights as initialised.
        from_file: the views show a learner's uploaded weights (not followed here).
    """
    if refusal := _refusal(view, from_file):
        st.info(refusal, icon=":material/info:")
        return
    race, sweep = race_controls(view)
    jobs, _sweep_jobs, active = race_state(race, sweep)
    if not jobs and view.model.n_layers == 1:  # the live model's remembering unit, one click from the cell view
        unit = why_contenders(view.model, view.task, weights, lang=view.lang)[0].gradient.remembering_unit
        label = _("Open unit {unit} of lstm_1 in the cell view: press ▶ and watch its forget gate f").format(unit=unit)
        st.button(label, icon=":material/visibility:", on_click=_focus_cell, args=(unit,), key="why_focus")

    @st.fragment(run_every=poll_every(active))
    def charts() -> None:
        in_page_language(_charts)(view, weights, race, sweep)

    charts()


def _focus_cell(unit: int) -> None:
    st.session_state.update(layer=0, unit=unit, panel=panel_label("cell"))


def _charts(view: ViewConfig, weights: TrainedWeights | None, race: dict, sweep: dict) -> None:
    jobs, sweep_jobs, active = race_state(race, sweep)
    trained = trained_contenders(jobs)
    if trained:
        steps = {c.name: jobs[c.name].progress().snapshots[-1].step for c in trained}
        if len(set(steps.values())) == 1:  # the usual case: one title, short enough for a projector
            figure = make_why_figure(trained, trained_step=next(iter(steps.values())))
        else:
            listed = ", ".join(f"{name} {step}" for name, step in steps.items())
            figure = make_why_figure(
                trained, title=_("How much of the loss's gradient reaches step t (after training: {steps})").format(steps=listed)
            )
        show_chart(figure, "why")
        contenders = trained
    else:
        contenders = why_contenders(view.model, view.task, weights, lang=view.lang)
        show_chart(make_why_figure(contenders, trained_step=weights.step if weights else None), "why")
    _reading(view, contenders)
    _note(view, weights, bool(trained))
    task = TASKS[view.task]
    if jobs:
        baseline_loss = cache.task_baseline(next(iter(jobs.values())).spec)[0]
        rows = race_rows(jobs)
        show_chart(make_race_figure(rows, baseline_loss=baseline_loss, metric_name=_(task.metric[0])), "why_race_chart")
        st.markdown(" · ".join(_race_status(name, job) for name, job in jobs.items()))
    if sweep_jobs:
        threshold = task.threshold(cache.task_baseline(next(iter(sweep_jobs.values())).spec)[1])
        figure = make_sweep_figure(sweep_points(sweep_jobs), threshold=threshold, metric_name=_(task.metric[0]))
        show_chart(figure, "why_sweep_chart")
        done = sum(not j.progress().active for j in sweep_jobs.values())
        st.caption(_("{done} of {n} runs done; each is a training job of its own, queued on the server's pool.").format(
            done=done, n=len(sweep_jobs)))  # fmt: skip
    if not active and st.session_state.get("_why_polling"):
        st.session_state["_why_polling"] = False
        st.rerun()  # the last job ended: stop polling
    st.session_state["_why_polling"] = active


def _race_status(name: str, job) -> str:
    progress = job.progress()
    text = f"**{name}**: " + _("step {step} of {total}").format(step=progress.step, total=progress.total_steps)
    if progress.snapshots:
        text += ", " + _("held-out {metric} {value}").format(
            metric=_(TASKS[job.spec.task].metric[0]), value=f"{progress.snapshots[-1].metric:.3f}"
        )
    if progress.state is JobState.QUEUED:
        text += " " + _("(waiting: {position} in the queue)").format(position=progress.position)
    return text


def _separator(view: ViewConfig) -> str:
    """Between the items of a list in running text: a full-width comma after Chinese."""
    return "，" if view.lang == "zh" else ", "


def _reading(view: ViewConfig, contenders: list) -> None:
    ratio = {c.name: float(c.gradient.dx[0] / c.gradient.dx[-1]) for c in contenders}
    shares = _separator(view).join(f"{name} **{value:.2g}**" for name, value in ratio.items())
    st.markdown(
        _(
            "**Read it from right to left.** Each step back, the gradient is multiplied by that step's Jacobian. "
            "What reaches step 1, as a share of what reaches step {T}: {shares} (mean over {n} held-out samples). "
            "Along the LSTM's cell state the factor is only the forget gate, `c_t = f·c_(t−1) + i·g`: where `f` stays "
            "near 1 (the lower chart), the gradient is carried unchanged. That is the constant error carousel."
        ).format(T=view.model.timesteps, shares=shares, n=WHY_SAMPLES)
    )


def _note(view: ViewConfig, weights: TrainedWeights | None, trained: bool) -> None:
    if trained:
        note = _("Each model at its latest snapshot of the comparison's training, one layer each, sized to the nearest "
                 "parameter count of lstm_1.")  # fmt: skip
    else:
        note = _(
            "The LSTM is the live model ({weights}); the GRU and the SimpleRNN are as Keras initialises them with the "
            "same seed, sized to the nearest parameter count of lstm_1."
        ).format(weights=_("after training step {step}").format(step=weights.step) if weights else _("as initialised"))
        if view.model.n_layers > 1:
            note += " " + _("The gradient shown is the one reaching the input, through all {n} LSTM layers.").format(
                n=view.model.n_layers
            )
    st.caption(
        note
        + " "
        + _(
            "Checked: the NumPy backward pass equals tf.GradientTape on the Keras models (rtol 1e-4), for "
            "the LSTM, the GRU and the SimpleRNN, stacked and with go_backwards."
        )
    )
