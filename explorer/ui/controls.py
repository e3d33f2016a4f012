"""Sidebar controls → `ViewConfig`, synced both ways with the URL's query parameters.

Widgets hold their values in ``st.session_state`` under the keys below. On a
session's first run the URL (parsed forgivingly by `ViewConfig.from_query_params`)
seeds those keys; after every run the URL is rewritten from the view, so the
address bar always holds a link to exactly this view.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from explorer import SEQUENCES, ConfigError, LSTMConfig
from explorer.config import (
    ACTIVATIONS,
    FEATURES_RANGE,
    HEAD_ACTIVATIONS,
    LAYERS_RANGE,
    RECURRENT_ACTIVATIONS,
    SEED_RANGE,
    TIMESTEPS_RANGE,
    UNITS_RANGE,
)
from explorer.i18n import LANGUAGES, _, keep_language, translations
from explorer.lesson.steps import LESSON
from explorer.training.tasks import TASKS
from explorer.view import BATCH_RANGE, COLOUR_BY, PANELS, QUERY_FIELDS, ViewConfig

MAX_LAYERS = LAYERS_RANGE[1]
MODEL_QUERY_KEYS = {q.key for q in QUERY_FIELDS if q.name in LSTMConfig.__dataclass_fields__}
NEW_LAYER_UNITS = 8

VIEW_FRAGMENT = "view"  # the fragment that draws the open view, when it is one of FOCUS_PANELS
FOCUS_PANELS = ("graph", "cell", "gates", "trajectories")  # the views a focus move reruns alone
FOCUS_KEYS = ("sample", "unit", "step", "colour_by")  # what such a move changes (not `layer`: the unit's range follows it)
POLLING = ("_badge_pending", "_job_was_active")  # session flags set while the Keras badge or a job's live status polls


def view_to_state(view: ViewConfig) -> dict:
    """Widget values (session-state keys) that show ``view``."""
    m = view.model
    state = {
        "timesteps": m.timesteps,
        "features": m.features,
        "n_layers": m.n_layers,
        "return_state": m.return_state,
        "go_backwards": m.go_backwards,
        "activation": m.activation,
        "recurrent_activation": m.recurrent_activation,
        "use_bias": m.use_bias,
        "unit_forget_bias": m.unit_forget_bias,
        "use_head": m.head_units > 0,
        "head_units": m.head_units or 1,
        "head_activation": m.head_activation,
        "seed": m.seed,
        "sequence": view.sequence,
        "batch_size": view.batch_size,
        "data_seed": view.data_seed,
        "sample": view.sample,
        "layer": view.layer,
        "unit": view.unit,
        "step": view.step,
        "colour_by": view.colour_by,
        "panel": panel_label(view.panel, view.lang),
        "question": view.question,
        "task": view.task,
        "epochs": view.epochs or (TASKS[view.task].epochs if view.task else 4),
        "learning_rate": view.learning_rate or (TASKS[view.task].learning_rate if view.task else 0.01),
        "train_batch": view.train_batch,
        "train_seed": view.train_seed,
        "snapshot": view.snapshot,
        "lecture": view.lecture,
        "lesson": view.lesson,
        "lang": view.lang,
    }
    for k in range(MAX_LAYERS):
        state[f"units_{k + 1}"] = m.units[k] if k < m.n_layers else NEW_LAYER_UNITS
        state[f"rs_{k + 1}"] = m.return_sequences[k] if k < m.n_layers else False
    return state


def state_to_view(state) -> ViewConfig:
    """The `ViewConfig` the widgets currently show (raises `ConfigError` if inconsistent)."""
    n = state["n_layers"]
    model = LSTMConfig(
        timesteps=state["timesteps"],
        features=state["features"],
        units=tuple(state[f"units_{k + 1}"] for k in range(n)),
        return_sequences=tuple(state[f"rs_{k + 1}"] for k in range(n)),
        return_state=state["return_state"],
        go_backwards=state["go_backwards"],
        activation=state["activation"],
        recurrent_activation=state["recurrent_activation"],
        use_bias=state["use_bias"],
        unit_forget_bias=state["unit_forget_bias"],
        head_units=state["head_units"] if state["use_head"] else 0,
        head_activation=state["head_activation"],
        seed=state["seed"],
    )
    panel = panel_key(state.get("panel"))
    task = TASKS.get(state.get("task", ""))
    # Training settings equal to the task's defaults are stored as 0 ("default"): they stay out of the URL.
    epochs = state.get("epochs", 0) if task and state.get("epochs") != task.epochs else 0
    rate = state.get("learning_rate", 0.0) if task and state.get("learning_rate") != task.learning_rate else 0.0
    return ViewConfig(
        model=model,
        sequence=state["sequence"],
        batch_size=state["batch_size"],
        data_seed=state["data_seed"],
        sample=state["sample"],
        layer=state["layer"],
        unit=state["unit"],
        step=state.get("step", 1),
        colour_by=state["colour_by"],
        panel=panel,
        question=state.get("question", "units"),
        task=task.key if task else "",
        epochs=epochs,
        learning_rate=rate,
        train_batch=state.get("train_batch", 32),
        train_seed=state.get("train_seed", 0),
        snapshot=state.get("snapshot", -1),
        lecture=bool(state.get("lecture", False)),
        lesson=int(state.get("lesson", 0)),
        lang=state.get("lang", "en") if state.get("lang") in LANGUAGES else "en",
    )


def with_focus(view: ViewConfig, state) -> ViewConfig:
    """``view`` with the focus the widgets hold now (`FOCUS_KEYS`): what a fragment rerun of the view draws."""
    return view.replace(**{key: state.get(key, getattr(view, key)) for key in FOCUS_KEYS})


def focus_moved() -> None:
    """A focus widget's callback: rerun only the open view (its fragment, `VIEW_FRAGMENT`), not the page.

    Only when the open view is one of `FOCUS_PANELS`, nothing else on the page shows the focus (the lesson's note
    quotes the focused step's numbers), no fragment is polling (`POLLING`: a callback's keyed rerun starts as a run
    of the page, cut short, and the frontend drops every fragment's timer when a run of the page starts, so the
    Keras badge would stay at "checking…" and a job's live status would stop), and the request changed nothing but
    the focus (`_only_focus_moved`). Otherwise, or when the last run drew no such fragment, the whole page reruns,
    as for any widget.
    """
    if panel_key(st.session_state.get("panel")) not in FOCUS_PANELS or st.session_state.get("lesson"):
        return
    if any(st.session_state.get(flag) for flag in POLLING):
        return
    if not _only_focus_moved():
        return
    try:
        st.rerun(VIEW_FRAGMENT)
    except StreamlitAPIException:  # no such fragment in the last run: the page's own rerun
        return


def _only_focus_moved() -> bool:
    """Whether the widgets differ from the page's last full run (`remember_page_view`) in the focus alone: a change that
    came in the same rerun request (Streamlit merges the requests that arrive while a run is under way) needs the
    whole page."""
    drawn = st.session_state.get("_page_view")
    try:
        now = state_to_view(st.session_state)
    except ConfigError:
        return False
    return drawn is not None and with_focus(drawn, vars(now)) == now.replace(snapshot=drawn.snapshot)


def remember_page_view(view: ViewConfig) -> None:
    """Note the view a full run of the page drew (what `focus_moved` compares the widgets with)."""
    st.session_state["_page_view"] = view


def panel_key(label: str | None) -> str:
    """The view whose tab label, in any language, is ``label`` (the tabs hold their label); else the graph."""
    for key, message in PANELS.items():
        if any(translations(lang).gettext(message) == label for lang in LANGUAGES):
            return key
    return "graph"


def page_language() -> str:
    """The language this run draws in: the switch's, or on a first run the URL's ``lang``."""
    lang = st.session_state.get("lang") or st.query_params.get("lang", "en")
    return lang if lang in LANGUAGES else "en"


def language_switch() -> None:
    """English | 中文: the page redraws in the chosen language, same model and view (the URL keeps ``lang``)."""
    st.radio(
        "Language / 语言",
        list(LANGUAGES),
        key="lang",
        horizontal=True,
        format_func=LANGUAGES.get,
        on_change=on_language_change,
        label_visibility="collapsed",
    )


def panel_label(key: str, lang: str | None = None) -> str:
    """The tab label of view ``key`` in ``lang`` (default: the page's). Callbacks run before the page sets its
    language, so they name it."""
    return translations(lang or page_language()).gettext(PANELS[key])


# Choice widgets whose option labels are translated. Streamlit keeps such a widget's value as its label: after a
# switch the browser still sends the old language's label, which the new labels do not contain.
TRANSLATED_CHOICES = ("task", "preset", "shaper_mode", "question", "sequence", "colour_by", "snapshot_pick")


def on_language_change() -> None:
    """Switch callback: the open tab keeps its view, and every translated choice keeps its value."""
    st.session_state["panel"] = panel_label(panel_key(st.session_state.get("panel")), st.session_state["lang"])
    for key in TRANSLATED_CHOICES:  # read with the old labels (right now), set by value: the new labels follow
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def fit_to_task(view: ViewConfig, *, model_given: bool) -> ViewConfig:
    """A view that names a task gets a model that can learn it: the task's default model when no model settings
    were given, else the given model with what the task needs set."""
    if not view.task or not TASKS[view.task].problems(view.model):
        return view
    task = TASKS[view.task]
    return view.replace(model=task.fit_config(view.model) if model_given else task.default_config(seed=view.model.seed))


def init_from_url() -> list[str]:
    """On a session's first run, seed the widgets from the URL; returns notices about ignored parameters."""
    if "_initialised" in st.session_state:
        return st.session_state.get("_url_notices", [])
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    view, notices = ViewConfig.from_query_params(params)
    if view.lesson and set(params) <= {"lesson", "lecture", "lang"}:  # `?lesson=3` alone: that step's model and view
        view, notices = ViewConfig.from_query_params({**LESSON[view.lesson - 1].query, **params})
    view = fit_to_task(view, model_given=any(key in MODEL_QUERY_KEYS for key in params))
    st.session_state.update(view_to_state(view))
    st.session_state["_initialised"] = True
    st.session_state["_url_notices"] = notices
    return notices


def sync_url(view: ViewConfig) -> None:
    """Rewrite the URL's query parameters from the view (only when they changed)."""
    wanted = view.to_query_params()
    current = {key: st.query_params.get(key) for key in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def _on_layers_change() -> None:
    # A new stack works out of the box: inner layers return sequences, the last one its final h.
    # (Untick an inner layer's return_sequences to see why Keras needs it.)
    n = st.session_state["n_layers"]
    for k in range(MAX_LAYERS):
        st.session_state[f"rs_{k + 1}"] = k < n - 1


def apply_model(model: LSTMConfig, question: str | None = None) -> None:
    """Button callback: show ``model`` (a preset, or shapes from the data shaper), keeping data and focus;
    a preset also selects its answer in the Questions tab."""
    view = state_to_view(st.session_state).replace(model=model, **({"question": question} if question else {}))
    for key, value in view_to_state(view).items():
        if key != "panel":
            st.session_state[key] = value


def break_stack() -> None:
    """Button callback: the broken-on-purpose stack (lstm_1 without return_sequences, at least two layers)."""
    if st.session_state["n_layers"] < 2:
        st.session_state["n_layers"] = 2
    st.session_state["rs_1"] = False


def fix_stack() -> None:
    """Button callback: set return_sequences=True on every layer that feeds another LSTM."""
    for k in range(st.session_state["n_layers"] - 1):
        st.session_state[f"rs_{k + 1}"] = True


def _clamp(key: str, hi: int, low: int = 0) -> None:
    st.session_state[key] = min(max(int(st.session_state.get(key, low)), low), hi)


def sidebar_controls() -> ViewConfig:
    """Draw the sidebar; return the view it describes."""
    # Streamlit drops the state of widgets that were not drawn last run (a hidden layer, the head):
    # give those keys their defaults again.
    for key, value in view_to_state(ViewConfig()).items():
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
    sb.slider(
        _("features (F)"),
        *FEATURES_RANGE,
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
    with sb.expander(_("Advanced layer arguments")):
        st.toggle(_("return_state"), key="return_state", help=_("The last LSTM also returns its final h and c: [output, h, c]."))
        st.toggle(
            _("go_backwards"), key="go_backwards", help=_("Each LSTM reads its input sequence from the last step to the first.")
        )
        st.selectbox(
            _("activation"), ACTIVATIONS, key="activation", help=_("Applied to the candidate g and to c in h = o·act(c).")
        )
        st.selectbox(
            _("recurrent_activation"),
            RECURRENT_ACTIVATIONS,
            key="recurrent_activation",
            help=_("Squashes the gates i, f, o into [0, 1]; Keras 3 default sigmoid (old Keras: hard_sigmoid)."),
        )
        st.toggle(_("use_bias"), key="use_bias", help=_("Add a bias vector (4·units numbers) to every gate's input."))
        st.toggle(
            _("unit_forget_bias"), key="unit_forget_bias", help=_("Start the forget gate's bias at 1, so f ≈ 0.73 at first.")
        )
        st.toggle(_("Dense head"), key="use_head", help=_("Add Dense(units) after the last LSTM, as in most Keras examples."))
        if st.session_state["use_head"]:
            st.slider(_("Dense units"), 1, 256, key="head_units", help=_("Outputs of the Dense layer (e.g. 10 classes)."))
            st.selectbox(
                _("Dense activation"), HEAD_ACTIVATIONS, key="head_activation", help=_("softmax for classes, linear for values.")
            )
        st.number_input(
            _("weight seed"), *SEED_RANGE, key="seed", help=_("Initial weights are drawn from this seed: same seed, same model.")
        )

    sb.header(_("Data"))
    task = st.session_state.get("task")
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
            on_change=focus_moved,
            help=_("Which sample the detail charts show."),
        )
    if n > 1:
        sb.selectbox(
            _("layer"),
            list(range(n)),
            key="layer",
            format_func=lambda k: f"lstm_{k + 1}",
            help=_("Which layer the gate and trajectory charts show."),
        )
    units = st.session_state[f"units_{st.session_state['layer'] + 1}"]
    _clamp("unit", units - 1)
    if units > 1:
        sb.slider(
            _("unit"),
            0,
            units - 1,
            key="unit",
            on_change=focus_moved,
            help=_("Which unit (one number of h) is plotted as lines."),
        )
    _clamp("step", st.session_state["timesteps"], low=1)
    if st.session_state["timesteps"] > 1:
        sb.slider(
            _("step t"),
            1,
            st.session_state["timesteps"],
            key="step",
            on_change=focus_moved,
            help=_(
                "Which input step x_t the cell view opens at; the graph, gates and trajectories mark it. "
                "Click a cell of the graph to set it."
            ),
        )
    sb.selectbox(
        _("colour cells by"),
        list(COLOUR_BY),
        key="colour_by",
        on_change=focus_moved,
        format_func=keep_language(lambda key: _(COLOUR_BY[key])),
        help=_("What colours each cell of the unrolled graph."),
    )
    try:
        return state_to_view(st.session_state)
    except ConfigError as err:  # widgets keep values in range; this is a last line of defence
        st.error(_("These settings do not form a model: {reason}").format(reason=err))
        return ViewConfig()
