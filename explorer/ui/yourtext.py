"""Your own text on the page: paste it (or take the example), see its vocabulary and integer coding, train the
character model, and let it write, with the state carried or reset at each step.

The text stays in this session (`yourdata_state.CORPUS`); its task is registered by its key on every rerun.
"""

from __future__ import annotations

import functools

import streamlit as st

from explorer.i18n import _
from explorer.training.snapshots import TrainedWeights
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS
from explorer.ui.cache.answers import initial_real_arrays
from explorer.ui.controls import MODEL_QUERY_KEYS, apply_model, state_to_view
from explorer.ui.store import BoundedStore
from explorer.ui.yourdata import open_with_timesteps
from explorer.ui.yourdata_state import CORPUS, TEXT, TEXT_ERROR, TEXT_KEY, TEXT_WANTED
from explorer.yourdata.generate import MAX_LENGTH, TEMPERATURES, generate_text
from explorer.yourdata.samples import TEXT as EXAMPLE_TEXT
from explorer.yourdata.table import DataError
from explorer.yourdata.text import MAX_TEXT_BYTES, SHOWN, Corpus, TextTask, corpus_from_codes, parse_text, text_task

PASTE = "text_paste"
TASK = "_text_task"  # this session's (digest, TextTask)
CODED_SHOWN = 16  # characters of the coding shown (one table row each: a projector's width)


@functools.cache
def example_corpus() -> Corpus:
    """The shipped example text, coded."""
    return parse_text(EXAMPLE_TEXT.read_bytes())


def load_corpus(corpus: Corpus, *, keep_model: bool = False) -> None:
    """Callback (or before any widget): ``corpus`` becomes this session's text, the task picker shows it, and the
    model is the task's default (a link keeps its own model)."""
    s = st.session_state
    s[CORPUS], s[TEXT_ERROR], s[PASTE] = corpus, None, corpus.text
    s.pop(TEXT_WANTED, None)
    s["task"] = TEXT
    sync_text()
    task = TASKS.get(s.get(TEXT_KEY, ""))
    if task is None:
        return
    view = state_to_view(s)
    if not keep_model:
        apply_model(task.default_config(seed=view.model.seed))
    elif task.problems(view.model):
        given = MODEL_QUERY_KEYS & set(st.query_params)
        apply_model(task.fit_config(view.model) if given else task.default_config(seed=view.model.seed))
    s["epochs"] = s["epochs"] if keep_model and "epochs" in st.query_params else task.epochs
    s["learning_rate"] = s["learning_rate"] if keep_model and "lr" in st.query_params else task.learning_rate


def open_linked_example() -> None:
    """Before any widget: a link to the example text's task opens the example, with the link's model."""
    s = st.session_state
    if s.get(TEXT_WANTED) and s.get(CORPUS) is None and s[TEXT_WANTED] == example_corpus().key():
        load_corpus(example_corpus(), keep_model=True)


def train_on_shaped_codes(codes, timesteps: int) -> None:
    """Button callback (the data shaper's *Train on this* for integer codes): predict the next code, each code its own
    token id through an Embedding, from windows of the shaper's ``T``."""
    try:
        load_corpus(corpus_from_codes(codes))
    except DataError as err:
        st.session_state[TEXT_ERROR] = err.args[0]
        st.session_state["task"] = TEXT
        return
    open_with_timesteps(st.session_state.get(TEXT_KEY, ""), timesteps)


def _on_paste() -> None:
    text = st.session_state.get(PASTE, "")
    try:
        load_corpus(parse_text(text))
    except DataError as err:
        st.session_state[TEXT_ERROR] = err.args[0]


def _on_example() -> None:
    load_corpus(example_corpus())


def sync_text() -> None:
    """Before the view is read: the task key of this session's text (registered), or ""."""
    s = st.session_state
    s[TEXT_KEY] = ""
    corpus = s.get(CORPUS)
    if s.get("task") != TEXT or corpus is None:
        return
    cached = s.get(TASK)
    if cached is None or cached[0] != corpus.digest:
        cached = s[TASK] = (corpus.digest, text_task(corpus))
    TASKS.register(cached[1])
    s[TEXT_KEY] = cached[1].key


