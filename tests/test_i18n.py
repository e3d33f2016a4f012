"""The interface in two languages: the catalogues are complete and in sync with the code, and the URL keeps the language."""

import gettext
import io
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from page_text import english_runs, page_texts
from test_app import assert_clean, figures, new_app, open_panel
from test_training_app import train_to_end

from explorer.i18n import LANGUAGES, Message, _, use_language
from explorer.i18n.catalogue import LOCALES, translations
from explorer.lesson.steps import LESSON
from explorer.view import PANELS, QUESTIONS, ViewConfig

ROOT = Path(__file__).resolve().parents[1]
POT = ROOT / "explorer" / "i18n" / "messages.pot"
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


def read_catalogue(path: Path):
    with open(path, "rb") as f:
        return read_po(f)


def msgids(catalogue) -> set[str]:
    return {m.id for m in catalogue if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """The messages the code marks today, extracted as the README says."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    script = "from babel.messages.frontend import main; main()"
    subprocess.run(
        [sys.executable, "-c", script, "-q", "extract", "-F", "babel.cfg", "-k", "N_", "-k", "Message", "-k", "NC_:1c,2",
         "--no-location", "--omit-header", "--sort-output", "-o", str(out), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    return msgids(read_catalogue(out))


def test_the_template_holds_exactly_what_the_code_marks(extracted):
    assert len(extracted) > 400  # the extraction found the messages (a broken babel.cfg finds none)
    committed = msgids(read_catalogue(POT))
    assert sorted(extracted - committed) == [], "new messages: run pybabel extract and update (see README)"
    assert sorted(committed - extracted) == [], "messages the code no longer uses: run pybabel extract"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_has_a_translation_with_the_same_placeholders(lang, extracted):
    catalogue = read_catalogue(po_path(lang))
    assert msgids(catalogue) == extracted, "run pybabel update (see README)"
    missing, fuzzy, mismatched = [], [], []
    for m in catalogue:
        if not m.id:
            continue
        if not m.string:
            missing.append(m.id)
        if m.fuzzy:
            fuzzy.append(m.id)
        if placeholders(m.id) != placeholders(m.string or ""):
            mismatched.append((m.id, m.string))
    assert (missing, fuzzy, mismatched) == ([], [], [])


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(lang):
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(po_path(lang)))
    buffer.seek(0)
    fresh = gettext.GNUTranslations(buffer)._catalog
    committed = translations(lang)._catalog
    assert fresh == committed, "run pybabel compile -d explorer/i18n/locales -D messages (see README)"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_read_as_that_language(lang):
    """A translation that copied the English would pass the tests above; most of each must be in the new script."""
    catalogue = read_catalogue(po_path(lang))
    copied = [m.id for m in catalogue if m.id and m.string == m.id and re.search(r"[A-Za-z]{3}", m.id)]
    with use_language(lang):
        han = [_(label) for label in (*PANELS.values(), *QUESTIONS.values())]
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in han), han
    assert len(copied) < 10, copied  # a few messages are formulas or names (e.g. "LSTM"), not sentences


def test_messages_translate_when_shown_and_fall_back_outside_a_page():
    message = Message("`{name}` must be a whole number ({what}), got {value}.", name="units", what="1-512", value="'x'")
    assert str(message) == "`units` must be a whole number (1-512), got 'x'."
    with use_language("zh"):
        text = str(message)
    assert "`units`" in text and re.search(r"[\u4e00-\u9fff]", text)
    with use_language("xx"):  # an unknown language draws the default
        assert str(message) == "`units` must be a whole number (1-512), got 'x'."


def test_the_language_rides_the_url_and_leaves_the_model_and_view_alone():
    query = {"units": "6,5", "timesteps": "30", "view": "gates", "step": "9", "lang": "zh"}
    view, notices = ViewConfig.from_query_params(query)
    assert not notices and view.lang == "zh"
    assert ViewConfig.from_query_params(view.to_query_params())[0] == view
    english, _ = ViewConfig.from_query_params({k: v for k, v in query.items() if k != "lang"})
    assert english.lang == "en" and english.model == view.model and english.panel == view.panel
    assert "lang" not in english.to_query_params()  # the default stays out of the link
    odd, notices = ViewConfig.from_query_params({**query, "lang": "klingon"})
    assert odd.lang == "en" and odd.model == view.model and notices


# Names, units and abbreviations that stay as they are in a Chinese page (as Chinese texts on Keras write them).
ALLOWED_WORDS = {
    "keras", "lstm", "lstms", "numpy", "tensorflow", "dense", "embedding", "adam", "pca", "softmax", "sigmoid",
    "tanh", "relu", "linear", "csv", "png", "svg", "gru", "json", "python", "plotly", "streamlit", "true", "false",
    "none", "sgd", "mse", "rmsprop", "mae", "url", "api", "rnn", "id", "ok", "utf", "simplernn",
}  # fmt: skip
# Keras's own names, which a chart (no code font there) shows as they are: weights, arguments, layer names.
# A real model's map names its layers' classes and arguments as Keras does (InputLayer, Bidirectional, merge_mode=concat)
# and our Dense layer is named "head".
KERAS_NAMES = {"kernel", "bias", "units", "stateful", "input", "clip", "inputlayer", "bidirectional", "concat", "sum", "mul",
               "ave", "head"}  # fmt: skip


def walk_zh():
    """Every view, question, a task, the lesson, a broken stack and rejected input, in Chinese: (where, page texts)."""
    at = new_app({"lang": "zh"})
    yield "graph", at
    with use_language("zh"):
        labels = {key: _(label) for key, label in PANELS.items()}
    for key, label in labels.items():
        at.session_state["panel"] = label
        yield key, at.run()
    for key in QUESTIONS:
        yield f"question {key}", at.radio(key="question").set_value(key).run()
    at.radio(key="question").set_value("data").run()
    at.text_area(key="shaper_text").set_value("a\nhello\nworld\n").run()
    yield "shaper error", at
    at = new_app({"lang": "zh", "task": "brackets", "view": "training", "epochs": "2"})  # a run of its own: not in the cache
    yield "task", at
    train_to_end(at)
    assert {"training_curve", "predictions"} <= figures(at).keys()
    yield "trained", at
    yield "broken stack", new_app({"lang": "zh", "units": "4,3", "return_sequences": "0,0", "view": "shapes"})
    yield "odd URL", new_app({"lang": "zh", "units": "99999", "view": "nope", "seq": "<script>"})
    yield "lecture cell view", new_app({"lang": "zh", "lecture": "1", "view": "cell"})
    for k in range(1, len(LESSON) + 1):
        at = new_app({"lang": "zh", "lesson": str(k)})
        assert dict(at.query_params).get("view", "graph") == LESSON[k - 1].query["view"], k  # the step's own view
        yield f"lesson {k}", at


def test_the_english_detector_finds_sentences_and_spares_code_formulas_and_names():
    text = (
        "点击 `return_sequences=True` 以后 open this cell；$h_t = o_t \\odot \\tanh(c_t)$ "
        "<b>Keras LSTM softmax</b> lstm_1 is here"
    )
    assert english_runs(text, ALLOWED_WORDS) == ["open this cell"]
    assert english_runs("```python\nmodel = keras.Sequential()\nthe whole code block\n```", ALLOWED_WORDS) == []
    assert english_runs("shows the weights", ALLOWED_WORDS) == ["shows the weights"]


def test_the_chinese_page_shows_no_english_sentence_outside_code():
    english, walked = [], 0
    for where, at in walk_zh():
        assert_clean(at)
        texts = page_texts(at)
        assert any(re.search(r"[\u4e00-\u9fff]", text) for _, text in texts), where
        english += [
            (where, kind, run, text[:120])
            for kind, text in texts
            # in a chart even one English word shows (an axis title, a colour bar, a hover label)
            for run in english_runs(text, ALLOWED_WORDS | KERAS_NAMES, run=1 if kind == "plotly_chart" else 3)
        ]
        walked += 1
    assert walked == 1 + len(PANELS) + len(QUESTIONS) + 6 + len(LESSON)
    assert english == []


def test_the_english_page_has_no_chinese_and_switching_keeps_the_model_and_view():
    at = new_app({"units": "6,5", "timesteps": "9", "view": "gates"})
    for key in PANELS:
        at = open_panel(at, key)
        switch = {LANGUAGES["zh"], "Language / 语言"}  # the switch names each language in its own (hidden label)
        han = [t for kind, t in page_texts(at) if re.search(r"[\u4e00-\u9fff]", t) and t not in switch]
        assert han == [], key
    open_panel(at, "gates")
    before = {k: at.query_params[k] for k in ("units", "timesteps")}
    at.radio(key="lang").set_value("zh").run()
    assert_clean(at)
    assert at.query_params["lang"] == "zh" and {k: at.query_params[k] for k in before} == before
    assert at.query_params["view"] == "gates" and "gates" in figures(at)
    with use_language("zh"):
        assert at.session_state["panel"] == _(PANELS["gates"])
        assert any(_("Parameters") == m.label for m in at.metric)
    at.radio(key="lang").set_value("en").run()
    assert "lang" not in at.query_params and at.session_state["panel"] == PANELS["gates"]


def drop_widget_state(at, key: str) -> None:
    """What Streamlit does to a widget a completed run did not draw: its state is gone, and the browser, which no
    longer shows it, sends none. Then the next run runs (Streamlit's own internals: no public API does this)."""
    sent = at._tree.get_widget_states()  # (read while the widget still has its state)
    state = at._session_state._state
    widget_id = state._get_widget_id(key)
    for store in (state._old_state, state._new_session_state):
        store.pop(widget_id, None)
        store.pop(key, None)
    state._new_widget_state.states.pop(widget_id, None)
    kept = [w for w in sent.widgets if w.id != widget_id]
    del sent.widgets[:]
    sent.widgets.extend(kept)
    at._run(sent)


def test_the_language_survives_the_switchs_state_being_dropped():
    """The lesson's language loss: ``?lang=zh&lesson=9`` in a fresh session once drew the whole page in English with
    the switch on English. Streamlit drops a widget's state after a completed run that did not draw the widget; the
    sidebar then gave every missing key its default (English), the view wrote it to the URL, and the switch
    followed. A missing language is now the URL's."""
    at = new_app({"lang": "zh", "lesson": "9"})
    assert at.query_params["lang"] == "zh"
    drop_widget_state(at, "lang")
    at.run()
    assert_clean(at)
    assert at.query_params["lang"] == "zh" and at.session_state["lang"] == "zh" and at.radio(key="lang").value == "zh"
    with use_language("zh"):
        assert at.session_state["panel"] == _(PANELS[LESSON[8].query["view"]])
    assert any(re.search(r"[\u4e00-\u9fff]", m.label) for m in at.metric)
    at.run()  # and on the run after
    assert at.query_params["lang"] == "zh" and at.radio(key="lang").value == "zh"


def test_one_english_word_two_meanings_two_translations():
    """'step' is a stage of the data pipeline (步骤) in the data question and a time step (时间步) on the trajectories'
    colour bar; the cell view's bar titles name gates and states (输入门, 细胞状态), not the graph's row labels."""
    at = new_app({"lang": "zh", "view": "questions", "q": "data"})
    assert_clean(at)
    tables = [t for kind, t in page_texts(at) if kind in ("arrow_table", "table", "arrow_data_frame", "dataframe")]
    assert "步骤" in tables and "时间步" not in tables  # the pipeline table's first column: its stages
    at = new_app({"lang": "zh", "view": "cell"})
    assert_clean(at)
    annotations = " ".join(a.get("text", "") for a in figures(at)["cell"]["layout"].get("annotations", []))
    for title in ("输入门", "遗忘门", "候选值", "输出门", "细胞状态", "隐藏状态"):
        assert title in annotations, title
    at = new_app({"lang": "zh", "view": "trajectories"})
    assert_clean(at)
    traces = figures(at)["state_space"]["data"]
    bars = [t["marker"]["colorbar"]["title"]["text"] for t in traces if "colorbar" in t.get("marker", {})]
    assert bars and set(bars) == {"时间步"}


def test_the_chinese_wording_a_reader_corrected_stays_corrected():
    """参数量 (a count) is not 参数 (an argument); a layer's arguments, not a function's; 达标线, not a coined 解决线;
    a stateful LSTM's sample i continues sample i; a fractional epoch is not an ordinal (第 4.00 轮)."""
    zh = {m.id: m.string for m in read_catalogue(po_path("zh")) if m.id and isinstance(m.id, str)}
    assert zh["Parameters"] == "参数量" and zh["Parameters of this LSTM"].endswith("参数量")
    assert zh["Every LSTM argument"] == "LSTM 层的各个参数"
    texts = "\n".join(zh.values())
    for wrong in ("解决线", "LSTM 函数", "第 i 批接着第 i 批", "第 {epoch} 轮）"):
        assert wrong not in texts, wrong
    assert "第 i 个样本" in zh[next(k for k in zh if k.startswith("keep h and c between calls"))]


def test_a_directions_label_is_drawn_in_the_pages_language_and_kept_as_keras_names_it():
    from explorer.i18n.names import layer_label

    with use_language("zh"):
        assert layer_label("bidirectional_1 · backward") == "bidirectional_1 · 后向"
        assert layer_label("lstm_2") == "lstm_2" and layer_label("a · b") == "a · b"
    assert layer_label("bidirectional_1 · forward") == "bidirectional_1 · forward"


GLOSSARY = Path(__file__).resolve().parent.parent / "explorer" / "i18n" / "locales" / "zh" / "glossary.toml"
CJK = r"[\u4e00-\u9fff]"


def _prose(text: str) -> str:
    """A message without what is not prose: `code`, {placeholders}, <tags>, identifiers (a_b, x=1, f(…)), tuples."""
    text = re.sub(r"`[^`]*`|\{[^{}]*\}|<[^<>]*>", " ", text)
    text = re.sub(r"\([^()（）\u4e00-\u9fff]*\)", " ", text)  # (batch, T, units): notation, not words
    return re.sub(r"\b\w*(?:_\w*|=\S*|\(\S*)", " ", text)


def _zh_messages():
    catalogue = read_catalogue(po_path("zh"))
    for message in catalogue:
        if message.id and message.string:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            msgstr = message.string if isinstance(message.string, str) else message.string[0]
            yield msgid, msgstr


def _ascii_punctuation_after_cjk(msgstr: str) -> bool:
    """A Chinese character followed by , : ; ! ? or a sentence's full stop, outside code and ASCII tuples."""
    prose = re.sub(r"`[^`]*`|\([^()（）]*\)", " ", msgstr)  # (样本数, 时间步, 特征) is notation: it keeps its commas
    return bool(re.search(CJK + r"[,:;!?]|" + CJK + r"\.(?=\s|$)", prose))


def _italic_cjk(msgstr: str) -> bool:
    """Chinese in *italics* (single asterisks; **bold** is fine)."""
    prose = re.sub(r"`[^`]*`|\*\*", " ", msgstr)
    return bool(re.search(r"\*[^*\n]*" + CJK + r"[^*\n]*\*", prose))


def _unflanked_bold(text: str) -> bool:
    """A ``**`` that Markdown (CommonMark, as Streamlit renders it) will not read as bold, so the asterisks show: an
    opener must be followed by no space, and by punctuation only after a space or punctuation; a closer likewise
    mirrored (``**从右往左读。**每`` shows its asterisks; ``**从右往左读**。每`` is bold). Placeholders count as letters."""
    import unicodedata

    prose = re.sub(r"`[^`]*`", "x", re.sub(r"\{[^{}]*\}", "x", text))
    punct = lambda c: unicodedata.category(c)[0] in "PS"  # noqa: E731
    runs = [m.start() for m in re.finditer(r"(?<!\*)\*\*(?!\*)", prose)]
    for k, at in enumerate(runs):
        before = prose[at - 1] if at else " "
        after = prose[at + 2] if at + 2 < len(prose) else " "
        if k % 2 == 0:  # an opener: left-flanking
            ok = not after.isspace() and (not punct(after) or before.isspace() or punct(before))
        else:  # a closer: right-flanking
            ok = not before.isspace() and (not punct(before) or after.isspace() or punct(after))
        if not ok:
            return True
    return False


def test_every_chinese_message_keeps_the_glossarys_terms_and_punctuation():
    import tomllib

    glossary = tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))
    assert len(glossary["term"]) >= 15 and glossary["rules"] == {"full_width_after_cjk": True, "no_italic_cjk": True}
    left_in_english, two_ways, punctuation, italics, unbold = [], [], [], [], []
    for msgid, msgstr in _zh_messages():
        for term in glossary["term"]:
            if re.search(rf"\b(?:{term['en']})\b", _prose(msgid), re.I) and term["zh"] not in msgstr:
                left_in_english.append((term["zh"], msgid[:80], msgstr[:60]))
            two_ways += [(avoid, msgstr[:80]) for avoid in term.get("avoid", []) if avoid in msgstr]
        punctuation += [msgstr[:80]] if _ascii_punctuation_after_cjk(msgstr) else []
        italics += [msgstr[:80]] if _italic_cjk(msgstr) else []
        unbold += [msgstr[:80]] if _unflanked_bold(msgstr) and not _unflanked_bold(msgid) else []
    assert left_in_english == [] and two_ways == []
    assert punctuation == [] and italics == [] and unbold == []


