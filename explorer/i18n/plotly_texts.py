"""Plotly's own words (the mode bar's tooltips, the double-click hints) in the page's language.

Plotly.js translates its interface through a locale: a dictionary from its English words to the
language's. It is handed to each chart in its config (``locale`` and ``locales``), made here from
the app's own catalogue, so nothing is fetched and the words follow the glossary like every other
message. English needs no locale: those are Plotly's own words.
"""

from __future__ import annotations

import functools

from explorer.i18n.catalogue import N_, _
from explorer.i18n.language import language, use_language

PLOTLY_LOCALES = {"zh": "zh-CN"}  # the page's language → Plotly's locale name

# Every word the Plotly.js in Streamlit's page draws in the app's charts (its mode bar, hints and download messages),
# spelt as that Plotly.js spells them (its own locale dictionary's keys).
PLOTLY_WORDS = (
    N_("Autoscale"),
    N_("Box Select"),
    N_("Compare data on hover"),
    N_("Double-click on legend to isolate one trace"),
    N_("Double-click to zoom back out"),
    N_("Download plot"),
    N_("Download plot as JSON"),
    N_("Download plot as a PNG"),
    N_("Image download succeeded"),
    N_("JSON download succeeded"),
    N_("Lasso Select"),
    N_("Orbital rotation"),
    N_("Pan"),
    N_("Preparing image - this may take a few seconds"),
    N_("Reset"),
    N_("Reset axes"),
    N_("Reset camera to default"),
    N_("Reset camera to last save"),
    N_("Reset view"),
    N_("Reset views"),
    N_("Show closest data on hover"),
    N_("Sorry, there was a problem downloading your JSON file!"),
    N_("Sorry, there was a problem downloading your image!"),
    N_("Toggle Spike Lines"),
    N_("Toggle show closest data on hover"),
    N_("Turntable rotation"),
    N_("Zoom"),
    N_("Zoom in"),
    N_("Zoom out"),
    N_("trace"),
)


def plotly_locale_config(lang: str | None = None) -> dict:
    """The chart config's ``locale`` and ``locales`` for ``lang`` (default: the language this code runs in).

    Returns:
        ``{}`` for English; otherwise ``{"locale": "zh-CN", "locales": {"zh-CN": {"dictionary": {...}}}}`` with
        every word of `PLOTLY_WORDS` translated by the catalogue.
    """
    return _locale_config(lang or language())


@functools.cache
def _locale_config(lang: str) -> dict:  # made once per language; the callers only read it
    name = PLOTLY_LOCALES.get(lang)
    if name is None:
        return {}
    with use_language(lang):
        return {"locale": name, "locales": {name: {"dictionary": {word: _(word) for word in PLOTLY_WORDS}}}}
