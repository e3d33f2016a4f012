"""The sidebar: the model's, the data's and the focus's widgets; returns the `ViewConfig` they describe."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from explorer import SEQUENCES, ConfigError
from explorer.config import (
    ACTIVATIONS,
    EMBED_RANGE,
    FEATURES_RANGE,
    HEAD_ACTIVATIONS,
    INPUT_KINDS,
    LAYERS_RANGE,
    MERGE_MODES,
    RECURRENT_ACTIVATIONS,
    SEED_RANGE,
    TIMESTEPS_RANGE,
    UNITS_RANGE,
    VOCAB_RANGE,
)
from explorer.i18n import _, keep_language
from explorer.training.tasks import TASKS
from explorer.ui.controls import MAX_LAYERS, state_to_view, view_to_state
from explorer.ui.yourdata_state import task_key
from explorer.view import BATCH_RANGE, COLOUR_BY, ViewConfig


def _on_layers_change() -> None:
    # A new stack works out of the box: inner layers return sequences, the last one its final h.
    # (Untick an inner layer's return_sequences to see why Keras needs it.)
    n = st.session_state["n_layers"]
    for k in range(MAX_LAYERS):
        st.session_state[f"rs_{k + 1}"] = k < n - 1


def _clamp(key: str, hi: int, low: int = 0) -> None:
    st.session_state[key] = min(max(int(st.session_state.get(key, low)), low), hi)


def sidebar_controls(on_focus_move: Callable[[], None] | None = None) -> ViewConfig:
    """Draw the sidebar; return the view it describes.

    ``on_focus_move``: the callback of the widgets that move only the focus (sample, unit, step t, the graph's
    colouring): the page passes `explorer.ui.view_fragment.focus_moved`, which reruns only the open view.
    """
    # Streamlit drops the state of widgets that were not drawn last run (a hidden layer, the head):
    # give those keys their defaults again. The page's language and lecture mode are the URL's, never English and
    # off by default: a dropped switch state once turned a Chinese lesson page, its URL and its switch English.
    page_wide = {key: st.query_params.get_all(key) for key in ("lang", "lecture") if key in st.query_params}
    for key, value in view_to_state(ViewConfig.from_query_params(page_wide)[0]).items():
        st.session_state.setdefault(key, value)
    sb = st.sidebar
    sb.header(_("Model"))
    sb.slider(
        _("Stacked LSTM layers"),
        *LAYERS_RANGE,
        key="n_layers",
        on_change=_on_layers_change,
        help=_("How many LSTM layers are stacked; each feeds its output sequence to the next."),
    )
    sb.slider(
        _("timesteps (T)"),
        *TIMESTEPS_RANGE,
        key="timesteps",
        help=_("Length of each input sequence: input_shape=(T, F); Keras 1/2 called it input_length."),
    )
    sb.segmented_control(
        _("input"),
        INPUT_KINDS,
        key="input_kind",
        format_func=keep_language(lambda kind: _("numbers") if kind == "numbers" else _("token ids")),
        help=_(
            "Numbers: each step is F numbers, input_shape=(T, F). Token ids: each step is one integer (a word or a "
            "character), input_shape=(T,), and an Embedding(vocab, embed_dim) turns it into embed_dim numbers."
        ),
    )
    if st.session_state.get("input_kind") == "tokens":
        sb.number_input(
            _("vocab (Embedding input_dim)"),
            *VOCAB_RANGE,
            key="vocab",
            help=_("How many different token ids: 0 … vocab-1. The Embedding holds vocab × embed_dim numbers."),
        )
        sb.slider(
            _("embed_dim (Embedding output_dim)"),
            *EMBED_RANGE,
            key="embed_dim",
            help=_("Numbers per token: the features the first LSTM reads at each step."),
        )
        sb.toggle(
            _("mask_zero"),
            key="mask_zero",
            help=_("Token id 0 is padding: every LSTM skips those steps and keeps its h and c, as Keras does."),
        )
    else:
        sb.slider(
            _("features (F)"),
            FEATURES_RANGE[0],
            max(FEATURES_RANGE[1], st.session_state.get("features", 0)),  # a learner's model may read wider steps
            key="features",
            help=_("Numbers per timestep: the last axis of (samples, T, F); Keras 1/2 called it input_dim."),
        )
    for k in range(st.session_state["n_layers"]):
        sb.slider(
            _("lstm_{k} units").format(k=k + 1),
            *UNITS_RANGE,
            key=f"units_{k + 1}",
            help=_("units = size of the hidden state h, the cell state c and every gate of this layer."),
        )
        sb.toggle(
            _("lstm_{k} return_sequences").format(k=k + 1),
            key=f"rs_{k + 1}",
            help=_("On: output h at every step (batch, T, units). Off: only the last h (batch, units)."),
        )
        sb.toggle(
            _("lstm_{k} Bidirectional").format(k=k + 1),
            key=f"bi_{k + 1}",
            help=_(
                "Wrap the layer in Bidirectional: a second LSTM with weights of its own reads the steps from last to "
                "first, and their outputs are merged (parameters × 2)."
            ),
        )
    if any(st.session_state.get(f"bi_{k + 1}") for k in range(st.session_state["n_layers"])):
        sb.selectbox(
            _("Bidirectional merge_mode"),
            MERGE_MODES,
            key="merge_mode",
            help=_("concat: [h→, h←], twice the width; sum, mul, ave: element by element, the width of one."),
            placeholder=_("Choose an option"),
        )
    with sb.expander(_("Advanced layer arguments")):
        st.toggle(_("return_state"), key="return_state", help=_("The last LSTM also returns its final h and c: [output, h, c]."))
        st.toggle(
            _("go_backwards"), key="go_backwards", help=_("Each LSTM reads its input sequence from the last step to the first.")
        )
        st.selectbox(
            _("activation"),
            ACTIVATIONS,
            key="activation",
            help=_("Applied to the candidate g and to c in h = o·act(c)."),
            placeholder=_("Choose an option"),
        )
        st.selectbox(
            _("recurrent_activation"),
            RECURRENT_ACTIVATIONS,
            key="recurrent_activation",
            help=_("Squashes the gates i, f, o into [0, 1]; Keras 3 default sigmoid (old Keras: hard_sigmoid)."),
            placeholder=_("Choose an option"),
        )
        st.toggle(_("use_bias"), key="use_bias", help=_("Add a bias vector (4·units numbers) to every gate's input."))
        st.toggle(
            _("unit_forget_bias"), key="unit_forget_bias", help=_("Start the forget gate's bias at 1, so f ≈ 0.73 at first.")
        )
        st.toggle(_("Dense head"), key="use_head", help=_("Add Dense(units) after the last LSTM, as in most Keras examples."))
        if st.session_state["use_head"]:
            st.slider(_("Dense units"), 1, 256, key="head_units", help=_("Outputs of the Dense layer (e.g. 10 classes)."))
            st.selectbox(
                _("Dense activation"),
                HEAD_ACTIVATIONS,
                key="head_activation",
                help=_("softmax for classes, linear for values."),
                placeholder=_("Choose an option"),
            )
        st.number_input(
            _("weight seed"), *SEED_RANGE, key="seed", help=_("Initial weights are drawn from this seed: same seed, same model.")
        )

    sb.header(_("Data"))
    task = task_key(st.session_state)
    try:
        task_data = bool(task) and not TASKS[task].problems(state_to_view(st.session_state).model)
    except ConfigError:  # inconsistent widgets: reported below
        task_data = False
    sb.selectbox(
        _("sample sequence"),
        list(SEQUENCES),
        key="sequence",
        disabled=task_data,  # the task's samples feed every view
        format_func=keep_language(lambda k: _(SEQUENCES[k].label)),
        help=_("Generated input data shaped (samples, timesteps, features)."),
        placeholder=_("Choose an option"),
    )
    if task_data:
        sb.caption(_("Every view shows samples of the task: {task}.").format(task=_(TASKS[task].title)))
    else:
        sb.caption(_(SEQUENCES[st.session_state["sequence"]].description))
    sb.slider(_("samples in the batch"), *BATCH_RANGE, key="batch_size", help=_("The batch axis: Keras shows it as None."))
    sb.number_input(_("data seed"), *SEED_RANGE, key="data_seed", help=_("Seed for the sample data (phases, onsets, noise)."))

    sb.header(_("Focus"))
    n = st.session_state["n_layers"]
    _clamp("sample", st.session_state["batch_size"] - 1)
    _clamp("layer", n - 1)
    if st.session_state["batch_size"] > 1:
        sb.slider(
            _("sample"),
            0,
            st.session_state["batch_size"] - 1,
            key="sample",
            on_change=on_focus_move,
            help=_("Which sample the detail charts show."),
        )
    if n > 1:
        sb.selectbox(
            _("layer"),
            list(range(n)),
            key="layer",
            format_func=lambda k: f"lstm_{k + 1}",
            help=_("Which layer the gate and trajectory charts show."),
            placeholder=_("Choose an option"),
        )
    units = st.session_state[f"units_{st.session_state['layer'] + 1}"]
    _clamp("unit", units - 1)
    if units > 1:
        sb.slider(
            _("unit"),
            0,
            units - 1,
            key="unit",
            on_change=on_focus_move,
            help=_("Which unit (one number of h) is plotted as lines."),
        )
    _clamp("step", st.session_state["timesteps"], low=1)
    if st.session_state["timesteps"] > 1:
        sb.slider(
            _("step t"),
            1,
            st.session_state["timesteps"],
            key="step",
            on_change=on_focus_move,
            help=_(
                "Which input step x_t the cell view opens at; the graph, gates and trajectories mark it. "
                "Click a cell of the graph to set it."
            ),
        )
    sb.selectbox(
        _("colour cells by"),
        list(COLOUR_BY),
        key="colour_by",
        on_change=on_focus_move,
        format_func=keep_language(lambda key: _(COLOUR_BY[key])),
        help=_("What colours each cell of the unrolled graph."),
        placeholder=_("Choose an option"),
    )
    try:
        return state_to_view(st.session_state)
    except ConfigError as err:  # widgets keep values in range; this is a last line of defence
        st.error(_("These settings do not form a model: {reason}").format(reason=err))
        return ViewConfig()
