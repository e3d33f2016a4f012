"""The Training tab: the learning curve, what the model learned (units found and named), its predictions."""

from __future__ import annotations

import streamlit as st

from explorer.figures.training import make_predictions_figure, make_training_curve_figure
from explorer.i18n import _
from explorer.i18n.names import layer_label
from explorer.training.snapshots import TrainedWeights, nearest
from explorer.training.tasks import TASKS
from explorer.ui import cache
from explorer.ui.chart import show_chart
from explorer.ui.controls import panel_label
from explorer.ui.real_model import BUILT_PICKER
from explorer.ui.training import session_job
from explorer.ui.yourdata import series_panel
from explorer.ui.yourtext import text_panel
from explorer.view import ViewConfig
from explorer.yourdata.task import SeriesTask
from explorer.yourdata.text import TextTask


def _focus(layer: int, unit: int, site: bool = False) -> None:
    """The gate view on ``unit`` of ``layer`` (``site``: of the real model's LSTM or direction ``layer``, picked)."""
    if site:
        st.session_state.update({BUILT_PICKER: layer, "layer": 0, "unit": unit, "panel": panel_label("gates")})
    else:
        st.session_state.update(layer=layer, unit=unit, panel=panel_label("gates"))


def training_panel(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    """The tab's content for the view's task (a note when there is none)."""
    if not view.task:
        st.info(
            _(
                "Pick a task under **Train on a task** in the sidebar: the live model learns it here, and every view "
                "shows what it learned."
            ),
            icon=":material/school:",
        )
        return
    spec = view.training_spec()
    task = TASKS[view.task]
    if spec is None:
        st.info(_("Fit the model to {task} (the button above) to train it.").format(task=_(task.title)))
        return
    job = session_job(spec)
    progress = job.progress() if job else None
    loss0, metric0 = cache.task_baseline(spec)
    st.markdown(
        _("**{title}.** {teaches}").format(title=_(task.title), teaches=_(task.teaches))
        + " "
        + _(
            "Input `{shape}`; baseline ({baseline_name}) on held-out samples: {metric} **{baseline}**; "
            "solved when {threshold_text} (**{threshold}**)."
        ).format(
            baseline_name=_(task.baseline_name),
            shape=f"(samples, {spec.model.timesteps}"
            + (")" if spec.model.input_kind == "tokens" else f", {spec.model.features})"),  # token ids: one per step
            metric=_(task.metric[0]),
            baseline=f"{metric0:.3f}",
            threshold_text=_(task.threshold_text),
            threshold=f"{task.threshold(metric0):.3f}",
        )
    )
    if isinstance(task, SeriesTask):
        series_panel(spec, weights)
    if isinstance(task, TextTask):
        text_panel(spec, weights)
    if progress is None or not progress.snapshots:
        st.caption(_("Press **Train** above to start; the curve fills in as it learns."))
        return
    shown = nearest(progress.snapshots, None if weights is None else weights.step) if weights else progress.snapshots[0]
    fig = make_training_curve_figure(
        task, progress.train_losses, progress.snapshots, total_steps=spec.total_steps,
        baseline_loss=loss0, baseline_metric=metric0, selected_step=shown.step,
    )  # fmt: skip
    show_chart(fig, "training_curve")

    # A series names no quantity to look for. A real model's units are looked for in every LSTM and direction.
    findings = cache.findings(spec, weights) if not isinstance(task, SeriesTask) else []
    sites = cache.built_real(spec.model).real.sites if spec.model.is_real and findings else ()
    if findings:
        st.markdown("#### " + _("What it learned (weights after step {step})").format(step=shown.step))
    for k, (found, untrained) in enumerate(findings):
        name = layer_label(sites[found.layer].label) if sites else spec.model.layer_names[found.layer]
        sentence = found.describe(name, untrained)
        if found.clear:
            st.success(sentence, icon=":material/lightbulb:")
        else:
            st.info(
                _(
                    "No single unit does this clearly yet (the best: {sentence}). The job may be spread over several "
                    "units, or the model has not learned it."
                ).format(sentence=sentence),
                icon=":material/search:",
            )
        st.button(
            _("Show {layer} unit {unit} in the gate view").format(layer=name, unit=found.unit),
            key=f"focus_finding_{k}",
            on_click=_focus,
            args=(found.layer, found.unit, bool(sites)),
        )

    if isinstance(task, SeriesTask | TextTask):
        return  # its forecast, or its writing, is above
    data = cache.task_samples(*data_key)
    output = cache.task_predictions(spec, data_key, weights)
    if output is not None and data is not None:
        labels = cache.step_labels(view.model, data_key, view.sample)
        show_chart(make_predictions_figure(task, data.y, output, sample=view.sample, step_labels=labels), "predictions")
