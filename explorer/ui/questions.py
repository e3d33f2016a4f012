"""The Questions tab: each question learners ask about Keras LSTMs answered on the live model, one at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from explorer import ConfigError, trace
from explorer.answers import generation_loop
from explorer.codegen import LEGACY_NOTES, keras3_code, legacy_code
from explorer.config import VOCAB_RANGE, LSTMConfig
from explorer.figures.questions import make_activation_curves_figure, make_halves_figure, make_params_vs_timesteps_figure
from explorer.figures.unrolled import make_unrolled_figure
from explorer.formatting import format_shape
from explorer.i18n import _, keep_language, pgettext
from explorer.i18n.names import layer_label
from explorer.presets import PRESETS
from explorer.shaper import ENCODINGS, ShaperError, column_names, encode, make_windows, parse_series
from explorer.training.snapshots import TrainedWeights
from explorer.ui import cache
from explorer.ui.chart import show_chart
from explorer.ui.controls import apply_model, break_stack, fix_stack, state_to_view
from explorer.ui.real_model import model_to_build
from explorer.ui.yourdata import train_on_shaped_series
from explorer.ui.yourtext import train_on_shaped_codes
from explorer.upload.weights import SiteWeights
from explorer.view import QUESTIONS, ViewConfig

EXAMPLE_CSV = Path(__file__).resolve().parents[2] / "assets" / "example_series.csv"  # wherever the server starts


def _numbers(values: np.ndarray, n: int = 6) -> str:
    shown = ", ".join(f"{v:+.4f}" for v in values[:n])
    return f"[{shown}{', …' if len(values) > n else ''}]"


def preset_picker() -> None:
    """Sidebar: one click loads a model from a learner's question."""
    st.sidebar.header(_("Presets from learners' questions"))
    key = st.sidebar.radio(  # a list, not a drop-down: each preset's whole name shows (a select cut them with …)
        _("preset"),
        list(PRESETS),
        format_func=keep_language(lambda k: _(PRESETS[k].label)),
        key=_("preset"),
        help=_("Models from the questions learners ask; loading one replaces the model settings."),
    )
    preset = PRESETS[key]
    try:
        loaded = state_to_view(st.session_state).model == preset.model
    except ConfigError:  # a broken stack is no preset
        loaded = False
    st.sidebar.button(  # names what the model below is: a preset shown in the picker is not loaded by being shown
        _("This preset is loaded") if loaded else _("Load this preset"),
        on_click=apply_model,
        args=(preset.model, preset.question_key),
        width="stretch",
        disabled=loaded,
        icon=":material/check:" if loaded else None,
        help=_("Answers: {question} (see the Questions tab).").format(question=_(preset.question)),
    )


def units_answer(view: ViewConfig) -> None:
    m = view.model
    k = min(view.layer, m.n_layers - 1)
    st.markdown(
        _(
            "**Input** `(samples, timesteps, features)` = `(batch, {T}, {F})`: you write "
            "`keras.Input(shape=({T}, {F}))` — the batch is left out and shows as `None`. "
            "Old Keras: `input_shape=({T}, {F})` or `input_dim={F}, input_length={T}`."
        ).format(T=m.timesteps, F=m.features)
    )
    st.markdown(
        _("**`units` = {units}** for `{layer}` (pick another layer under *Focus*). It appears here:").format(
            units=m.units[k], layer=m.layer_names[k]
        )
    )
    st.table([{_("where"): w, _("shape"): s} for w, s in cache.units_places(m, k, lang=view.lang)])
    st.caption(
        _(
            "timesteps appear only in the input and in sequence outputs — never in a weight. "
            "See also the Unrolled graph: every column is the same cell."
        )
    )


def code_answer(view: ViewConfig, weights: TrainedWeights | None = None, whole: LSTMConfig | None = None) -> None:
    """The model's Keras 3 code and its Keras 1/2 spellings; ``whole``: the sliders' whole model (a real one: its
    Embedding and Bidirectional layers, while the other views show one of its LSTMs)."""
    model = model_to_build(view, weights, whole)
    if isinstance(weights, SiteWeights) and weights.from_file:
        st.caption(
            _("The code builds {layer} of your model alone, with the input shape that reaches it there.").format(
                layer=layer_label(weights.label)
            )
        )
    # One under the other, lines wrapped: side by side at 1280 px with the sidebar open, each was cut off at 400 px.
    st.markdown(_("**Keras 3** (runs as is)"))
    st.code(keras3_code(model), language="python", wrap_lines=True)
    st.markdown(_("**Keras 1/2 spellings** in old answers"))
    st.code(legacy_code(model), language="python", wrap_lines=True)
    st.table([{_("spelling"): k, _("meaning"): _(v)} for k, v in LEGACY_NOTES.items()])