def test_the_glossary_test_catches_what_it_is_for():
    assert re.search(r"\b(?:units?)\b", _prose("**`units` = {units}** for `{layer}`"), re.I) is None  # code is not prose
    assert re.search(r"\b(?:units?)\b", _prose("the unit {unit} of (batch, T, units)"), re.I)  # prose is
    assert _ascii_punctuation_after_cjk("模型: 两层") and _ascii_punctuation_after_cjk("这是一个句子.")
    assert not _ascii_punctuation_after_cjk("形状为 (样本数, 时间步, 特征)。") and not _ascii_punctuation_after_cjk("`a: 层`")
    assert _italic_cjk("在 *焦点* 中") and not _italic_cjk("**就是** 最后") and not _italic_cjk("*Focus* 焦点")
    assert _unflanked_bold("**从右往左读。**每往回") and _unflanked_bold("的**（注意）**就")
    assert not _unflanked_bold("**从右往左读**。每往回") and not _unflanked_bold("**{title}**：{teaches}")
    assert not _unflanked_bold("**Read it right to left.** Each step") and not _unflanked_bold("a `**kwargs` b")


def test_plotlys_own_words_are_the_ones_its_bundle_draws_and_each_has_its_chinese():
    """The chart config's locale for Chinese: every word is spelt as the Plotly.js inside Streamlit's page spells it
    (a word it never draws would leave the real one in English), and each has its translation."""
    import streamlit

    from explorer.i18n.plotly_texts import PLOTLY_WORDS, plotly_locale_config

    bundle = "".join(p.read_text(errors="ignore") for p in (Path(streamlit.__file__).parent / "static").rglob("PlotlyChart*.js"))
    assert bundle and [word for word in PLOTLY_WORDS if f"`{word}`" not in bundle and f'"{word}"' not in bundle] == []
    assert plotly_locale_config("en") == {}
    config = plotly_locale_config("zh")
    dictionary = config["locales"][config["locale"]]["dictionary"]
    assert config["locale"] == "zh-CN" and set(dictionary) == set(PLOTLY_WORDS)
    assert [word for word, chinese in dictionary.items() if not re.search(r"[\u4e00-\u9fff]", chinese)] == []
