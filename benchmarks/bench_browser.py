"""What a user feels, measured in Debian's Chromium: cold start, interaction latency, memory, payload.

Run: ``python benchmarks/bench_browser.py [--reps 20] [--cold-reps 20] [--configs 100] [--large-configs 30]
[--parts cold,default,largest,memory,memory-large,training,ready,cell,figures,real]``.
Prints figures (median, p95); asserts nothing.

- cold start: server process start → first chart drawn in the browser (the uncoloured first
  paint), and → the graph coloured from the live model;
- interaction latency: key press on the ``lstm_1 units`` slider (a *model* change)
  → the first frame after every visible chart has finished drawing new data (Plotly's ``afterplot``), at the default
  config and at the largest (4 × 256 units, T = 200, F = 64, batch 1); both for
  configs seen before (model cached) and for new ones (Keras builds the model);
- server memory: RSS after start, then after N different configs; and, on a fresh server, while
  visiting large models (4 × ~256 units at batch 8: the caches' worst case);
- payload: bytes the server sends over the websocket for one rerun;
- training: another learner's slider with and without a job training, the focus slider on the
  training page while its job runs, the snapshot scrubber after training (``--parts training``);
- the cell view: a click on a graph cell → the cell view there, the ◀ / ▶ step buttons, and every time
  player's frame rate in the browser at the default and the largest config (``--parts cell``);
- the figure floor: a key press in an app that shows the page's own figures, made at its start, alone and inside
  the page's skeleton of controls, beside the page's press on the same view (``--parts figures``): what Streamlit
  and Plotly alone cost to draw the page's charts, and with the page's controls around them;
- real models (``--parts real``): the sliders' Embedding + Bidirectional 2 × 64 model at T = 200 beside the same-sized
  plain stack, key press → charts, as a ratio to the floor and to the plain stack (target ≤ 1.5×);
- a fresh replica's first visitor, arriving when the replica reports ready, with and without the container's
  launcher that imports TensorFlow at start (``--parts ready``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from playwright.sync_api import sync_playwright
from timing import p95

from explorer.figures.player import FRAME_MS
from tests.browser_harness import (
    FINITE_JS,
    PLOTS_JS,
    chromium_page,
    click_data_point,
    play_frames,
    plots,
    streamlit_server,
    wait_for_new_plots,
    wait_idle,
)

LARGEST = "/?units=256,256,256,256&return_sequences=1,1,1,0&timesteps=200&features=64&batch=1"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):8.1f}   p95 {p95(values):8.1f}   (n={len(values)})"


COLOURED_GRAPH_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(el =>
    el.querySelector('.main-svg') && (el._fullData || []).some(t => t.name === 'cell colours' && (FINITE)(t.z) > 0))
""".replace("FINITE", FINITE_JS)


def cold_start(playwright, reps: int) -> tuple[list[float], list[float]]:
    """Server process start → first chart drawn (the first paint: the graph's structure, uncoloured), and →
    the graph coloured from the live model's trace (the page a user came for). The browser is already open
    (a user's is), so its own launch is not counted; the page is requested as soon as the server answers."""
    first, full = [], []
    for _ in range(reps):
        with chromium_page(playwright) as (page, _errors), streamlit_server() as (url, _proc, started):
            page.goto(url)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120000)
            first.append(time.perf_counter() - started)
            page.wait_for_function(COLOURED_GRAPH_JS, timeout=120000, polling=20)
            full.append(time.perf_counter() - started)
    return first, full


class Payload:
    """Counts bytes received over Streamlit's websocket."""

    def __init__(self, page):
        self.bytes = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload) -> None:
        self.bytes += len(payload)


KEY_CLOCK_JS = """() => { if (!window.__keyClock) { window.__keyClock = true;
    for (const kind of ['keydown', 'pointerdown'])
        document.addEventListener(kind, () => { window.__keyAt = performance.now(); }, true); } }"""