def timesteps_answer(view: ViewConfig) -> None:
    points = cache.params_points(view.model.buildable_prefix())
    show_chart(make_params_vs_timesteps_figure(points, current_timesteps=view.model.timesteps), "params_vs_timesteps")
    n = points[0][1]
    st.markdown(
        _(
            "Each point is a real Keras model built at that length; `count_params()` is **{n}** every time. "
            "A common misreading: *10 timesteps = 10 neurons, each fed a vector*. In truth one cell with one set of weights "
            "runs at every step (the Unrolled graph's columns); `units` is the size of its state."
        ).format(n=f"{n:,}")
    )


def stacking_answer(view: ViewConfig) -> None:
    m = view.model
    demo = m if m.n_layers > 1 else m.replace(units=(m.units[0], m.units[0]), return_sequences=(True, m.return_sequences[0]))
    broken = demo.replace(return_sequences=(False, *demo.return_sequences[1:]))
    message = cache.broken_stack_message(broken)
    st.markdown(
        _(
            "An LSTM needs `(batch, timesteps, features)`. With `return_sequences=False`, `{layer}` "
            "outputs only `(batch, {units})`. Keras's own error for that stack:"
        ).format(layer=demo.layer_names[0], units=demo.units[0])
    )
    st.code(message, language=None, wrap_lines=True)  # Keras's message is one long line
    show_chart(make_unrolled_figure(broken, None, max_columns=8), "broken_graph")
    c1, c2 = st.columns(2)
    c1.button(
        _("Break the stack on purpose"),
        on_click=break_stack,
        width="stretch",
        help=_("Sets return_sequences=False on lstm_1 (adds a second layer if needed); see the graph's missing arrows."),
    )
    c2.button(_("Fix: return_sequences=True on inner layers"), on_click=fix_stack, width="stretch", type="primary")


