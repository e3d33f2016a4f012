"""The guided lesson on the page: a bar above the views with the step's note, Back / Next (PageUp / PageDown,
what a presenter's clicker sends), and the step's model and view applied from the lesson table."""

from __future__ import annotations

import streamlit as st

from explorer import ConfigError
from explorer.answers import params_vs_timesteps
from explorer.i18n import _
from explorer.lesson.facts import fill, model_facts, real_facts, trace_facts
from explorer.lesson.steps import LESSON
from explorer.training.snapshots import TrainedWeights
from explorer.training.tasks import TASKS
from explorer.ui import cache
from explorer.ui.cell_view import cell_steps
from explorer.ui.controls import MODEL_QUERY_KEYS, fit_to_task, page_language, panel_label, view_to_state
from explorer.ui.runtime import KERAS_LOCK
from explorer.upload.weights import SiteWeights
from explorer.view import ViewConfig


def go_to(k: int) -> None:
    """Button callback: lesson step ``k`` (1-based; 0 leaves the lesson): its model, view and focus, keeping lecture mode."""
    if k == 0:
        st.session_state["lesson"] = 0
        return
    query = LESSON[k - 1].query
    view, _ = ViewConfig.from_query_params(query)
    view = fit_to_task(view, model_given=any(key in MODEL_QUERY_KEYS for key in query))
    view = view.replace(lesson=k, lecture=bool(st.session_state.get("lecture")), lang=page_language())
    st.session_state.update(view_to_state(view))
    st.session_state.pop("_auto_trained", None)  # a step that names a trained snapshot trains it (or takes the cached run)


def focus_unit(layer: int, unit: int) -> None:
    """Button callback: the cell view on the unit the probes found."""
    st.session_state.update(layer=layer, unit=unit, panel=panel_label("cell"))


@st.cache_data(max_entries=16, show_spinner=False)
def _params_at(cfg, timesteps: int) -> int:
    with KERAS_LOCK:
        return params_vs_timesteps(cfg, (timesteps,))[0][1]


def step_facts(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None, progress, note: str = "") -> dict[str, str]:
    """The facts this step's live model gives (`explorer.lesson.facts.FACTS`; the costly ones only if ``note`` names them).

    A real model's views show one of its LSTMs (``weights``: `SiteWeights`): its facts are that LSTM's, and the whole
    model's Embedding and Bidirectional facts are added (`real_facts`)."""
    cfg = view.model.buildable_prefix()
    shapes = cache.model_shapes(cfg)
    if isinstance(shapes, ConfigError):
        return {}
    facts = model_facts(cfg, shapes.table, shapes.count_params, view.batch_size)
    if isinstance(weights, SiteWeights):
        facts.update(real_facts(weights.real, view.batch_size))
    if "{params_T10}" in note:  # a second Keras build: only for the note that names it
        facts["params_T10"] = f"{_params_at(cfg, 10):,}"
    tr = cache.view_trace(view.model, data_key, weights)
    layer = min(view.layer, cfg.n_layers - 1)
    cell = cell_steps(view.model, data_key, layer, view.sample, view.unit, weights)[view.step - 1] if tr else None
    facts.update(trace_facts(tr, cell))
    spec = view.training_spec()
    if spec is not None and weights is not None and progress is not None and progress.snapshots:
        task = TASKS[spec.task]
        shown = next((s for s in progress.snapshots if s.step == weights.step), progress.snapshots[-1])
        facts["steps"] = str(weights.step)
        facts["metric"] = f"{shown.metric:.3f}" if task.metric[1] else f"{shown.metric:.4f}"
        found = [trained for trained, _ in cache.findings(spec, weights) if trained.clear]
        if found:
            facts["_unit"] = (found[0].layer, found[0].unit)  # not a note fact: where the focus button goes
        facts["counting"] = (
            found[0].describe(spec.model.layer_names[found[0].layer]) + _(".")
            if found
            else _("No single unit follows it clearly yet (train longer, or look at the gates).")
        )
    return facts


def lesson_heading(k: int, n: int, title: str) -> str:
    """ "Lesson k of n: title", its counter held on one line (no-break spaces): in the narrow column between Back and
    Next a line break fell inside it ("(共 12 / 步)")."""
    template = _("Lesson {k} of {n}: {title}")
    counter, _sep, rest = template.partition("{title}")
    counter = counter.format(k=k, n=n)
    body = counter.rstrip()
    return body.replace(" ", "\u00a0") + counter[len(body) :] + title + rest


def lesson_bar(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None, progress) -> None:
    """The current step's title and note, Back / Next, and the way out (shown only during the lesson)."""
    if not view.lesson:
        return
    k, n = view.lesson, len(LESSON)
    step = LESSON[k - 1]
    with st.container(border=True):
        back, title, forward = st.columns([2.5, 6, 2.5], vertical_alignment="center")
        back.button(_("◀ Back"), on_click=go_to, args=(k - 1,), disabled=k == 1, shortcut="PageUp", width="stretch")
        title.markdown("#### " + lesson_heading(k, n, _(step.title)))
        forward.button(
            _("Next ▶"), on_click=go_to, args=(k + 1,), disabled=k == n, shortcut="PageDown", type="primary", width="stretch"
        )
        facts = step_facts(view, data_key, weights, progress, step.note)
        note = fill(_(step.note), facts)
        if note is None:
            st.caption(":material/hourglass_top: " + _("This step's model is still training; its numbers follow in a moment."))
        else:
            st.markdown(note)
        found = facts.get("_unit")
        if found is not None and (view.layer, view.unit) != found:
            layer, unit = found
            st.button(
                _("Show lstm_{layer} unit {unit} in the cell view").format(layer=layer + 1, unit=unit),
                on_click=focus_unit,
                args=found,
                icon=":material/center_focus_strong:",
            )
        st.button(_("Leave the lesson"), on_click=go_to, args=(0,), type="tertiary")


def lesson_start_button() -> None:
    """Start the lesson at step 1 (it can also be opened by a link: ``?lesson=1``)."""
    st.button(
        _("Lesson"),
        on_click=go_to,
        args=(1,),
        icon=":material/school:",
        help=_("A guided tour in {n} steps.").format(n=len(LESSON)),
    )
