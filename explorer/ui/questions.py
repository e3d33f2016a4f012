"""The Questions tab: each question learners ask about Keras LSTMs answered on the live model, one at a time."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer import ConfigError, trace
from explorer.answers import GENERATION_LOOP
from explorer.codegen import LEGACY_NOTES, keras3_code, legacy_code
from explorer.figures.questions import make_activation_curves_figure, make_halves_figure, make_params_vs_timesteps_figure
from explorer.figures.unrolled import make_unrolled_figure
from explorer.formatting import format_shape
from explorer.presets import PRESETS
from explorer.shaper import ENCODINGS, ShaperError, column_names, encode, make_windows, parse_series
from explorer.training.snapshots import TrainedWeights
from explorer.ui import cache
from explorer.ui.controls import apply_model, break_stack, fix_stack
from explorer.view import QUESTIONS, ViewConfig

EXAMPLE_CSV = "assets/example_series.csv"


def _numbers(values: np.ndarray, n: int = 6) -> str:
    shown = ", ".join(f"{v:+.4f}" for v in values[:n])
    return f"[{shown}{', …' if len(values) > n else ''}]"


def preset_picker() -> None:
    """Sidebar: one click loads a model from a learner's question."""
    st.sidebar.header("Presets from learners' questions")
    key = st.sidebar.selectbox(
        "preset",
        list(PRESETS),
        format_func=lambda k: PRESETS[k].label,
        key="preset",
        help="Models from the questions learners ask; loading one replaces the model settings.",
    )
    preset = PRESETS[key]
    st.sidebar.button(
        "Load this preset",
        on_click=apply_model,
        args=(preset.model, preset.question_key),
        width="stretch",
        help=f"Answers: {preset.question} (see the Questions tab).",
    )


def units_answer(view: ViewConfig) -> None:
    m = view.model
    k = min(view.layer, m.n_layers - 1)
    st.markdown(
        f"**Input** `(samples, timesteps, features)` = `(batch, {m.timesteps}, {m.features})`: you write "
        f"`keras.Input(shape=({m.timesteps}, {m.features}))` — the batch is left out and shows as `None`. "
        f"Old Keras: `input_shape=({m.timesteps}, {m.features})` or `input_dim={m.features}, input_length={m.timesteps}`."
    )
    st.markdown(f"**`units` = {m.units[k]}** for `{m.layer_names[k]}` (pick another layer under *Focus*). It appears here:")
    st.table([{"where": w, "shape": s} for w, s in cache.units_places(m, k)])
    st.caption(
        "timesteps appear only in the input and in sequence outputs — never in a weight. "
        "See also the Unrolled graph: every column is the same cell."
    )


def code_answer(view: ViewConfig) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown("**Keras 3** (runs as is)")
        st.code(keras3_code(view.model), language="python")
    with right:
        st.markdown("**Keras 1/2 spellings** in old answers")
        st.code(legacy_code(view.model), language="python")
    st.table([{"spelling": k, "meaning": v} for k, v in LEGACY_NOTES.items()])


def timesteps_answer(view: ViewConfig) -> None:
    points = cache.params_points(view.model.buildable_prefix())
    st.plotly_chart(make_params_vs_timesteps_figure(points, current_timesteps=view.model.timesteps), width="stretch")
    n = points[0][1]
    st.markdown(
        f"Each point is a real Keras model built at that length; `count_params()` is **{n:,}** every time. "
        "A common misreading: *10 timesteps = 10 neurons, each fed a vector*. In truth one cell with one set of weights "
        "runs at every step (the Unrolled graph's columns); `units` is the size of its state."
    )