def text_sidebar() -> None:
    """The sidebar's "your text" controls: paste a text or take the example."""
    sb, s = st.sidebar, st.session_state
    if s.get(TEXT_WANTED):
        sb.warning(
            _(
                "This link trains on a text that was pasted in another browser session. Texts never travel in "
                "links: paste the same text here and the same run appears, or use the example."
            ),
            icon=":material/link_off:",
        )
    sb.text_area(
        _("your text (≤ 100 kB)"),
        key=PASTE,
        height=140,
        max_chars=MAX_TEXT_BYTES,
        help=_("Any UTF-8 text: each character becomes a token id. It stays in this session."),
    )
    sb.button(_("Use this text"), key="text_use", on_click=_on_paste, width="stretch", type="primary")
    sb.button(_("Example: fables"), key="text_example", on_click=_on_example, width="stretch", icon=":material/menu_book:")
    corpus = s.get(CORPUS)
    if s.get(TEXT_ERROR) is not None:
        sb.error(str(s[TEXT_ERROR]), icon=":material/error:")
    elif corpus is not None:
        sb.caption(_("{n} characters, a vocabulary of {v}.").format(n=f"{len(corpus.text):,}", v=corpus.size))


def _shown(c: str) -> str:
    return SHOWN.get(c, c)


def _generate(key: tuple) -> str:
    spec, weights, prompt, length, temperature, stateful, seed = key
    task: TextTask = TASKS[spec.task]
    arrays = weights.arrays if weights is not None else initial_real_arrays(spec)
    return generate_text(spec.model, arrays, task.corpus, prompt, length, temperature=temperature, stateful=stateful, seed=seed)


_WRITTEN: BoundedStore[tuple, str] = BoundedStore(_generate, max_entries=16)


def text_panel(spec: TrainingSpec, weights: TrainedWeights | None) -> None:
    """The Training tab's part for a text: the vocabulary and the coding, then the model writing."""
    task: TextTask = TASKS[spec.task]
    corpus, T = task.corpus, spec.model.timesteps
    st.markdown(
        _(
            "**Your text as the model gets it.** {n} characters, a vocabulary of **{v}**: each character is a token "
            "id, and `Embedding({v}, {d})` turns it into {d} numbers. The first {split} characters train, the rest "
            "are held out. A sample is {T} ids `({T},)`, its target the {T} characters one step later: "
            "`({train}, {T})` training windows."
        ).format(
            n=f"{len(corpus.text):,}",
            v=corpus.size,
            d=spec.model.embed_dim,
            split=f"{task.split:,}",
            T=T,
            train=f"{max(0, task.split - T):,}",
        )
    )
    coded = corpus.text[:CODED_SHOWN]
    cells = [_shown(c).replace("|", "\\|") for c in coded]
    st.markdown(
        "| " + _("character") + " | " + " | ".join(f"`{c}`" for c in cells) + " |\n"
        + "|---" * (len(cells) + 1) + "|\n"
        + "| " + _("token id") + " | " + " | ".join(str(int(k)) for k in corpus.encode(coded)) + " |"
    )  # fmt: skip
    st.markdown("#### " + _("Let it write"))
    c1, c2, c3 = st.columns([3, 2, 1])
    prompt = c1.text_input(
        _("start with"), value=corpus.text[:20].split("\n")[0] or corpus.text[:5], key="text_prompt", max_chars=200
    )
    temperature = c2.select_slider(
        _("temperature"),
        TEMPERATURES,
        value=0.5,
        key="text_temperature",
        help=_("0: always the likeliest character; higher: bolder choices."),
    )
    seed = c3.number_input(_("seed"), 0, 9999, 0, key="text_seed")
    length = st.slider(_("characters to write"), 50, MAX_LENGTH, 300, step=50, key="text_length")
    window, carried = st.columns(2)
    written = {}
    for col, stateful, title, note in (
        (
            window,
            False,
            _("State reset: a window of the last {T} characters").format(T=T),
            _("As it trained: every step reads the last T characters again from zero."),
        ),
        (
            carried,
            True,
            _("State carried (stateful)"),
            _("The state after each character is kept, as a stateful=True model with batch 1 keeps it: it remembers beyond T."),
        ),
    ):
        with col:
            st.markdown(f"**{title}**")
            st.caption(note)
            text = written[stateful] = _WRITTEN.get((spec, weights, prompt, int(length), float(temperature), stateful, int(seed)))
            st.code(prompt + text, language=None, wrap_lines=True)
    same = sum(a == b for a, b in zip(written[False], written[True], strict=True))
    first = next((k for k, (a, b) in enumerate(zip(written[False], written[True], strict=True)) if a != b), None)
    st.caption(
        _(
            "Same seed, same temperature: the two agree on {same} of {n} characters. They part at character {first}, "
            "once what the carried state remembers from beyond the last {T} characters changes a choice."
        ).format(same=same, n=len(written[False]), first=first + 1, T=T)
        if first is not None
        else _(
            "Same seed, same temperature: the two wrote the same {n} characters. This model's choices do not depend "
            "on anything further back than {T} characters (yet)."
        ).format(n=len(written[False]), T=T)
    )