# Installed before any page script: every Plotly chart notes when it last finished drawing (``plotly_afterplot``, which
# Plotly emits once a draw's asynchronous parts, such as a heatmap's image, are done). A chart's data change the moment
# ``Plotly.react`` starts; the draw ends up to ~100 ms later on the gates view, so "new data in the chart" alone
# undercounts what a user waits for.
AFTERPLOT_INIT_JS = """(() => {
    const hook = el => { if (!el.__afterHooked && el.on) { el.__afterHooked = true;
        el.on('plotly_afterplot', () => { el.__afterAt = performance.now(); }); } };
    new MutationObserver(() => document.querySelectorAll('.js-plotly-plot').forEach(hook))
        .observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ['class']});
})();"""
# Checked on every animation frame: true once every chart shows new data *and* has finished drawing since the key
# press; notes when, on the page's clock (this frame is the first to show the finished draw).
CHANGED_JS = """([old, js]) => {
    const now = eval(js)(), sigs = JSON.parse(old);
    const changed = now.length === sigs.length && now.every((p, i) => p.signature !== sigs[i]);
    const drawn = [...document.querySelectorAll('.js-plotly-plot')].every(el => (el.__afterAt || 0) > window.__keyAt);
    if (changed && drawn) window.__drawnAt = performance.now();
    return changed && drawn;
}"""


@contextlib.contextmanager
def bench_page(pw, **kwargs):
    """`chromium_page` with every chart noting when it finished drawing (`AFTERPLOT_INIT_JS`)."""
    with chromium_page(pw, **kwargs) as (page, errors):
        page.add_init_script(AFTERPLOT_INIT_JS)
        yield page, errors


def press_latency(
    page,
    reps: int,
    payload: Payload | None,
    slider_name: str = "lstm_1 units",
    keys: tuple[str, ...] = ("ArrowLeft", "ArrowRight"),
    *,
    badge: bool = True,
) -> tuple[list[float], list[int]]:
    """Key press → the first animation frame after every visible chart has finished drawing new data, in ms.

    Timed on the page's own clock (a capturing ``keydown`` listener, then a check on every
    animation frame), so Playwright's round trips are not counted. ``keys`` cycle: the
    default (left, right) revisits two configs whose models are cached; ("ArrowRight",)
    steps on, each press a model the app built ahead in the background; ``slider_name``
    may be a tuple to cycle through sliders (a different field every press: a model
    nobody guessed, built on the spot). ``badge``: wait for the Keras badge between presses (the real page;
    not the floor app, which has none). ``payload`` (or ``None``) counts the bytes each press brought.
    """
    names = slider_name if isinstance(slider_name, tuple) else (slider_name,)
    page.evaluate(KEY_CLOCK_JS)
    times, sizes = [], []
    for k in range(reps):
        before = json.dumps([p["signature"] for p in plots(page)])
        # Streamlit hides the real <input type=range>; its aria-label is the slider's label.
        page.locator(f'input[type=range][aria-label="{names[k % len(names)]}"]').focus()
        if payload:
            payload.bytes = 0
        page.keyboard.press(keys[k % len(keys)])
        page.wait_for_function(CHANGED_JS, arg=[before, PLOTS_JS], polling="raf", timeout=120000)
        times.append(page.evaluate("() => window.__drawnAt - window.__keyAt"))
        if badge:  # a user pauses between moves: let the background Keras check finish (its badge) first
            wait_idle(page)
            page.wait_for_selector("text=max |Δ| vs Keras", timeout=30000)
            wait_idle(page)
        time.sleep(0.2)
        sizes.append(payload.bytes if payload else 0)
    return times, sizes


def open_page(page, url: str) -> Payload:
    payload = Payload(page)
    page.goto(url)
    wait_idle(page, timeout=120)
    time.sleep(2)
    return payload


FLOOR_MS: list[float] = []  # the trivial app's button → chart, measured first in this run (the floor)


def vs_floor(times: list[float]) -> str:
    """`` = r × floor`` (medians), when the floor was measured in this run."""
    return f"  = {statistics.median(times) / statistics.median(FLOOR_MS):.2f} × floor" if FLOOR_MS else ""


def tab_latencies(page, payload: Payload, label: str, tabs: tuple[str, ...], reps: int) -> None:
    for view in tabs:
        page.get_by_role("tab", name=view).click()
        wait_idle(page)
        time.sleep(1)
        times, sizes = press_latency(page, reps, payload)
        print(f"latency (ms), {label}, units key, {view} tab: {summary(times)}; payload max {max(sizes) / 1024:.0f} KB"
              f"{vs_floor(times)}")  # fmt: skip


