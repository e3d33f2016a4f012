"""The page: read the controls, fetch cached results, place the figures. No computing here."""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from contextlib import nullcontext
from functools import partial

import streamlit as st

from explorer import ConfigError
from explorer.activity import let_learners_first, page_rerun, yield_if_rapid
from explorer.formatting import format_shape
from explorer.i18n import _, use_language
from explorer.i18n.names import layer_label
from explorer.training.snapshots import TrainedWeights
from explorer.ui import cache
from explorer.ui.cell_view import cell_panel
from explorer.ui.chart import name_charts_after, show_chart
from explorer.ui.chrome import streamlit_words
from explorer.ui.controls import (
    fix_stack,
    init_from_url,
    keep_hidden_model_widgets,
    language_switch,
    page_language,
    sync_url,
)
from explorer.ui.downloads import download_stem, downloads
from explorer.ui.lecture import lecture_toggle
from explorer.ui.lesson import lesson_bar, lesson_start_button
from explorer.ui.priority import session_is_heavy
from explorer.ui.questions import preset_picker, questions_panel
from explorer.ui.real_model import BUILT_PICKER, built_model_notice, built_site, real_model_table, warm_real_view
from explorer.ui.runtime import install_cheap_keras_clear
from explorer.ui.sidebar import sidebar_controls
from explorer.ui.training import auto_train_from_url, session_job, shown_weights, task_sidebar, training_strip
from explorer.ui.training_tab import training_panel
from explorer.ui.upload import apply_finished_upload, upload_notice, upload_sidebar, uploaded_weights
from explorer.ui.view_fragment import (
    BADGE_POLLING,
    FOCUS_PANELS,
    VIEW_FRAGMENT,
    focus_moved,
    note_polling,
    remember_page_view,
    restart_polling_timers,
    with_focus,
)
from explorer.ui.view_panels import PANEL_DRAWERS, WARMERS, traced_layer
from explorer.ui.why import why_panel
from explorer.upload.weights import SiteWeights, describe
from explorer.view import PANELS, ViewConfig

# While its check runs, the badge asks every second (never sooner than the check's own start, `CHECK_DELAY_S`): each
# ask is a fragment run; 30 simulated learners made 46-50 a second at 0.5 s, 19-20 at 1 s.
BADGE_POLL_S = max(1.0, cache.CHECK_DELAY_S)