def stacking_answer(view: ViewConfig) -> None:
    m = view.model
    demo = m if m.n_layers > 1 else m.replace(units=(m.units[0], m.units[0]), return_sequences=(True, m.return_sequences[0]))
    broken = demo.replace(return_sequences=(False, *demo.return_sequences[1:]))
    message = cache.broken_stack_message(broken)
    st.markdown(
        f"An LSTM needs `(batch, timesteps, features)`. With `return_sequences=False`, `{demo.layer_names[0]}` "
        f"outputs only `(batch, {demo.units[0]})`. Keras's own error for that stack:"
    )
    st.code(message, language=None)
    st.plotly_chart(make_unrolled_figure(broken, None, max_columns=8), width="stretch", key="broken_graph")
    c1, c2 = st.columns(2)
    c1.button(
        "Break the stack on purpose",
        on_click=break_stack,
        width="stretch",
        help="Sets return_sequences=False on lstm_1 (adds a second layer if needed); see the graph's missing arrows.",
    )
    c2.button("Fix: return_sequences=True on inner layers", on_click=fix_stack, width="stretch", type="primary")


def return_state_answer(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    demo = cache.return_state_numbers(view.model.buildable_prefix(), data_key, weights)
    last = view.model.buildable_prefix().layer_names[-1]
    st.markdown(f"With `return_state=True`, `{last}` returns three tensors (computed by Keras on sample 0):")
    st.table(
        [
            {
                "output": "output",
                "shape": format_shape(demo.output_shape),
                "sample 0 (last step)": _numbers(demo.output_last),
                "meaning": "h at every step (return_sequences) or at the last step",
            },
            {
                "output": "h",
                "shape": format_shape(demo.h_shape),
                "sample 0 (last step)": _numbers(demo.h),
                "meaning": "final hidden state",
            },
            {
                "output": "c",
                "shape": format_shape(demo.c_shape),
                "sample 0 (last step)": _numbers(demo.c),
                "meaning": "final cell state",
            },
        ]
    )
    st.markdown(
        f"`output` at the last step equals `h`: max |output − h| = **{demo.max_output_minus_h:.1e}**. "
        "`c` is the only new information; you need `h` and `c` to continue the sequence later."
    )


def state_answer(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    cfg = view.model.buildable_prefix()
    if cfg.timesteps < 2:
        st.info("Set timesteps to 2 or more to split the sequence into two calls.")
        return
    demo, keras_diff = cache.halves(cfg, data_key, weights)
    unit = min(view.unit, cfg.units[-1] - 1)
    st.plotly_chart(make_halves_figure(demo, sample=view.sample, unit=unit), width="stretch")
    st.markdown(
        f"The sequence (T = {cfg.timesteps}) is fed in two calls of {demo.half} steps. **State carried over** "
        f"(what `stateful=True` does): max |Δ| vs feeding it whole = **{demo.max_diff_carried:.1e}**. **State reset** (a "
        f"plain `predict` call): max |Δ| = **{demo.max_diff_reset:.2f}** — the second half restarts from zero. Keras itself "
        f"with `stateful=True` (`keras.Input(batch_shape=({view.batch_size}, {demo.half}, {cfg.features}))`) agrees with the "
        f"carried-over NumPy path to **{keras_diff:.1e}**."
    )
    if cfg.go_backwards:
        st.warning("With go_backwards each call reads its own half backwards, so two halves are not the whole sequence.")
    st.markdown("Within one call the layer always carries h and c from step to step. The other answer is a sliding window:")
    st.code(GENERATION_LOOP, language="python")


def shaper_answer(view: ViewConfig, weights: TrainedWeights | None = None) -> None:
    st.markdown("Paste or upload a CSV with one series (numbers, or integer symbol codes 0, 1, 2, …).")
    upload = st.file_uploader("CSV file (≤ 1 MB, ≤ 100,000 rows)", type=["csv", "txt"], key="shaper_file")
    with open(EXAMPLE_CSV, "rb") as f:
        example = f.read()
    data = upload.getvalue() if upload is not None else st.text_area("…or paste values", key="shaper_text").encode() or example
    if upload is None and not st.session_state.get("shaper_text"):
        st.caption(f"Using the example `{EXAMPLE_CSV}` (daily temperature and a weather code 0/1/2).")
    columns = column_names(data) or ["column 1"]
    c1, c2, c3, c4 = st.columns(4)
    column = c1.selectbox("column", columns, key="shaper_column")
    timesteps = c2.number_input("timesteps T", 1, 200, view.model.timesteps, key="shaper_T")
    stride = c3.number_input("stride", 1, 1000, 1, key="shaper_stride")
    mode = c4.selectbox("encoding", list(ENCODINGS), format_func=ENCODINGS.get, key="shaper_mode")
    try:
        series = parse_series(data, column=column if column in columns else None)
        windows = make_windows(series.values, int(timesteps), int(stride))  # (n, T)
        vocab = series.vocabulary
        x = encode(windows, mode, vocab)
    except ShaperError as err:
        st.error(str(err))
        return
    steps = [
        ("raw series", format_shape(series.values.shape), f"{len(series.values):,} values from `{series.column}`"),
        (
            f"windows (T = {timesteps}, stride = {stride})",
            format_shape(windows.shape),
            "sample i = values[i·stride : i·stride + T]",
        ),
    ]
    if mode == "embedding":
        d = 8
        steps += [
            ("Embedding input (integer codes)", format_shape(x.shape), f"keras.layers.Embedding({vocab}, {d})"),
            ("after the Embedding layer", format_shape((*x.shape, d)), "what the LSTM receives"),
        ]
    else:
        steps.append(("LSTM input (samples, timesteps, features)", format_shape(x.shape), ENCODINGS[mode]))
    st.table([{"step": a, "shape": b, "how": c} for a, b, c in steps])
    if mode == "embedding":
        st.caption("With an Embedding layer first, the model starts with keras.Input(shape=(T,), dtype='int32').")
        return
    F = x.shape[-1]
    if (int(timesteps), F) != (view.model.timesteps, view.model.features):
        st.button(
            f"Use input_shape=({timesteps}, {F}) in the live model",
            on_click=apply_model,
            args=(view.model.replace(timesteps=int(timesteps), features=int(F)),),
        )
        return
    bundle = cache.model_bundle(view.model.buildable_prefix(), weights)
    if isinstance(bundle, ConfigError):
        return
    tr = trace(bundle.weights, x[:1])  # NumPy: a few ms
    st.markdown(f"Sample 0 through the live model: output {format_shape(tr.output.shape)} = `{_numbers(tr.output.ravel())}`")


def arguments_answer(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    st.dataframe(cache.argument_rows(), hide_index=True, width="stretch")
    z = np.linspace(-6, 6, 241, dtype=np.float32)
    st.plotly_chart(make_activation_curves_figure(z, cache.activation_curves(z)), width="stretch")
    cfg = view.model.buildable_prefix()
    c1, c2 = st.columns(2)
    with c1:
        if st.button("Measure unroll (same values, other speed)", key="measure_unroll"):
            st.session_state["_unroll"] = cache.unroll_numbers(cfg.replace(timesteps=min(cfg.timesteps, 40)), data_key, weights)
        if "_unroll" in st.session_state:
            u = st.session_state["_unroll"]
            st.markdown(
                f"predict_on_batch: unroll=False **{u['rolled_ms']:.1f} ms**, unroll=True **{u['unrolled_ms']:.1f} ms**; "
                f"max |Δ| of outputs **{u['max_diff']:.1e}** (T ≤ 40 here: unrolling long sequences is slow to build)."
            )
    with c2:
        if st.button("Measure dropout (training only)", key="measure_dropout"):
            st.session_state["_dropout"] = cache.dropout_numbers(cfg, data_key, weights)
        if "_dropout" in st.session_state:
            d = st.session_state["_dropout"]
            st.markdown(
                f"dropout=0.5: two inference calls differ by **{d['inference_vs_inference']:.1e}** and match the "
                f"model without dropout to **{d['inference_vs_no_dropout']:.1e}**; two training=True calls differ "
                f"by **{d['training_vs_training']:.2f}**."
            )


def questions_panel(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None = None) -> None:
    """The Questions tab; ``weights``: a training snapshot's weights for the answers that show numbers."""
    key = st.radio(
        "Question", list(QUESTIONS), format_func=QUESTIONS.get, key="question", horizontal=True, label_visibility="collapsed"
    )
    st.subheader(QUESTIONS[key])
    if key == "units":
        units_answer(view)
    elif key == "code":
        code_answer(view)
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
