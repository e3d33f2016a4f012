"""Start the real app and a real browser (Debian's Chromium), for end-to-end tests and benchmarks.

No browser is ever downloaded: Playwright drives ``/usr/bin/chromium`` through
``executable_path``. `streamlit_server` starts ``streamlit run app.py`` on a
free loopback port and always stops it (its whole process group), however the
``with`` block ends.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = ROOT / "artifacts"  # screenshots for a person to look at (git-ignored)


def chromium_path() -> str | None:
    """Path of Debian's Chromium, or None when it is not installed."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    return path if path and os.access(path, os.X_OK) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(
    *extra_args: str,
    startup_timeout: float = 90,
    launcher: str = "streamlit",
    env: dict | None = None,
    script: Path | None = None,
):
    """Run ``streamlit run app.py`` (or ``script``) on a free loopback port; yields ``(url, process, started_at)``.

    ``launcher``: the module run with ``python -m`` (``explorer.ui.serve``: the container's, which imports
    TensorFlow at start); ``env``: extra environment variables.
    """
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115 (closed in finally)
    cmd = [sys.executable, "-m", launcher, "run", str(script or ROOT / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", *extra_args]  # fmt: skip
    started_at = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **(env or {})}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + startup_timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"streamlit exited early:\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise TimeoutError("streamlit did not answer its health check")
            time.sleep(0.2)
        yield url, proc, started_at
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@contextmanager
def chromium_page(playwright, *, width: int = 1280, height: int = 800):
    """A fresh headless Chromium page; yields ``(page, console_errors)``."""
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
    try:
        page = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield page, errors
    finally:
        browser.close()


# JavaScript run in the page: what each Plotly chart currently shows.
FINITE_JS = """z => { let n = 0;  // finite values in a heatmap's z (rows of numbers, or typed arrays)
    for (const row of (z && z[Symbol.iterator] ? z : [])) {
        if (row && row[Symbol.iterator]) { for (const v of row) if (Number.isFinite(v)) n++; }
        else if (Number.isFinite(row)) n++;
    }
    return n; }"""
PLOTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
    // _fullData holds the decoded arrays (typed arrays arrive base64-encoded in el.data).
    view: el.layout && el.layout.meta ? el.layout.meta.view : null,
    title: el.layout && el.layout.title ? el.layout.title.text : null,
    traces: (el._fullData || []).map(t => ({type: t.type, name: t.name,
        rows: t.z ? t.z.length : null, cols: t.z && t.z[0] ? t.z[0].length : null,
        n: t.x ? t.x.length : null, values: t.z ? (FINITE)(t.z) : null})),  // values: finite z
    annotations: (el.layout.annotations || []).map(a => a.text),
    signature: (() => {  // FNV-1a hash of everything drawn: any change to data, annotations or title shows
        const text = JSON.stringify([el.data, el.layout.annotations, el.layout.title, el.layout.shapes]);
        let h = 0x811c9dc5;
        for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193); }
        return text.length + ':' + (h >>> 0);
    })(),
}))""".replace("FINITE", FINITE_JS)


def plots(page) -> list[dict]:
    """The Plotly charts on the page, read from the plots' own ``data`` and ``layout``."""
    return page.evaluate(PLOTS_JS)


def wait_idle(page, timeout: float = 60, *, charts: bool = True) -> None:
    """Wait until the page is up (past the first paint), Streamlit is not running a script and (with
    ``charts``) at least one chart is drawn."""
    page.wait_for_selector("[role=tab]", timeout=timeout * 1000)  # the first paint has no tabs
    if charts:
        page.wait_for_selector(".js-plotly-plot", timeout=timeout * 1000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]') ||"
        " !document.querySelector('[data-testid=stStatusWidget]').innerText.includes('Running')",
        timeout=timeout * 1000,
    )


def wait_for_new_plots(page, before: list[dict], *, timeout: float = 60) -> list[dict]:
    """Wait until every chart differs from ``before`` (same count); returns the new state."""
    old = json.dumps([p["signature"] for p in before])
    page.wait_for_function(
        """([old, js]) => {
            const now = eval(js)();
            const sigs = JSON.parse(old);
            return now.length === sigs.length && now.every((p, i) => p.signature !== sigs[i]);
        }""",
        arg=[old, PLOTS_JS],
        timeout=timeout * 1000,
        polling=16,
    )
    return plots(page)


def click_data_point(page, view: str, x: float, y: float) -> None:
    """Click chart ``view`` (its ``layout.meta.view``) at data coordinates ``(x, y)`` of its first axes."""
    position = page.evaluate(
        """([view, x, y]) => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout.meta && g.layout.meta.view === view);
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
            return [box.left + xa.l2p(x), box.top + ya.l2p(y)];
        }""",
        [view, x, y],
    )
    page.mouse.click(*position)


def play_frames(page, view: str, seconds: float) -> list[tuple[str, float]]:
    """Press ▶ on chart ``view``'s time player; returns ``(frame name, ms)`` for every frame shown in ``seconds``."""
    page.evaluate(
        """view => { const gd = [...document.querySelectorAll('.js-plotly-plot')]
            .find(g => g.layout.meta && g.layout.meta.view === view);
            window.__frames = []; gd.on('plotly_animatingframe', e => window.__frames.push([e.name, performance.now()])); }""",
        view,
    )
    chart = page.locator(".js-plotly-plot").filter(has=page.locator(".updatemenu-button")).first
    chart.scroll_into_view_if_needed()
    chart.locator(".updatemenu-button").first.click()
    time.sleep(seconds)
    return [tuple(f) for f in page.evaluate("window.__frames")]
