"""The documented pictures, taken by the browser: every picture of README.md, README.zh.md and docs/ is opened and shot.

A picture whose inputs changed (``tests/pictures.py``) is written into ``docs/images`` with its new hash, except
under ``CI``: there each shot goes to ``artifacts/pictures/`` only, so that ``tests/test_pictures_current.py`` judges
the pictures as committed. Skipped where no Chromium is installed, except under ``CI``.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tests.browser_harness import ARTIFACTS, chromium_page, chromium_path, plots, wait_idle
from tests.pictures import PICTURES, Picture, publish

if chromium_path() is None:
    if os.environ.get("CI"):
        pytest.fail("CI is set but /usr/bin/chromium is missing: install Debian's chromium (bash .ci/run does)", pytrace=False)
    pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium) — browser tests skipped", allow_module_level=True)

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CORPUS = Path(__file__).resolve().parent / "corpus"
TRAIN_WAIT_S = 180  # a training run of a picture takes 5–15 s here; a slow CI machine waits for quiet moments


def _words(lang: str) -> dict[str, str]:
    from explorer.i18n import _, use_language

    with use_language(lang):  # the page's own words, from the catalogue
        return {"train": _("Train"), "open": _("Open your own Keras model"),
                "show": _("Show lstm_{layer} unit {unit} in the cell view").split("{layer}")[0]}  # fmt: skip


def _settled(page) -> None:
    """Every chart drawn and the Keras badge's check over (no picture says "checking…")."""
    wait_idle(page, timeout=90)
    page.wait_for_selector("text=|Δ|", timeout=90000)
    wait_idle(page, timeout=90)
    time.sleep(0.8)


def _what_the_page_says(page) -> str:
    """The main area's text, for a failure's message (the training status: queued, step n of N, stopped …)."""
    return page.locator("[data-testid=stMain]").inner_text()[:1200]


def _train(page, words: dict[str, str]) -> None:
    page.get_by_role("button", name=words["train"], exact=True).click()
    try:  # the link names the trained weights once the run is over
        page.wait_for_function("() => location.search.includes('snap=')", timeout=TRAIN_WAIT_S * 1000)
    except PlaywrightTimeout:
        pytest.fail(f"no trained weights after {TRAIN_WAIT_S} s; the page said:\n{_what_the_page_says(page)}")
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].length > 0", timeout=60000)


def _count(page, words: dict[str, str]) -> None:
    show = page.get_by_role("button", name=re.compile("^" + re.escape(words["show"])))
    try:
        show.wait_for(timeout=TRAIN_WAIT_S * 1000)  # the lesson trained the model and its probes named the counting unit
    except PlaywrightTimeout:
        pytest.fail(f"the lesson named no counting unit after {TRAIN_WAIT_S} s; the page said:\n{_what_the_page_says(page)}")
    page.wait_for_selector("text=|Δ|", timeout=90000)
    wait_idle(page, charts=False)
    show.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(g => g.layout.meta.view === 'cell')", timeout=60000
    )


SCROLL_JS = """what => {
    const el = what.startsWith('plot:')
        ? [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout.meta.view === what.slice(5))
        : document.querySelector(what);
    if (!el) return false;
    el.scrollIntoView({block: 'start'});
    for (let p = el.parentElement; p; p = p.parentElement) if (p.scrollTop > 0) { p.scrollBy(0, -110); break; }
    return true;
}"""


def _upload(page, words: dict[str, str]) -> None:
    page.get_by_text(words["open"]).click()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(CORPUS / "good_stack.keras"))
    page.wait_for_selector("text=good_stack.keras", timeout=60000)


@pytest.mark.parametrize("picture", list(PICTURES.values()), ids=lambda p: p.name)
def test_every_documented_picture_is_taken_from_the_app(server, playwright, picture: Picture):
    width, height = picture.size
    words = _words(picture.lang)
    with chromium_page(playwright, width=width, height=height) as (page, errors):
        page.goto(f"{server}/?{picture.query}")
        wait_idle(page, timeout=90, charts=picture.flow != "train")  # a task's view has no chart before training
        if picture.flow == "train":
            _train(page, words)
        elif picture.flow == "upload":
            _upload(page, words)
        elif picture.flow == "count":
            _count(page, words)
        _settled(page)
        if picture.scroll:
            assert page.evaluate(SCROLL_JS, picture.scroll), picture.scroll
            time.sleep(0.5)
        assert page.locator("[data-testid=stException]").count() == 0
        assert plots(page), "a picture of the app shows at least one chart"
        shot = ARTIFACTS / "pictures" / picture.name
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
        assert errors == []
    assert shot.stat().st_size > 20_000  # a page, not a blank
    if not os.environ.get("CI"):
        publish(picture, shot)
