"""Streamlit's own words on the page, in the page's language: the file uploaders' button and their size note.

Streamlit draws these itself, in English; CSS replaces the button's word with the catalogue's, and hides the
uploader's "40MB per file" note (each uploader's label and help state its own limit, in the page's language).
"""

from __future__ import annotations

import json

import streamlit as st

from explorer.i18n import _

_UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
/* The header's shapes, e.g. (None, 200, 128), fit their quarter of the row at 1280 px (Streamlit cuts them with …). */
[data-testid="stMetricValue"] > div { font-size: min(2.25rem, 2.2vw); }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: %s; font-size: 0.875rem;
}
</style>"""


def streamlit_words() -> None:
    """Style Streamlit's own widget text for this run's language (call once per run, anywhere on the page)."""
    st.html(_UPLOADER_CSS % json.dumps(_("Upload"), ensure_ascii=False))