def part_default(pw, url: str, proc, reps: int) -> None:
    with bench_page(pw) as (page, _errors):
        payload = open_page(page, url)
        print(f"server RSS after first page:                      {rss_mb(proc.pid):8.0f} MB")
        press_latency(page, 2, payload)  # warm-up: first Keras kernels, first tf.function
        times, sizes = press_latency(page, reps, payload)
        print(f"latency (ms), default, units key, cached model:  {summary(times)}" + vs_floor(times))
        print(f"payload per rerun (KB), default config:           median {statistics.median(sizes) / 1024:8.1f}")
        times, _ = press_latency(page, reps, payload, keys=("ArrowRight",))
        print(f"latency (ms), default, units key, next step:     {summary(times)}   (model built ahead)" + vs_floor(times))
        both = ("lstm_1 units", "lstm_2 units")  # up: lstm_2's 8 units would reach the slider's end going down
        times, _ = press_latency(page, reps, payload, slider_name=both, keys=("ArrowRight",))
        print(f"latency (ms), default, units key, new model:     {summary(times)}   (built on the press)" + vs_floor(times))
        page.goto(page.url.split("?")[0])  # back to the default config for the tabs below
        wait_idle(page, timeout=120)
        page.wait_for_selector("text=max |Δ| vs Keras", timeout=30000)
        tab_latencies(page, payload, "default", ("Gate activations", "Hidden-state trajectories"), max(reps // 2, 5))
        page.get_by_role("tab", name="Unrolled graph").click()
        wait_idle(page)
        times, _ = press_latency(
            page, reps, payload, slider_name="sample", keys=("ArrowRight", "ArrowLeft")
        )  # focus only: NumPy and cached figures
        print(f"latency (ms), default, focus 'sample' key press:  {summary(times)}" + vs_floor(times))


def part_largest(pw, url: str, reps: int) -> None:
    with bench_page(pw) as (page, _errors):
        payload = open_page(page, url + LARGEST)
        press_latency(page, 2, payload)
        times, sizes = press_latency(page, reps, payload)
        print(f"latency (ms), largest, units key, cached model:  {summary(times)}" + vs_floor(times))
        kb, kb_max = statistics.median(sizes) / 1024, max(sizes) / 1024
        print(f"payload per rerun (KB), largest, graph tab:       median {kb:8.1f}   max {kb_max:.1f}")
        both = ("lstm_1 units", "lstm_2 units")
        times, _ = press_latency(page, max(reps // 2, 5), payload, slider_name=both, keys=("ArrowLeft",))
        print(f"latency (ms), largest, units key, new model:     {summary(times)}   (built on the press)" + vs_floor(times))
        tab_latencies(page, payload, "largest", ("Gate activations", "Hidden-state trajectories", "Tensor shapes"), 5)


def part_memory(pw, url: str, proc, configs: int) -> None:
    with chromium_page(pw) as (page, _errors):
        open_page(page, url + "/?batch=2")
        page.get_by_role("slider", name="lstm_1 units").focus()
        marks = {}
        for k in range(1, configs + 1):
            before = plots(page)
            page.keyboard.press("ArrowRight")
            wait_for_new_plots(page, before, timeout=120)
            if k in (10, 25, 50, 75, 100) or k == configs:
                wait_idle(page)
                time.sleep(1.5)  # let that config's background check finish
                marks[k] = rss_mb(proc.pid)
        print("server RSS (MB) after N different configs:        " + ", ".join(f"{k}: {v:.0f}" for k, v in marks.items()))


def part_memory_large(pw, url: str, proc, configs: int) -> None:
    """RSS while visiting large models (4 × ~256 units, T 200, F 64, batch 8: ~1.9M parameters, a ~40 MB trace each)."""
    with chromium_page(pw) as (page, _errors):
        open_page(page, url + LARGEST.replace("batch=1", "batch=8"))
        page.get_by_role("slider", name="lstm_4 units").focus()
        marks, peak = {}, 0.0
        for k in range(1, configs + 1):
            before = plots(page)
            page.keyboard.press("ArrowLeft")
            wait_for_new_plots(page, before, timeout=120)
            peak = max(peak, rss_mb(proc.pid))
            if k in (5, 10, 20, 30, 40) or k == configs:
                wait_idle(page)
                time.sleep(3)  # let that config's background check finish
                marks[k] = rss_mb(proc.pid)
                peak = max(peak, marks[k])
        print("server RSS (MB) after N large configs:            " + ", ".join(f"{k}: {v:.0f}" for k, v in marks.items()))
        print(f"server RSS (MB) peak while visiting them:          {peak:8.0f}")


# True once the chart of one view differs from before (other charts, such as a live training curve, may redraw by
# themselves meanwhile); notes when, on the page's clock.
VIEW_CHANGED_JS = """([old, view, js]) => {
    const p = eval(js)().find(p => p.view === view);
    const el = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout.meta && g.layout.meta.view === view);
    const changed = !!p && p.signature !== old && !!el && (el.__afterAt || 0) > window.__keyAt;
    if (changed) window.__drawnAt = performance.now();
    return changed;
}"""
LONG_JOB = "/?task=adding&timesteps=100&units=64&epochs=50&view=gates"  # ~60 s of training on this machine


def view_press_latency(page, reps: int, locator, keys: tuple[str, ...], view: str) -> list[float]:
    """Key press on ``locator`` → the first frame in which the ``view`` chart shows new data, in ms (page clock)."""
    page.evaluate(KEY_CLOCK_JS)
    times = []
    for k in range(reps):
        old = next(p["signature"] for p in plots(page) if p["view"] == view)
        locator.focus()
        page.keyboard.press(keys[k % len(keys)])
        page.wait_for_function(VIEW_CHANGED_JS, arg=[old, view, PLOTS_JS], polling="raf", timeout=120000)
        times.append(page.evaluate("() => window.__drawnAt - window.__keyAt"))
        time.sleep(0.6)  # a learner's pause (the live curve keeps the page busy: no idle wait while a job runs)
    return times


def part_training(pw, url: str, proc, reps: int) -> None:
    """Slider latency for another learner with and without a training job running; the focus slider on the training
    page itself while its job runs; the snapshot scrubber after training; server RSS meanwhile."""
    with bench_page(pw) as (other, _errors):
        payload = open_page(other, url)
        press_latency(other, 2, payload)
        times, _ = press_latency(other, reps, payload)
        print(f"latency (ms), another learner, units key, no job running: {summary(times)}")
        trainer = other.context.browser.new_page(viewport={"width": 1280, "height": 800})  # the same browser
        open_page(trainer, url + LONG_JOB)
        trainer.get_by_role("button", name="Train").click()
        trainer.wait_for_selector("text=Training:", timeout=60000)
        peak = rss_mb(proc.pid)
        times, _ = press_latency(other, reps, payload)
        peak = max(peak, rss_mb(proc.pid))
        print(f"latency (ms), another learner, units key, a job training: {summary(times)}")
        trainer.bring_to_front()
        for tab, view, focus in (("Gate activations", "gates", "unit"), ("Unrolled graph", "unrolled", "sample")):
            trainer.get_by_role("tab", name=tab).click()
            time.sleep(1.5)
            slider = trainer.locator(f'input[type=range][aria-label="{focus}"]')
            times = view_press_latency(trainer, reps, slider, ("ArrowRight", "ArrowLeft"), view)
            peak = max(peak, rss_mb(proc.pid))
            print(f"latency (ms), the training page, focus '{focus}' key, {view} view, its job training: {summary(times)}")
        still = trainer.get_by_text("Training:").count() > 0
        print(f"  (job still training at the end: {still}; server RSS peak meanwhile {peak:.0f} MB)")
        trainer.get_by_role("button", name="Stop").click()
        trainer.goto(url + "/?task=brackets&view=gates")
        wait_idle(trainer, timeout=120)
        trainer.get_by_role("button", name="Train").click()
        trainer.wait_for_selector("text=Trained:", timeout=120000)
        wait_idle(trainer)
        time.sleep(1)
        scrubber = trainer.get_by_role("slider", name="Weights the views show: after training step")
        for tab, view in (("Gate activations", "gates"), ("Unrolled graph", "unrolled")):
            trainer.get_by_role("tab", name=tab).click()
            wait_idle(trainer)
            time.sleep(1)
            times = view_press_latency(trainer, reps, scrubber, ("ArrowLeft", "ArrowRight"), view)
            print(f"latency (ms), snapshot scrubber key, {view} view:     {summary(times)}")
        print(f"server RSS after the training part:                {rss_mb(proc.pid):8.0f} MB")


def part_ready(pw, reps: int) -> None:
    """A fresh replica's first visitor, arriving the moment the replica says it is ready: plain ``streamlit run``
    (ready = ``/_stcore/health``) against the container's launcher (ready = health and TensorFlow imported,
    ``explorer.ui.health``). Times: server start → ready, and ready → the graph coloured from the live model."""
    import tempfile

    for launcher in ("streamlit", "explorer.ui.serve"):
        to_ready, to_page = [], []
        for _ in range(reps):
            ready_file = Path(tempfile.mkdtemp()) / "ready"
            env = {"LSTM_EXPLORER_READY_FILE": str(ready_file)}
            with chromium_page(pw) as (page, _e), streamlit_server(launcher=launcher, env=env) as (url, _p, started):
                while launcher != "streamlit" and not ready_file.exists():
                    time.sleep(0.05)
                ready_at = time.perf_counter()
                to_ready.append(ready_at - started)
                page.goto(url)
                page.wait_for_function(COLOURED_GRAPH_JS, timeout=120000, polling=20)
                to_page.append(time.perf_counter() - ready_at)
        print(f"fresh replica, {launcher}: start → ready (s)          {summary(to_ready)}")
        print(f"fresh replica, {launcher}: ready → coloured graph (s) {summary(to_page)}")


CELL_TEXT_JS = """() => { const gd = [...document.querySelectorAll('.js-plotly-plot')]
    .find(g => g.layout.meta && g.layout.meta.view === 'cell');
    return gd ? gd.data.find(t => t.name === 'numbers').text.join(' ') : ''; }"""


def frame_rate(page, view: str, seconds: float) -> str:
    """Press ▶ on a view's time player: frame-to-frame interval (ms) and frames/s, as the browser showed them."""
    frames = play_frames(page, view, seconds)
    times = [t for _, t in frames]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    if not gaps:
        return f"{len(frames)} frame(s): nothing to play"
    rate = (len(times) - 1) / ((times[-1] - times[0]) / 1000)
    return f"{rate:5.1f} frames/s, frame-to-frame {summary(gaps)} ms (paced at {1000 / FRAME_MS:.1f}/s)"


TRIVIAL_TITLE_JS = """() => { const gd = document.querySelector('.js-plotly-plot'); return gd ? gd.layout.title.text : ''; }"""


def floor_press(pw, reps: int, *, drawn: bool = True) -> list[float]:
    """The floor: a key press on the slider → its small chart redrawn, in a trivial one-slider Streamlit app.

    ``drawn``: timed as the real page's key presses are (`press_latency`: page clock, until the chart has
    finished drawing); else from Playwright's key press to the new title in the chart (how the cell view's
    clicks are timed).
    """
    with bench_page(pw) as (page, _errors), streamlit_server(script=Path(__file__).with_name("trivial_app.py")) as (url, *_):
        page.goto(url)
        page.wait_for_selector(".js-plotly-plot", timeout=60000)
        if drawn:
            return press_latency(page, reps, None, slider_name="value", badge=False)[0]
        times = []
        for k in range(reps):
            before = page.evaluate(TRIVIAL_TITLE_JS)
            page.locator('input[type=range][aria-label="value"]').focus()
            start = time.perf_counter()
            page.keyboard.press(("ArrowLeft", "ArrowRight")[k % 2])
            page.wait_for_function(f"() => ({TRIVIAL_TITLE_JS})() !== {json.dumps(before)}", timeout=30000, polling=10)
            times.append(1000 * (time.perf_counter() - start))
            time.sleep(0.2)
    return times


def part_cell(pw, url: str, reps: int) -> None:
    """The cell view: a click on a graph cell → the cell view showing that cell; the ◀ / ▶ buttons (a server rerun
    per step), both against the floor (a trivial app's button → chart); and the time players' frame rate in the
    browser at the default and the largest config."""
    floor = floor_press(pw, reps, drawn=False)
    print(f"floor: trivial app, button → chart title (ms)      {summary(floor)}")
    with bench_page(pw) as (page, _errors):
        page.goto(url + "/?units=16,8&timesteps=12")
        wait_idle(page, timeout=120)
        clicks = []
        for k in range(reps):
            layer, step = k % 2, 1 + (3 * k) % 12
            if k:  # back to the graph (not timed)
                page.get_by_role("tab", name="Unrolled graph").click()
                wait_idle(page)
                time.sleep(0.3)
            start = time.perf_counter()
            click_data_point(page, "unrolled", step - 1, layer + 1)
            page.wait_for_function(
                f"() => ({CELL_TEXT_JS})().includes('of lstm_{layer + 1} at input step t = {step}')", timeout=60000, polling=10
            )
            clicks.append(1000 * (time.perf_counter() - start))
        ratio = statistics.median(clicks) / statistics.median(floor)
        print(f"default: click a graph cell → cell view (ms)       {summary(clicks)}  = {ratio:.2f} × floor")
        presses = []
        for k in range(reps):
            label = "step t + 1 ▶" if k % 2 == 0 else "◀ step t − 1"
            before = page.evaluate(CELL_TEXT_JS)
            start = time.perf_counter()
            page.get_by_role("button", name=label).click()
            page.wait_for_function(f"() => ({CELL_TEXT_JS})() !== {json.dumps(before)}", timeout=60000, polling=10)
            presses.append(1000 * (time.perf_counter() - start))
        ratio = statistics.median(presses) / statistics.median(floor)
        print(f"default: ◀ / ▶ step button → cell view (ms)        {summary(presses)}  = {ratio:.2f} × floor")
    for name, query in (("default", "/?"), ("largest", LARGEST + "&")):
        for view, tab in (("cell", "cell"), ("unrolled", "graph"), ("gates", "gates"), ("trajectories", "trajectories")):
            with chromium_page(pw) as (page, _errors):
                page.goto(url + query + f"view={tab}")
                wait_idle(page, timeout=180)
                time.sleep(1)
                print(f"{name}: {view} player: {frame_rate(page, view, 4.0)}")


def figure_floor_press(pw, query: str, kind: str, reps: int, *, controls: bool = False) -> list[float]:
    """Key presses in `figure_floor_app.py` showing the page's ``kind`` figures for ``query`` (``controls``: inside the
    page's skeleton of controls), timed as the page's are."""
    app = Path(__file__).with_name("figure_floor_app.py")
    env = {"FIGURE_FLOOR_CONTROLS": "1"} if controls else {}
    with bench_page(pw) as (page, _errors), streamlit_server(script=app, env=env) as (floor_url, *_):
        page.goto(floor_url + query + f"view={kind}")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120000)
        time.sleep(2)
        press_latency(page, 2, None, badge=False)
        return press_latency(page, reps, None, badge=False)[0]


def part_figures(pw, url: str, reps: int) -> None:
    """The figure floor: a units key press in an app that shows the page's own figures for that view, made at its start
    (`figure_floor_app.py`: what Streamlit and Plotly alone cost to draw those charts), then the same inside the
    page's skeleton of controls (`page_controls.py`), beside the real page's press on the same view and the same two
    models (cached); all against the trivial app's floor."""
    for name, query in (("default", "/?"), ("largest", LARGEST + "&")):
        for kind in ("graph", "gates", "trajectories"):
            figure_floor = figure_floor_press(pw, query, kind, reps)
            with_controls = figure_floor_press(pw, query, kind, reps, controls=True)
            with bench_page(pw) as (page, _errors):
                payload = open_page(page, url + query + f"view={kind}")
                press_latency(page, 2, payload)
                real = press_latency(page, reps, payload)[0]
            share = statistics.median(with_controls) / statistics.median(real)
            print(f"{name}, {kind}: figure floor (ms)       {summary(figure_floor)}{vs_floor(figure_floor)}")
            print(f"{name}, {kind}: + the page's controls   {summary(with_controls)}{vs_floor(with_controls)}")
            print(f"{name}, {kind}: the page (ms)           {summary(real)}{vs_floor(real)}; "
                  f"the floor with controls is {share:.0%} of it")  # fmt: skip


REAL_BIDIRECTIONAL = "/?input=tokens&vocab=20000&embed_dim=128&units=64,64&return_sequences=1,0&timesteps=200&bidirectional=1,1"
SAME_SIZED_PLAIN = "/?features=128&units=64,64&return_sequences=1,0&timesteps=200"


def part_real(pw, url: str, reps: int) -> None:
    """A real model the sliders build (Embedding 20,000 × 128 → Bidirectional(LSTM 64) × 2, T = 200) beside the
    same-sized plain stack (LSTM 64 × 2 on (200, 128)): key press → charts, for models seen before and new ones (a step
    up of lstm_1's units each press; each page builds the next model ahead, and the real one its figures too).

    Both pages stay open and their presses alternate, one on each in turn, so a machine that slows down for a while
    slows both: the ratio compares presses made seconds apart (measured one after the other, a minute apart, it
    ranged 1.23–1.81× from run to run).
    """
    pages = {"plain 2×64, F=128, T=200": SAME_SIZED_PLAIN, "Embedding + Bidirectional 2×64": REAL_BIDIRECTIONAL}
    with contextlib.ExitStack() as stack:
        opened = {}
        for label, query in pages.items():
            page, _errors = stack.enter_context(bench_page(pw))
            payload = open_page(page, url + query)
            page.wait_for_selector("text=max |Δ| vs Keras", timeout=60000)
            press_latency(page, 2, payload)  # warm-up
            opened[label] = (page, payload)
        times = {label: {"cached": [], "new": []} for label in pages}
        sizes = {label: [] for label in pages}
        for k in range(reps):  # lstm_1 only: the LSTM shown is lstm_1's (or its forward direction)
            for label, (page, payload) in opened.items():
                t, b = press_latency(page, 1, payload, keys=(("ArrowLeft", "ArrowRight")[k % 2],))
                times[label]["cached"] += t
                sizes[label] += b
        for _k in range(max(reps // 2, 5)):
            for label, (page, payload) in opened.items():
                times[label]["new"] += press_latency(page, 1, payload, keys=("ArrowRight",))[0]
    for label in pages:
        cached, new = times[label]["cached"], times[label]["new"]
        kb = statistics.median(sizes[label]) / 1024
        print(f"latency (ms), {label}, cached model: {summary(cached)}{vs_floor(cached)}; payload {kb:.0f} KB")
        print(f"latency (ms), {label}, new model:    {summary(new)}{vs_floor(new)}")
    (plain, real) = times.values()
    for kind in ("cached", "new"):
        ratio = statistics.median(real[kind]) / statistics.median(plain[kind])
        pairs = sorted(r / p for r, p in zip(real[kind], plain[kind], strict=True))
        low, high = pairs[len(pairs) // 4], pairs[3 * len(pairs) // 4]
        print(f"real / plain, {kind} model (medians): {ratio:.2f}× (target ≤ 1.5×); press by press: median "
              f"{statistics.median(pairs):.2f}×, middle half {low:.2f}–{high:.2f}×")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--cold-reps", type=int, default=20)
    parser.add_argument("--configs", type=int, default=100)
    parser.add_argument("--large-configs", type=int, default=30)
    parser.add_argument(
        "--parts",
        default="cold,default,largest,memory,memory-large,training,ready,cell",
        help="comma-separated subset to run",
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(f"machine: {platform.machine()}, 2 cores (nproc), Python {platform.python_version()}, Chromium headless")
    with sync_playwright() as pw:
        if "cold" in parts:
            first, full = cold_start(pw, args.cold_reps)
            print(f"cold start (s), server start → first paint:       {summary(first)}")
            print(f"cold start (s), server start → coloured graph:    {summary(full)}")
        if parts & {"default", "largest", "figures", "real"}:
            FLOOR_MS.extend(floor_press(pw, args.reps))
            print(f"floor: trivial app, slider → chart (ms)            {summary(FLOOR_MS)}")
        with streamlit_server() as (url, proc, _started):
            print(f"server RSS right after start:                     {rss_mb(proc.pid):8.0f} MB")
            if "default" in parts:
                part_default(pw, url, proc, args.reps)
            if "largest" in parts:
                part_largest(pw, url, args.reps)
            if "memory" in parts:
                part_memory(pw, url, proc, args.configs)
            if "training" in parts:
                part_training(pw, url, proc, args.reps)
            if "cell" in parts:
                part_cell(pw, url, args.reps)
            if "figures" in parts:
                part_figures(pw, url, args.reps)
            if "real" in parts:
                part_real(pw, url, args.reps)
        if "ready" in parts:
            part_ready(pw, max(args.cold_reps // 2, 3))
        if "memory-large" in parts:
            with streamlit_server() as (url, proc, _started):  # a fresh server: large models only
                part_memory_large(pw, url, proc, args.large_configs)


if __name__ == "__main__":
    main()
