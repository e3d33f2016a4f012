"""The widgets of a learner's own-data tasks (a series, a text), and the task key the view carries.

The task picker holds `SERIES` or `TEXT` when the learner trains on their own data; the view's ``task`` is then the
key the data and the choices spell (`SeriesOptions.key`, `Corpus.key`), set by `explorer.ui.yourdata.sync_series`
and `explorer.ui.yourtext.sync_text` only while *this* session holds the data: a link carries the choices, never the
data.
"""

from __future__ import annotations

from explorer.training.tasks import TASKS
from explorer.yourdata.options import SeriesOptions, is_series_key
from explorer.yourdata.text import is_text_key

SERIES = "series"  # the task picker's choice: your own series
TEXT = "text"  # the task picker's choice: your own text
CORPUS = "_text_corpus"  # this session's `Corpus`
TEXT_KEY = "_text_key"  # its task key, "" without one
TEXT_ERROR = "_text_error"  # why the text makes no task (a `Message`), or None
TEXT_WANTED = "_text_wanted"  # a link's text key: the text it needs, until this session has it
TABLE = "_series_table"  # this session's `Table` (the data stay in the session)
KEY = "_series_key"  # the task key of the table and the choices, "" when they make no task
ERROR = "_series_error"  # why they make no task (a `Message`), or None
WANTED = "_series_wanted"  # a link's series key: the data it needs, until this session has them
WIDGETS = {  # widget key -> SeriesOptions field
    "series_inputs": "inputs",
    "series_target": "target",
    "series_horizon": "horizon",
    "series_train": "train_percent",
    "series_scaling": "scaling",
    "series_season": "season",
    "series_gaps": "gaps",
}


def task_key(state) -> str:
    """The task the widgets choose: a built-in key, this session's series key, or "" (none, or no data yet)."""
    key = state.get("task") or ""
    if key == SERIES:
        return state.get(KEY, "")
    if key == TEXT:
        return state.get(TEXT_KEY, "")
    return key if key in TASKS else ""


def series_widgets(options: SeriesOptions) -> dict:
    """The widget values that show ``options``."""
    values = {widget: getattr(options, name) for widget, name in WIDGETS.items()}
    values["series_inputs"] = list(options.inputs)
    return values


def options_from_widgets(state, digest: str) -> SeriesOptions:
    """The choices the widgets show for the data ``digest``.

    Raises:
        ValueError: a choice missing or out of range (no input column, no target).
    """
    fields = {name: state.get(widget) for widget, name in WIDGETS.items() if state.get(widget) is not None}
    fields["inputs"] = tuple(fields.get("inputs") or ())
    return SeriesOptions(digest, **fields)


def picker_state(task: str) -> dict:
    """The task picker's and the series widgets' state for a view's ``task`` (a series key: "your series" and the
    choices it spells)."""
    if is_text_key(task):
        return {"task": TEXT}
    if not is_series_key(task):
        return {"task": task}
    return {"task": SERIES, **series_widgets(SeriesOptions.from_key(task))}