def return_state_answer(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    demo = cache.return_state_numbers(view.model.buildable_prefix(), data_key, weights)
    last = view.model.buildable_prefix().layer_names[-1]
    st.markdown(
        _("With `return_state=True`, `{layer}` returns three tensors (computed by Keras on sample 0):").format(layer=last)
    )
    shape, values, meaning = _("shape"), _("sample 0 (last step)"), _("meaning")
    st.table(
        [
            {
                _("output"): "output",
                shape: format_shape(demo.output_shape),
                values: _numbers(demo.output_last),
                meaning: _("h at every step (return_sequences) or at the last step"),
            },
            {
                _("output"): "h",
                shape: format_shape(demo.h_shape),
                values: _numbers(demo.h),
                meaning: _("final hidden state"),
            },
            {
                _("output"): "c",
                shape: format_shape(demo.c_shape),
                values: _numbers(demo.c),
                meaning: _("final cell state"),
            },
        ]
    )
    st.markdown(
        _(
            "`output` at the last step equals `h`: max |output − h| = **{difference}**. "
            "`c` is the only new information; you need `h` and `c` to continue the sequence later."
        ).format(difference=f"{demo.max_output_minus_h:.1e}")
    )


def state_answer(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    cfg = view.model.buildable_prefix()
    if cfg.timesteps < 2:
        st.info(_("Set timesteps to 2 or more to split the sequence into two calls."))
        return
    demo, keras_diff = cache.halves(cfg, data_key, weights)
    unit = min(view.unit, cfg.units[-1] - 1)
    show_chart(make_halves_figure(demo, sample=view.sample, unit=unit), "state_halves")
    st.markdown(
        _(
            "The sequence (T = {T}) is fed in two calls of {half} steps. **State carried over** "
            "(what `stateful=True` does): max |Δ| vs feeding it whole = **{carried}**. **State reset** (a "
            "plain `predict` call): max |Δ| = **{reset}** — the second half restarts from zero. Keras itself "
            "with `stateful=True` (`keras.Input(batch_shape=({batch}, {half}, {F}))`) agrees with the "
            "carried-over NumPy path to **{keras}**."
        ).format(
            T=cfg.timesteps,
            half=demo.half,
            carried=f"{demo.max_diff_carried:.1e}",
            reset=f"{demo.max_diff_reset:.2f}",
            batch=view.batch_size,
            F=cfg.features,
            keras=f"{keras_diff:.1e}",
        )
    )
    if cfg.go_backwards:
        st.warning(_("With go_backwards each call reads its own half backwards, so two halves are not the whole sequence."))
    st.markdown(_("Within one call the layer always carries h and c from step to step. The other answer is a sliding window:"))
    st.code(generation_loop(), language="python", wrap_lines=True)


EMBED_DIM = 16  # the Embedding the shaper's one-click model puts first


def shaper_answer(view: ViewConfig, weights: TrainedWeights | None = None) -> None:
    st.markdown(_("Paste or upload a CSV with one series (numbers, or integer symbol codes 0, 1, 2, …)."))
    upload = st.file_uploader(_("CSV file (≤ 1 MB, ≤ 100,000 rows)"), type=["csv", "txt"], key="shaper_file")
    with open(EXAMPLE_CSV, "rb") as f:
        example = f.read()
    data = upload.getvalue() if upload is not None else st.text_area(_("…or paste values"), key="shaper_text").encode() or example
    if upload is None and not st.session_state.get("shaper_text"):
        st.caption(_("Using the example `{file}` (daily temperature and a weather code 0/1/2).").format(file=EXAMPLE_CSV.name))
    columns = column_names(data) or [_("column {k}").format(k=1)]
    c1, c2, c3, c4 = st.columns(4)
    column = c1.selectbox(_("column"), columns, key="shaper_column", placeholder=_("Choose an option"))
    timesteps = c2.number_input(_("timesteps T"), 1, 200, view.model.timesteps, key="shaper_T")
    stride = c3.number_input(_("stride"), 1, 1000, 1, key="shaper_stride")
    encoding_label = keep_language(lambda key: _(ENCODINGS[key]))
    mode = c4.selectbox(
        _("encoding"), list(ENCODINGS), format_func=encoding_label, key="shaper_mode", placeholder=_("Choose an option")
    )
    try:
        series = parse_series(data, column=column if column in columns else None)
        windows = make_windows(series.values, int(timesteps), int(stride))  # (n, T)
        vocab = series.vocabulary
        x = encode(windows, mode, vocab)
    except ShaperError as err:
        st.error(str(err))
        return
    steps = [
        (
            _("raw series"),
            format_shape(series.values.shape),
            _("{n} values from `{column}`").format(n=f"{len(series.values):,}", column=series.column),
        ),
        (
            _("windows (T = {T}, stride = {stride})").format(T=timesteps, stride=stride),
            format_shape(windows.shape),
            _("sample i = values[i·stride : i·stride + T]"),
        ),
    ]
    if mode == "embedding":
        d = EMBED_DIM
        steps += [
            (_("Embedding input (integer codes)"), format_shape(x.shape), f"keras.layers.Embedding({vocab}, {d})"),
            (_("after the Embedding layer"), format_shape((*x.shape, d)), _("what the LSTM receives")),
        ]
    else:
        steps.append((_("LSTM input (samples, timesteps, features)"), format_shape(x.shape), _(ENCODINGS[mode])))
    st.table([{pgettext("pipeline stage", "step"): a, _("shape"): b, _("how"): c} for a, b, c in steps])
    _train_on_this(data, series, mode, int(timesteps))
    if mode == "embedding":
        st.caption(_("With an Embedding layer first, the model starts with keras.Input(shape=(T,), dtype='int32')."))
        if VOCAB_RANGE[0] <= vocab <= VOCAB_RANGE[1]:
            model = view.model.replace(
                timesteps=int(timesteps), input_kind="tokens", vocab=int(vocab), embed_dim=d, mask_zero=False,
                units=(32,), return_sequences=(False,), bidirectional=(), head_units=int(vocab), head_activation="softmax",
            )  # fmt: skip
            st.button(
                _("Build it: Input(({T},)) → Embedding({vocab}, {d}) → LSTM(32) → Dense({vocab}, softmax)").format(
                    T=timesteps, vocab=vocab, d=d
                ),
                on_click=apply_model,
                args=(model,),
                key="shaper_build_embedding",
                type="primary",
            )
        return
    F = x.shape[-1]
    if (int(timesteps), F) != (view.model.timesteps, view.model.features):
        st.button(
            _("Use input_shape=({T}, {F}) in the live model").format(T=timesteps, F=F),
            on_click=apply_model,
            args=(view.model.replace(timesteps=int(timesteps), features=int(F)),),
        )
        return
    bundle = cache.model_bundle(view.model.buildable_prefix(), weights)
    if isinstance(bundle, ConfigError):
        return
    tr = trace(bundle.weights, x[:1])  # NumPy: a few ms
    st.markdown(
        _("Sample 0 through the live model: output {shape} = `{values}`").format(
            shape=format_shape(tr.output.shape), values=_numbers(tr.output.ravel())
        )
    )


def _train_on_this(data: bytes, series, mode: str, timesteps: int) -> None:
    """The shaper's *Train on this*: numbers open the series task on this column; integer codes through an Embedding
    open the next-code task; both with this ``T``, in the Training tab."""
    if mode == "reshape":
        label = _("Train on this: forecast `{column}` one step ahead from windows of {T}").format(
            column=series.column, T=timesteps
        )
        args, callback = (data, series.column, timesteps), train_on_shaped_series
    elif mode == "embedding":
        label = _("Train on this: predict the next code, Embedding({vocab}, 16), windows of {T}").format(
            vocab=series.vocabulary, T=timesteps
        )
        args, callback = (series.values, timesteps), train_on_shaped_codes
    else:
        st.caption(_("Training on codes takes the Embedding form: pick it above to train on this series."))
        return
    st.button(label, on_click=callback, args=args, key="shaper_train", icon=":material/model_training:")


def arguments_answer(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    st.dataframe(cache.argument_rows(lang=view.lang), hide_index=True, width="stretch")
    z = np.linspace(-6, 6, 241, dtype=np.float32)
    show_chart(make_activation_curves_figure(z, cache.activation_curves(z)), "activation_curves")
    cfg = view.model.buildable_prefix()
    c1, c2 = st.columns(2)
    with c1:
        if st.button(_("Measure unroll (same values, other speed)"), key="measure_unroll"):
            st.session_state["_unroll"] = cache.unroll_numbers(cfg.replace(timesteps=min(cfg.timesteps, 40)), data_key, weights)
        if "_unroll" in st.session_state:
            u = st.session_state["_unroll"]
            st.markdown(
                _(
                    "predict_on_batch: unroll=False **{rolled} ms**, unroll=True **{unrolled} ms**; "
                    "max |Δ| of outputs **{difference}** (T ≤ 40 here: unrolling long sequences is slow to build)."
                ).format(rolled=f"{u['rolled_ms']:.1f}", unrolled=f"{u['unrolled_ms']:.1f}", difference=f"{u['max_diff']:.1e}")
            )
    with c2:
        if st.button(_("Measure dropout (training only)"), key="measure_dropout"):
            st.session_state["_dropout"] = cache.dropout_numbers(cfg, data_key, weights)
        if "_dropout" in st.session_state:
            d = st.session_state["_dropout"]
            st.markdown(
                _(
                    "dropout=0.5: two inference calls differ by **{inference}** and match the "
                    "model without dropout to **{plain}**; two training=True calls differ by **{training}**."
                ).format(
                    inference=f"{d['inference_vs_inference']:.1e}",
                    plain=f"{d['inference_vs_no_dropout']:.1e}",
                    training=f"{d['training_vs_training']:.2f}",
                )
            )


def questions_panel(
    view: ViewConfig, data_key: tuple, weights: TrainedWeights | None = None, whole: LSTMConfig | None = None
) -> None:
    """The Questions tab; ``weights``: a training snapshot's weights for the answers that show numbers; ``whole``: the
    model the sliders describe (for its code)."""
    key = st.radio(
        _("Question"),
        list(QUESTIONS),
        format_func=keep_language(lambda k: _(QUESTIONS[k])),
        key="question",
        horizontal=True,
        label_visibility="collapsed",
    )
    st.subheader(_(QUESTIONS[key]))
    if key == "units":
        units_answer(view)
    elif key == "code":
        code_answer(view, weights, whole)
    elif key == "timesteps":
        timesteps_answer(view)
    elif key == "stacking":
        stacking_answer(view)
    elif key == "return_state":
        return_state_answer(view, data_key, weights)
    elif key == "state":
        state_answer(view, data_key, weights)
    elif key == "data":
        shaper_answer(view, weights)
    else:
        arguments_answer(view, data_key, weights)