def keras_badge(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    """'gates recomputed from Keras weights; max |Δ| vs Keras = …', once the background check is done."""
    future = cache.keras_check_future(view.model, data_key, weights)

    @st.fragment(run_every=None if future.done() else BADGE_POLL_S)
    def badge() -> None:
        note_polling(BADGE_POLLING, BADGE_POLL_S)
        with use_language(page_language()):  # a fragment's rerun runs only this function: set the language again
            _badge(view, data_key, weights)

    if not future.done():
        st.session_state[BADGE_POLLING] = True
    badge()


def _badge(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    future = cache.keras_check_future(view.model, data_key, weights)  # the same one, unless another session cancelled it
    if not future.done():
        st.caption(":material/hourglass_top: " + _("checking the NumPy gates against Keras…"))
        return
    if BADGE_POLLING in st.session_state:  # the check just finished: redraw without polling
        del st.session_state[BADGE_POLLING]
        st.rerun()
    try:
        err = future.result()
    except Exception as exc:  # a failed check is reported, not raised
        st.caption(":material/warning: " + _("Keras check failed: {error}").format(error=exc))
        return
    ok = ":material/verified:" if err < 1e-5 else ":material/warning:"
    which = describe(weights)
    st.caption(
        ok
        + " "
        + _("gates recomputed in NumPy from {weights}; **max |Δ| vs Keras = {error}**").format(weights=which, error=f"{err:.1e}"),
        help=_(
            "Every h sequence and final h, c of every layer, and the model's output, were also computed by Keras "
            "itself (its LSTM and Dense layers with this model's weights) on this data; this is the largest difference."
        ),
    )


def header(view: ViewConfig, shapes: cache.ModelShapes | ConfigError, whole_params: int | None = None) -> None:
    """The title row and the model's numbers; ``whole_params``: the real model's count when one of its LSTMs is shown."""
    m = view.model
    title, language, lecture, lesson = st.columns([3, 2, 2, 1.4], vertical_alignment="center")  # one row: room for charts
    title.markdown("## LSTM Explorer")
    with language:
        language_switch()
        streamlit_words()
    with lecture:
        lecture_toggle()
    if not view.lesson:
        with lesson:
            lesson_start_button()
    if not view.lecture:
        st.markdown(
            _("A live **Keras 3 LSTM**: move a slider, the model is rebuilt and every chart recomputed from its real weights.")
        )
    cols = st.columns([1.3, 1.05, 0.85, 1.1])  # the input's shape is the longest: (None, 200, 128)
    one_of_many = whole_params is not None  # a real model: the numbers are the LSTM shown's
    cols[0].metric(
        _("Input of this LSTM") if one_of_many else _("Input shape"),
        format_shape((None, m.timesteps, m.features)),
        help=_("The tensor that reaches this LSTM in the model (an Embedding's lookup, the layer before's output).")
        if one_of_many
        else _("keras.Input(shape=(timesteps, features)); None = batch"),
    )
    if isinstance(shapes, ConfigError):
        cols[1].metric(_("Output shape"), "—", help=_("No model: see the explanation below."))
        cols[2].metric(_("Parameters"), "—")
    else:
        cols[1].metric(
            _("Output of this LSTM") if one_of_many else _("Output shape"),
            format_shape(shapes.table[-1].output_shape) if not m.return_state else "[output, h, c]",
            help=_("What this LSTM (this direction) returns; the model map below shows every layer's.")
            if one_of_many
            else _("What model(x) returns for a batch of any size."),
        )
        if whole_params is None:
            cols[2].metric(
                _("Parameters"), f"{shapes.count_params:,}", help=_("Keras's model.count_params(): independent of timesteps.")
            )
        else:
            cols[2].metric(
                _("Parameters of this LSTM"),
                f"{shapes.count_params:,}",
                help=_("Of {n} in the whole model (model.count_params()); independent of timesteps.").format(
                    n=f"{whole_params:,}"
                ),
            )
    cols[3].metric(
        _("Data reaching it") if one_of_many else _("Data"),
        format_shape((view.batch_size, m.timesteps, m.features)),
        help=_("(samples, timesteps, features) fed in"),
    )


def broken_stack_notice(view: ViewConfig, error: ConfigError) -> None:
    st.error(_("**This stack cannot be built.** {reason}").format(reason=error), icon=":material/block:")
    k = view.model.broken_links[0]
    st.button(_("Fix it: set return_sequences=True on lstm_{k}").format(k=k + 1), on_click=fix_stack, type="primary")
    st.caption(
        _("Below: the graph shows the missing arrows; the other views show what can be built, lstm_1 … lstm_{k}.").format(k=k + 1)
    )


def shapes_panel(view: ViewConfig, weights: TrainedWeights | None) -> None:
    if isinstance(weights, SiteWeights):  # a learner's real model: every layer of it first, then the LSTM shown
        real_model_table(weights.real, own=weights.from_file)
        st.markdown(_("**The LSTM shown: {layer}**").format(layer=layer_label(weights.label)))
    cfg = view.model.buildable_prefix()
    shapes = cache.model_shapes(cfg)
    show_chart(cache.shapes_figure(cfg, weights, lang=view.lang), "shapes")
    # One under the other, each the view's whole width: side by side, at 1280 px with the sidebar open, the table and
    # model.summary() were cut off by their columns. A static table wraps its long weights cells.
    st.markdown(_("**Per layer, read off the Keras model**"))
    rows = [
        {
            _("layer"): r.name,
            _("input"): format_shape(r.input_shape) if r.input_shape else "",
            _("output"): format_shape(r.output_shape),
            _("weights"): ", ".join(f"{n} {format_shape(s)}" for n, s in r.weights.items()),
            _("params"): r.params,
            _("formula"): _(r.formula),  # the input row's is a message; the others are numbers (kept as they are)
        }
        for r in shapes.table
    ]
    st.table(rows, border="horizontal")
    st.markdown("**`model.summary()`**")
    st.code(cache.model_summary(cfg), language=None)


@st.fragment(key=VIEW_FRAGMENT)
def focused_view(
    panel: str, url_view: ViewConfig, data_key: tuple, weights: TrainedWeights | None, drawn_model: object = None
) -> None:
    """The open view when it is one a focus slider moves (`FOCUS_PANELS`), in a fragment of its own.

    A move of ``step t``, ``sample``, ``unit`` or the graph's colouring reruns only this function
    (`explorer.ui.view_fragment.focus_moved`), with the arguments of the page's last full run and the focus read anew:
    the chart and the URL change, the page's ~90 other elements are neither recomputed nor sent.
    """
    fragment_rerun = not st.session_state.get("_full_run")
    heavy = False
    if fragment_rerun:  # the page's own rerun did this already
        heavy = session_is_heavy()
        yield_if_rapid(st.session_state.setdefault("_rerun_starts", deque()))
    restart_polling_timers(send=fragment_rerun)
    with page_rerun(heavy) if fragment_rerun else nullcontext(), use_language(page_language()):
        let_learners_first()  # a heavy session's run: after the others' (a no-op for a learner's)
        view = with_focus(url_view, st.session_state)
        if fragment_rerun:
            sync_url(view)
        if drawn_model is not None:  # one LSTM of the sliders' real model (an `LSTMConfig`): its own one-layer view
            view = view.replace(model=drawn_model, layer=0)
        if panel == "cell":
            cell_panel(view, data_key, weights, traced_layer(view))
        else:
            PANEL_DRAWERS[panel](view, data_key, weights)


def _phase(name: str, start: float) -> None:
    """With LSTM_EXPLORER_TIMING=1, log the time since ``start`` (and the wall clock, in ms) to stderr."""
    if os.environ.get("LSTM_EXPLORER_TIMING"):
        ms, wall = 1000 * (time.perf_counter() - start), 1000 * time.time()
        print(f"[timing] {name}: {ms:.1f} ms (at {wall:.1f})", file=sys.stderr, flush=True)


def main() -> None:
    """Render the app (``app.py`` sets the page config first; LSTM_EXPLORER_TIMING=1 logs where each rerun's time goes)."""
    start = time.perf_counter()
    heavy = session_is_heavy()  # a heavy session's run lets the others' go first at each checkpoint
    yield_if_rapid(st.session_state.setdefault("_rerun_starts", deque()))  # a fast-rerunning session lets others go first
    st.session_state["_full_run"] = True  # (a fragment rerun of the view finds it False)
    try:
        with page_rerun(heavy), use_language(page_language()):
            _render(start)
    finally:
        st.session_state["_full_run"] = False
        _phase("rerun", start)


def _render(t0: float) -> None:
    install_cheap_keras_clear()
    notices = init_from_url()
    keep_hidden_model_widgets()
    apply_finished_upload()  # before any widget: a finished upload moves the sliders
    task_sidebar()
    preset_picker()
    upload_sidebar()
    view = sidebar_controls(on_focus_move=focus_moved)
    let_learners_first()
    auto_train_from_url(view)
    job = session_job(view.training_spec()) if view.task else None
    progress = job.progress() if job else None
    weights = shown_weights(view, job and job.spec, progress)  # a training snapshot, or None: the initial weights
    # The URL names the weights shown, so a shared link reproduces the trained model (a learner's file stays private).
    url_view = view.replace(snapshot=weights.step if weights else (0 if progress and progress.snapshots else -1))
    sync_url(url_view)
    remember_page_view(url_view)
    weights = uploaded_weights(view) or weights
    built, whole = None, view  # the whole model (a real model's views show one of its LSTMs)
    trained = weights if isinstance(weights, TrainedWeights) else None
    if view.model.is_real:  # an Embedding or a Bidirectional layer: every LSTM and direction shown on its own
        built = cache.built_real(view.model, trained, view.data_key if view.task_fits else None)  # trained: its own copy
        if not isinstance(built, ConfigError):
            weights, view = built_site(built, view)
    if notices:
        st.info(_("Some URL parameters were ignored:") + " " + " ".join(map(str, notices)), icon=":material/link:")

    _phase("controls", t0)
    data_key = whole.data_key if whole.task_fits else view.data_key  # a task's samples label every LSTM's steps
    shapes = cache.model_shapes(view.model)  # shapes and counts: the same for trained weights
    _phase("model", t0)
    let_learners_first()
    header(view, shapes, weights.real.total_params if isinstance(weights, SiteWeights) else None)
    if isinstance(shapes, ConfigError):
        broken_stack_notice(view, shapes)
    else:
        keras_badge(view, data_key, weights)
    if advice := view.model.head_advice:
        st.warning(advice, icon=":material/warning:")
    lesson_bar(view, data_key, weights, progress)
    if built is not None:
        built_model_notice(built)
    else:
        upload_notice(view, weights)
    if view.task:
        training_strip(whole, job, progress)

    _phase("header + badge", t0)
    let_learners_first()
    name_charts_after(download_stem(view, weights, url_view.model))
    tabs = st.tabs([_(label) for label in PANELS.values()], key="panel", on_change="rerun")
    open_panel = None
    for tab, key in zip(tabs, PANELS, strict=True):
        if not tab.open:
            continue
        open_panel = key
        with tab:
            if key in FOCUS_PANELS:
                focused_view(
                    key,
                    url_view,
                    data_key,
                    weights,
                    view.model if isinstance(weights, SiteWeights) and not weights.from_file else None,
                )
            elif key == "shapes":
                shapes_panel(view, weights)
            elif key == "questions":
                questions_panel(view, data_key, weights, url_view.model)
            elif key == "why":
                why_panel(whole, trained, from_file=weights is not None and trained is None and not whole.model.is_real)
            else:
                training_panel(whole, data_key, trained if whole.model.is_real else weights)

    downloads(view, data_key, weights, url_view.model)

    # A learner stepping a slider with the arrow keys asks for the next model next: build it meanwhile.
    shown = url_view.model  # the whole model the sliders describe (a real model's views show one of its LSTMs)
    warm = None  # a real model's press is mostly its NumPy traces and figures: make those ahead too
    if built is not None and not view.task and open_panel in WARMERS:
        warm = partial(warm_real_view, view, open_panel, st.session_state.get(BUILT_PICKER, 0))
    cache.prefetch_next(st.session_state.get("_shown_model"), shown, warm)
    st.session_state["_shown_model"] = shown
