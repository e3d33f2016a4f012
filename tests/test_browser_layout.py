"""What only a browser shows of the page's text: overlaps measured from the SVG, line breaks, Plotly's own words.

Every view, in English and in Chinese, at 1280×800 and in lecture mode: no axis title may overlap a tick label
or a legend, and no legend a tick label (boxes read from the drawn SVG, never judged by eye). The Chinese page's
charts, mode bars and placeholders hold no English; its toggles break between words; a lesson title never leaves
one character on a line of its own; and a fresh ``?lang=zh&lesson=9`` session stays Chinese.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from page_text import english_runs
from test_i18n import ALLOWED_WORDS, KERAS_NAMES

from explorer.i18n import _, use_language
from explorer.lesson.steps import LESSON
from tests.browser_harness import chromium_page, chromium_path, wait_idle

if chromium_path() is None:
    if os.environ.get("CI"):
        pytest.fail("CI is set but /usr/bin/chromium is missing: install Debian's chromium (bash .ci/run does)", pytrace=False)
    pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium) — browser tests skipped", allow_module_level=True)

pytest.importorskip("playwright.sync_api")

# Every view the app draws charts in: the link that opens it, and a chart it must have drawn before it is measured.
VIEWS = {
    "graph": ("view=graph", "unrolled"),
    "cell": ("view=cell", "cell"),
    "shapes": ("view=shapes", "shapes"),
    "gates": ("view=gates", "gates"),
    "trajectories": ("view=trajectories", "state_space"),
    "real model": ("view=gates&input=tokens&vocab=25&embed=16&bidirectional=1&timesteps=12", "gates"),
    # trained once (a cached run after): the curve and the predictions come when the run is there
    "training": ("view=training&task=first&timesteps=20&epochs=2&snap=100000", "predictions"),
    "why gates": ("view=why&task=first&timesteps=30", "why"),
    "params vs timesteps": ("view=questions&q=timesteps", "params_vs_timesteps"),
    "broken stack": ("view=questions&q=stacking", "unrolled"),
    "state halves": ("view=questions&q=state", "state_across_calls"),
    "activation curves": ("view=questions&q=arguments", "activations"),
}

# Per chart: the pairs of drawn boxes that overlap (by more than 1 px each way): an axis title and a tick label or a
# legend, or a legend and a tick label. Plotly draws axis titles in `.infolayer .g-<axis>title`, tick labels in
# the axis layers, legends in `.legend`.
OVERLAPS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(el => {
    const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const texts = sel => [...el.querySelectorAll(sel)].filter(e => shown(e) && e.textContent.trim() !== '');
    const titles = texts('.infolayer [class^="g-x"][class$="title"] text, .infolayer [class^="g-y"][class$="title"] text');
    const ticks = texts('.xaxislayer-above text, .yaxislayer-above text');
    const legends = [...el.querySelectorAll('.legend')].filter(shown);
    const hit = (a, b) => { const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
        return Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1
            && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1; };
    const found = [];
    for (const t of titles) {
        for (const k of ticks) if (hit(t, k)) found.push(`axis title "${t.textContent}" over tick "${k.textContent}"`);
        for (const g of legends) if (hit(t, g)) found.push(`axis title "${t.textContent}" over the legend`);
    }
    for (const g of legends) for (const k of ticks) if (hit(g, k)) found.push(`legend over tick "${k.textContent}"`);
    return {view: el.layout && el.layout.meta ? el.layout.meta.view : null, titles: titles.length, ticks: ticks.length, found};
})"""

# The words a reader of the charts sees: SVG text, and each mode-bar button's tooltip as drawn (Plotly shows its
# data-title in ::after; the page's CSS replaces Streamlit's own button's there).
CHART_WORDS_JS = """() => ({
    svg: [...document.querySelectorAll('.js-plotly-plot svg text')]  // a text's lines (<br>) are tspans: one word each side
        .map(t => t.querySelector('tspan.line')
            ? [...t.querySelectorAll('tspan.line')].map(l => l.textContent).join(' ') : t.textContent)
        .filter(t => t.trim()),
    tooltips: [...document.querySelectorAll('.modebar-btn')].map(b => getComputedStyle(b, '::after').content),
    placeholders: [...document.querySelectorAll('input[placeholder]')].map(i => i.placeholder),
})"""

# Per label: each run of Chinese characters between punctuation or spaces, and how many lines it is drawn on.
CJK_WORDS_JS = """sel => [...document.querySelectorAll(sel)].flatMap(label => {
    const out = [];
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        for (const m of node.textContent.matchAll(/[\\u4e00-\\u9fff]+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            out.push({word: m[0], lines: tops.size});
        }
    }
    return out;
})"""

# The lesson title's characters on its last line (the heading found by its start).
LAST_LINE_JS = """prefix => {
    const h = [...document.querySelectorAll('h1, h2, h3, h4')].find(e => e.innerText.replace(/\\s/g, ' ').startsWith(prefix));
    if (!h) return null;
    const tops = [];
    const walker = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        for (let i = 0; i < node.textContent.length; i++) {
            if (!node.textContent[i].trim()) continue;
            const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
            tops.push(range.getBoundingClientRect().top);
        }
    }
    const last = tops[tops.length - 1];
    return {text: h.innerText, lines: new Set(tops.map(t => Math.round(t / 6))).size,
            last_line: tops.filter(t => Math.abs(t - last) < 4).length};
}"""


