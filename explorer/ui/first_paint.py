"""The first paint of a fresh server process, drawn while TensorFlow is imported.

Importing TensorFlow and Keras takes seconds, and Streamlit only starts it when
the first visitor's session runs the script. Meanwhile the browser has to fetch
and compile its chart library (Plotly) the first time it meets a chart, which
takes seconds too on a slow machine. `first_paint` puts the two side by side:
before the engine is imported it shows the title and the *uncoloured* unrolled
graph of the URL's config (drawn from the config alone, no model needed), so the
browser loads Plotly while the server loads TensorFlow; then it clears itself
and the page draws as usual. Later runs only keep its empty slot, so every
element of the page keeps its position from run to run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from explorer.figures.unrolled import make_unrolled_figure
from explorer.i18n import _, use_language
from explorer.ui.chart import show_chart
from explorer.view import ViewConfig

ENGINE_MODULE = "explorer.ui.page"  # importing it imports TensorFlow


def draw_first_paint(params: dict[str, list[str]]) -> None:
    """The title, a note, and the uncoloured unrolled graph of the config in ``params`` (URL query parameters)."""
    view, _notices = ViewConfig.from_query_params(params)  # forgiving; the page itself shows the notices
    with use_language(view.lang):
        st.markdown("## LSTM Explorer")
        st.caption(
            ":material/hourglass_top: "
            + _(
                "Starting TensorFlow and building the model: a few seconds on the first "
                "visit after the server starts. Meanwhile, the network's structure:"
            )
        )
        show_chart(make_unrolled_figure(view.model), "first_paint")


@contextmanager
def first_paint() -> Iterator[None]:
    """Wrap the engine's import: on the process's first run, show a first paint until the import is done."""
    lecture = st.session_state.get("lecture", st.query_params.get("lecture", "").lower() in ("1", "true", "yes", "on"))
    st.set_page_config(
        page_title="LSTM Explorer", page_icon="🔁", layout="wide", initial_sidebar_state="collapsed" if lecture else "auto"
    )
    # Root-level secrets become environment variables once loaded (on Community Cloud, the app's settings set
    # LSTM_EXPLORER_MEMORY_MB there): load them before the engine reads its memory budget.
    st.secrets.load_if_toml_exists()
    slot = st.empty()
    if ENGINE_MODULE in sys.modules:
        yield
        return
    with slot.container():
        draw_first_paint({key: st.query_params.get_all(key) for key in st.query_params})
    try:
        yield
    finally:
        slot.empty()
