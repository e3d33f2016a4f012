"""Every text a page shows, gathered from an AppTest run: for checking that a page speaks one language."""

from __future__ import annotations

import json
import re

from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

# Element types whose text is code (Keras's own messages and code stay as written).
CODE_ELEMENTS = {"code"}
# Proto fields that hold no reader-facing text.
SKIP_FIELDS = {
    "id", "formId", "key", "spec", "data", "type", "format", "icon", "width", "height", "useContainerWidth",
    "theme", "dataframeSchema", "columns", "selectionMode", "widthConfig", "heightConfig", "value", "default",
}  # fmt: skip
FIGURE_TEXT_KEYS = {"text", "name", "hovertemplate", "ticktext", "label", "title", "texttemplate", "prefix", "suffix"}


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _strings(value, skip=SKIP_FIELDS):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in skip:
                yield from _strings(item, skip)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, skip)


def _figure_strings(value, key=None, keys=FIGURE_TEXT_KEYS):
    """The reader-facing strings of a Plotly figure's JSON (titles, annotations, names, hover, tick labels)."""
    if isinstance(value, dict):
        for k, item in value.items():
            if k in {"x", "y", "z", "customdata", "meta", "colorscale", "ids"}:
                continue
            yield from _figure_strings(item, k, keys)
    elif isinstance(value, list):
        for item in value:
            yield from _figure_strings(item, key, keys)
    elif isinstance(value, str) and key in keys:
        yield value


def page_texts(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) for every text on the page: widgets' labels, help and options, markdown, notices,
    metrics, tables' headers and cells, and the charts' text."""
    out = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is None or kind in CODE_ELEMENTS:
            continue
        if kind == "plotly_chart":
            spec = json.loads(proto.spec)
            legend = spec.get("layout", {}).get("showlegend", True)
            for trace in spec.get("data", []):
                named = legend and trace.get("showlegend", True) and trace.get("hoverinfo") != "skip"
                shown = trace if named else {k: v for k, v in trace.items() if k != "name"}
                out += [(kind, s) for s in _figure_strings(shown)]
            layout_keys = FIGURE_TEXT_KEYS - {"name"}  # a slider's or menu's name is never shown
            out += [(kind, s) for s in _figure_strings({k: v for k, v in spec.items() if k != "data"}, keys=layout_keys)]
            continue
        if kind in {"arrow_data_frame", "arrow_table", "dataframe", "table"}:
            frame = node.value
            out += [(kind, str(c)) for c in frame.columns]
            out += [(kind, v) for v in frame.to_numpy().ravel() if isinstance(v, str)]
            continue
        try:
            fields = MessageToDict(proto)
        except TypeError:
            continue
        out += [(kind, s) for s in _strings(fields)]
    return out


_CODE = re.compile(r"<style.*?</style>|```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|%\{[^}]*\}|<[^>]+>|https?://\S+|&\w+;", re.S)
_TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_'’-]*|[^\sA-Za-z0-9_]+")  # words and identifiers; the rest


def english_runs(text: str, allowed: set[str], run: int = 3) -> list[str]:
    """Runs of ``run`` or more plain English words in ``text`` outside code, formulas, tags and allowed names."""
    found, current = [], []
    for token in _TOKEN.findall(_CODE.sub(" · ", text)):
        word = token.strip("'’-")  # an identifier (lstm_1, PC1, count_params) is not a word
        if word and word.isascii() and word.replace("-", "").isalpha() and word.lower() not in allowed and len(word) > 1:
            current.append(word)
            continue
        if token in {",", "-", "'"} and current:  # "a, b" stays one run
            continue
        if len(current) >= run:
            found.append(" ".join(current))
        current = []
    if len(current) >= run:
        found.append(" ".join(current))
    return found