def settle(page, view: str | None = None, timeout: float = 180) -> None:
    """Wait until the page is drawn with ``view``'s chart, no script runs, and the number of charts has stopped changing."""
    wait_idle(page, timeout, charts=False)
    if view:
        page.wait_for_function(
            "v => [...document.querySelectorAll('.js-plotly-plot')]"
            ".some(g => g.layout && g.layout.meta && g.layout.meta.view === v && g.querySelector('.main-svg'))",
            arg=view,
            timeout=timeout * 1000,
        )
    count, since, deadline = -1, time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = page.locator(".js-plotly-plot .main-svg").count()
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since > 1.0:
            break
        time.sleep(0.2)
    wait_idle(page, timeout, charts=False)


def no_english(texts, run: int = 1) -> list[str]:
    return [
        f"{english} (in {text[:60]!r})" for text in texts for english in english_runs(text, ALLOWED_WORDS | KERAS_NAMES, run=run)
    ]


@pytest.mark.parametrize("lecture", [0, 1], ids=["1280x800", "lecture"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_axis_title_overlaps_its_tick_labels_or_the_legend_in_any_view(server, playwright, lang, lecture):
    problems, charts, measured = [], 0, set()
    with chromium_page(playwright, width=1280, height=800) as (page, errors):
        for name, (query, view) in VIEWS.items():
            page.goto(f"{server}/?{query}&lang={lang}&lecture={lecture}")
            settle(page, view)
            drawn = page.evaluate(OVERLAPS_JS)
            assert drawn, f"{name}: no chart drawn"
            charts += len(drawn)
            problems += [f"{name} / {chart['view']}: {found}" for chart in drawn for found in chart["found"]]
            measured.update({chart["view"] for chart in drawn if chart["titles"] and chart["ticks"]})
        assert errors == []
    assert charts >= len(VIEWS)
    assert {
        "gates",
        "state_space",
        "training_curve",
        "predictions",
        "why",
        "params_vs_timesteps",
    } <= measured  # boxes were read, not missed
    assert problems == []


def test_the_chinese_charts_mode_bars_and_placeholders_hold_no_english(server, playwright):
    with use_language("zh"):
        zoom, fullscreen = _("Zoom"), _("Fullscreen")
    seen = set()
    with chromium_page(playwright, width=1280, height=800) as (page, errors):
        for name in ("graph", "gates", "trajectories", "real model", "why gates", "activation curves"):
            query, view = VIEWS[name]
            page.goto(f"{server}/?{query}&lang=zh")
            settle(page, view)
            words = page.evaluate(CHART_WORDS_JS)
            assert words["svg"] and words["tooltips"], name
            tooltips = [t.strip('"') for t in words["tooltips"]]
            seen.update(tooltips)
            assert no_english(words["svg"]) == [], name
            assert no_english(tooltips) == [], name
            assert no_english(words["placeholders"]) == [], name
        assert errors == []
    assert {zoom, fullscreen} <= seen  # Plotly's own buttons and Streamlit's were read, in Chinese


def test_the_chinese_toggles_break_between_words_never_inside_one(server, playwright):
    with chromium_page(playwright, width=1280, height=800) as (page, errors):
        page.goto(f"{server}/?lang=zh&units=16,8&return_sequences=1,0")
        settle(page)
        with use_language("zh"):
            page.get_by_text(_("Advanced layer arguments")).first.click()
        page.wait_for_selector("[data-testid=stSidebar] [data-testid=stCheckbox] >> nth=5", timeout=30000)
        time.sleep(0.5)
        words = page.evaluate(CJK_WORDS_JS, "[data-testid=stSidebar] [data-testid=stCheckbox] label")
        assert len(words) >= 6  # every toggle's Chinese words were measured
        assert [w for w in words if w["lines"] != 1] == []
        assert errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_lesson_title_leaves_a_character_alone_on_its_last_line(server, playwright, lang):
    with use_language(lang):
        heading = _("Lesson {k} of {n}: {title}").split("{title}")[0]
    alone = []
    with chromium_page(playwright, width=1280, height=800) as (page, errors):
        for k in range(1, len(LESSON) + 1):
            page.goto(f"{server}/?lesson={k}&lang={lang}")
            prefix = heading.format(k=k, n=len(LESSON))
            page.wait_for_selector(f"text={prefix}", timeout=90000)
            page.evaluate("() => document.fonts.ready.then(() => true)")  # measured in the page's own fonts
            settle(page)  # and after the page's later runs, which may redraw the heading
            title = page.evaluate(LAST_LINE_JS, prefix)
            assert title is not None, k
            if title["lines"] > 1 and title["last_line"] < 2:
                alone.append(title["text"])
        assert errors == []
    assert alone == []


def test_a_fresh_chinese_lesson_9_session_is_chinese_throughout(server, playwright):
    with use_language("zh"):
        tabs_zh = [_(label) for label in ("Unrolled graph", "Tensor shapes")]
        heading = _("Lesson {k} of {n}: {title}").split("{title}")[0].format(k=9, n=len(LESSON))
    with chromium_page(playwright, width=1280, height=800) as (page, errors):
        page.goto(f"{server}/?lang=zh&lesson=9")
        page.wait_for_selector(f"text={heading}", timeout=90000)
        for _round in range(3):  # the page's later runs too: the badge's check finishing, the first paint's reruns
            settle(page)
            assert "lang=zh" in page.url
            switch = page.locator("[data-testid=stRadio]").filter(has_text="English")  # the language switch
            assert switch.locator("label:has(input:checked)").inner_text().strip() == "中文"
            tabs = page.locator("[role=tab]").all_inner_texts()
            assert all(tab in tabs for tab in tabs_zh), tabs
            main = page.locator("[data-testid=stMain]").inner_text()
            assert re.search(r"[\u4e00-\u9fff]", main)
            assert no_english([line for line in main.splitlines() if line.strip()], run=3) == []
            time.sleep(1.5)
        assert errors == []
