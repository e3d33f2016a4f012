"""Streamlit's own words on the page, in the page's language, and how its text breaks into lines.

Streamlit draws some words itself, in English: CSS replaces the uploaders' button word and the charts'
*Fullscreen* tooltip with the catalogue's, and hides the uploader's "40MB per file" note (each uploader's label
and help state its own limit, in the page's language). Headings are balanced (no word left alone on a line), and
widget labels break between words, never inside a Chinese word (返回最/终状态).
"""

from __future__ import annotations

import json

import streamlit as st

from explorer.i18n import _

_CHROME_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
/* The header's shapes, e.g. (None, 200, 128), fit their quarter of the row at 1280 px (Streamlit cuts them with …). */
[data-testid="stMetricValue"] > div { font-size: min(2.25rem, 2.2vw); }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: %(upload)s; font-size: 0.875rem;
}
/* Streamlit's own mode-bar button: its tooltip (Plotly draws data-title in ::after) in the page's language */
.js-plotly-plot .plotly .modebar-btn[data-title="Fullscreen"]::after { content: %(fullscreen)s !important; }
.js-plotly-plot .plotly .modebar-btn[data-title="Close fullscreen"]::after { content: %(close)s !important; }
h1, h2, h3, h4, h5 { text-wrap: balance; word-break: keep-all; overflow-wrap: anywhere; }
[data-testid="stWidgetLabel"] p { word-break: keep-all; overflow-wrap: anywhere; text-wrap: pretty; }
</style>"""


def streamlit_words() -> None:
    """Style Streamlit's own widget text for this run's language (call once per run, anywhere on the page)."""
    words = {"upload": _("Upload"), "fullscreen": _("Fullscreen"), "close": _("Close fullscreen")}
    st.html(_CHROME_CSS % {key: json.dumps(word, ensure_ascii=False) for key, word in words.items()})
