"""The widgets' state ↔ `ViewConfig`, synced both ways with the URL's query parameters; the callbacks that set it.

Widgets (drawn by `explorer.ui.sidebar` and the views) hold their values in ``st.session_state`` under the keys below. On a
session's first run the URL (parsed forgivingly by `ViewConfig.from_query_params`)
seeds those keys; after every run the URL is rewritten from the view, so the
address bar always holds a link to exactly this view.
"""

from __future__ import annotations

import streamlit as st

from explorer import LSTMConfig
from explorer.config import LAYERS_RANGE
from explorer.i18n import LANGUAGES, translations
from explorer.lesson.steps import LESSON
from explorer.training.tasks import TASKS
from explorer.ui.yourdata_state import SERIES, TEXT, TEXT_WANTED, WANTED, picker_state, task_key
from explorer.view import PANELS, QUERY_FIELDS, ViewConfig
from explorer.yourdata.options import is_series_key
from explorer.yourdata.text import is_text_key

MAX_LAYERS = LAYERS_RANGE[1]
MODEL_QUERY_KEYS = {q.key for q in QUERY_FIELDS if q.name in LSTMConfig.__dataclass_fields__}
NEW_LAYER_UNITS = 8


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
        "input_kind": m.input_kind,
        "vocab": m.vocab,
        "embed_dim": m.embed_dim,
        "mask_zero": m.mask_zero,
        "merge_mode": m.merge_mode,
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
        "epochs": view.epochs or (TASKS[view.task].epochs if view.task in TASKS else 4),
        "learning_rate": view.learning_rate or (TASKS[view.task].learning_rate if view.task in TASKS else 0.01),
        "train_batch": view.train_batch,
        "train_seed": view.train_seed,
        "snapshot": view.snapshot,
        "lecture": view.lecture,
        "lesson": view.lesson,
        "lang": view.lang,
    }
    state.update(picker_state(view.task))  # a series key: the picker's "your series" and the choices it spells
    for k in range(MAX_LAYERS):
        state[f"units_{k + 1}"] = m.units[k] if k < m.n_layers else NEW_LAYER_UNITS
        state[f"rs_{k + 1}"] = m.return_sequences[k] if k < m.n_layers else False
        state[f"bi_{k + 1}"] = m.is_bidirectional(k) if k < m.n_layers else False
    return state


HIDDEN_WHEN_OFF = ("features", "vocab", "embed_dim", "mask_zero", "merge_mode", "head_units", "head_activation")


def keep_hidden_model_widgets() -> None:
    """Before any widget: keep the values of model widgets the sidebar hides in some modes (``features`` under token
    ids, ``vocab`` under numbers, the merge without a Bidirectional layer, the Dense units without a head, the layers
    above the stack). Streamlit drops a widget's value in a run that does not draw it; set through the Session State
    API it stays, and the model keeps it when the mode comes back."""
    keys = [*HIDDEN_WHEN_OFF, *(f"{name}_{k + 1}" for name in ("units", "rs", "bi") for k in range(MAX_LAYERS))]
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


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
        input_kind=state.get("input_kind") or "numbers",  # (a segmented control can be cleared: None)
        vocab=state.get("vocab", 25),
        embed_dim=state.get("embed_dim", 16),
        mask_zero=bool(state.get("mask_zero", False)) and state.get("input_kind") == "tokens",
        bidirectional=tuple(bool(state.get(f"bi_{k + 1}", False)) for k in range(n)),
        merge_mode=state.get("merge_mode", "concat"),
    )
    panel = panel_key(state.get("panel"))
    task = TASKS.get(task_key(state))
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
        # no switch state (Streamlit drops a widget's state after a run that did not draw it): the page's language,
        # from the URL, never English by default (that lost a Chinese page, URL and switch included)
        lang=state["lang"] if state.get("lang") in LANGUAGES else page_language(),
    )


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
    if view.task not in TASKS or not TASKS[view.task].problems(view.model):
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
    if is_series_key(view.task):  # a link to a learner's series: the data must come from this session
        st.session_state[WANTED] = view.task
    if is_text_key(view.task):  # the same for a text
        st.session_state[TEXT_WANTED] = view.task
    st.session_state["_initialised"] = True
    st.session_state["_url_notices"] = notices
    return notices


def sync_url(view: ViewConfig) -> None:
    """Rewrite the URL's query parameters from the view (only when they changed)."""
    wanted = view.to_query_params()
    current = {key: st.query_params.get(key) for key in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def apply_model(model: LSTMConfig, question: str | None = None) -> None:
    """Button callback: show ``model`` (a preset, or shapes from the data shaper), keeping data and focus;
    a preset also selects its answer in the Questions tab."""
    view = state_to_view(st.session_state).replace(model=model, **({"question": question} if question else {}))
    keep_series = st.session_state.get("task") in (SERIES, TEXT) and not view.task  # "your series" before its data came
    for key, value in view_to_state(view).items():
        if key != "panel" and not (key == "task" and keep_series):
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
