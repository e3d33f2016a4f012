"""Lecture mode's page chrome: Streamlit's header bar hidden, less padding, larger page text."""

from __future__ import annotations

import streamlit as st

from explorer.i18n import _

LECTURE_CSS = """<style>
header[data-testid="stHeader"] { display: none; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 1rem; max-width: 100%; }
html { font-size: 19px; }  /* Streamlit sizes its text in rem: everything on the page grows with the root */
button[role="tab"] p { font-size: 1.2rem; }
/* the header's shapes: the full width (no sidebar) gives them room to stay large */
html body [data-testid="stMetricValue"] > div { font-size: min(2.25rem, 3vw); }
/* a real model's map (an SVG that scales with its width): the whole width, for text as large as the charts' */
svg[data-view="model_map"] { max-width: 100% !important; }
</style>"""


def lecture_toggle() -> None:
    """The switch (its state is in the URL as ``lecture=1``); on, the chrome goes minimal."""
    st.toggle(_("Lecture mode"), key="lecture", help=_("For a projector: sidebar folded away, large chart text, thick lines."))
    if st.session_state.get("lecture"):
        st.html(LECTURE_CSS)
