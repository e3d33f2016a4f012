"""A class on one server: N simulated learners speaking Streamlit's protocol (benchmarks/load_client.py).

Run: ``python benchmarks/bench_load.py [--users 1,10,30] [--seconds 120] [--think 2,8] [--train 0]``.
Prints, per user count and interaction: count, p50 / p95 / max seconds from send to ``script_finished``,
errors (exceptions shown, timeouts > 30 s, closed sockets), fragment runs, and the server's peak RSS; then
the same load against a trivial one-slider app started by this run (the floor). Asserts nothing.

``--profile FILE`` records the app's server with ``py-spy record --gil`` during each class run (FILE, then FILE.2
… per user count) and prints which functions held the GIL (`gil_profile.py`).

``--element-floor`` adds a third run: the trivial app drawing as many elements as the real page sent per slider
move (one-line captions, no work behind them). It splits the ratio to the floor into what Streamlit costs per
element sent and what the page's own work costs. ``--control-floor`` adds another: the trivial app's slider and chart
inside the page's own skeleton (`page_controls.py`: the page's 36 controls, header, metrics, tabs and downloads, no
work behind them), what Streamlit costs a page with these controls.

Each learner opens a link from a realistic mix (views, stacked configs, long sequences, now and then the
largest config, a task), then every ``think`` seconds (uniform) moves a model slider (``lstm_1 units``,
``timesteps``) or a focus slider (``step``, ``sample``) by one, as an arrow key does; ``--train`` is the
share of learners who press *Train* once.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gil_profile import GilRecording, summary
from load_client import Learner, RunResult
from timing import p95

from tests.browser_harness import streamlit_server

LINKS = [  # (query, weight)
    ("", 6),
    ("view=gates", 4),
    ("view=trajectories", 2),
    ("view=cell&step=4", 3),
    ("units=32,16&return_sequences=1,0&timesteps=30", 3),
    ("units=64,32,16&return_sequences=1,1,0&timesteps=50&view=gates", 2),
    ("units=128&timesteps=100&features=16", 1),
    ("units=256,256,256,256&return_sequences=1,1,1,0&timesteps=200&features=64&batch=1", 1),
    ("task=brackets&view=gates", 2),
]
MOVES = [("units_1", 1, 256, 4), ("timesteps", 1, 200, 2), ("step", 1, 200, 3), ("sample", 0, 7, 1)]  # key, lo, hi, weight
FOCUS_KEYS = {"step", "sample"}


def rss_mb(pid: int) -> float:
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except FileNotFoundError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


class Peak:
    """The server's peak RSS, sampled every 0.5 s on a thread (``samples``: (seconds since start, MB))."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self.samples: list[tuple[float, float]] = []
        self._start = time.perf_counter()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            mb = rss_mb(self.pid)
            self.peak = max(self.peak, mb)
            self.samples.append((time.perf_counter() - self._start, mb))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


async def learner(url: str, seconds: float, think: tuple[float, float], trains: bool, trivial: bool, rng: random.Random):
    query = "" if trivial else rng.choices([q for q, _ in LINKS], weights=[w for _, w in LINKS])[0]
    if trains:  # each its own run (its own training seed): the shared cache of finished runs does not help
        query = f"task=brackets&view=gates&train_seed={rng.randrange(1, 10**6)}"
    user = Learner(url, query)
    end = time.perf_counter() + seconds
    try:
        await user.open()
        trained = False
        while time.perf_counter() < end:
            await asyncio.sleep(rng.uniform(*think))
            if trivial:
                current = user.slider_values.get("value", 500)
                await user.set_slider("value", min(max(current + rng.choice((-1, 1)), 0), 1000), kind="slider")
                continue
            if trains and not trained and user.widget_ids.get("Train"):
                trained = True
                await user.press("Train", kind="train")
                continue
            key, lo, hi, _ = rng.choices(MOVES, weights=[m[3] for m in MOVES])[0]
            current = user.slider_values.get(key)
            if current is None:
                continue
            lo, hi = user.slider_bounds.get(key, (lo, hi))  # the slider's own range (a step slider ends at T)
            value = min(max(current + rng.choice((-1, 1)), lo), hi)
            if value == current:  # a key press at the slider's end: the browser sends nothing
                continue
            await user.set_slider(key, value, kind="focus" if key in FOCUS_KEYS else "slider")
    except (OSError, Exception) as err:  # a closed socket or a protocol failure is an error, not a crash
        user.results.append(RunResult("connection", 0.0, False))
        print(f"  learner error: {type(err).__name__}: {err}", file=sys.stderr)
    finally:
        await user.close()
    return user


def report(users: list[Learner], label: str) -> dict[str, list[float]]:
    by_kind: dict[str, list[RunResult]] = defaultdict(list)
    for u in users:
        for r in u.results:
            by_kind[r.kind].append(r)
    out = {}
    for kind, results in sorted(by_kind.items()):
        times = sorted(r.seconds for r in results if r.ok)
        errors = sum(not r.ok for r in results)
        fragments = sum(r.fragment for r in results)
        answered = f"  (a fragment run answered {fragments})" if fragments else ""
        if times:
            print(f"  {label:<10} {kind:<10} n={len(results):4d}  p50 {statistics.median(times):6.2f}  p95 {p95(times):6.2f}"
                  f"  max {times[-1]:6.2f} s  errors {errors}{answered}")  # fmt: skip
        else:
            print(f"  {label:<10} {kind:<10} n={len(results):4d}  errors {errors}")
        out[kind] = times
    print(f"  {label:<10} fragment runs {sum(u.fragment_runs for u in users)}")
    by_link_report(users, label)
    trainers = [u for u in users if "train_seed=" in u.query]
    if trainers:
        done = sum("Trained" in u.training_states for u in trainers)
        seen = sum(bool(u.training_states) for u in trainers)
        print(f"  {label:<10} trainers {len(trainers)}: {seen} saw their job's status, {done} saw it finish")
    return out


def by_link_report(users: list[Learner], label: str) -> None:
    """Slider moves per opened link: which configurations make the tail."""
    by_link: dict[str, list[float]] = defaultdict(list)
    for u in users:
        by_link[u.query.split("&train_seed=")[0] or "(default)"] += [r.seconds for r in u.results if r.kind == "slider" and r.ok]
    for link, times in sorted(by_link.items(), key=lambda kv: -len(kv[1])):
        if times:
            times.sort()
            print(f"  {label:<10}   slider n={len(times):4d}  p50 {statistics.median(times):5.2f}  p95 {p95(times):5.2f}"
                  f"  max {times[-1]:5.2f} s  {link[:70]}")  # fmt: skip


async def class_run(url: str, n: int, seconds: float, think, train_share: float, trivial: bool, seed: int):
    rng = random.Random(seed)
    tasks = []
    for k in range(n):
        await asyncio.sleep(rng.uniform(0, 0.3))  # a room opening the link, not one instant
        trains = not trivial and k < round(train_share * n)
        tasks.append(asyncio.create_task(learner(url, seconds, think, trains, trivial, random.Random(seed + k))))
    return await asyncio.gather(*tasks)


def messages_per_move(users: list[Learner]) -> float:
    """Mean messages the server sent per slider move (elements, blocks and the run's own messages)."""
    counts = [r.messages for u in users for r in u.results if r.kind == "slider" and r.ok]
    return statistics.fmean(counts) if counts else 0.0


# The functions a profile's summary always shows (the page's parts, the background work), besides the top ones.
PROFILED = ("_render", "sidebar_controls", "header", "focused_view", "keras_badge", "downloads", "_build_bundle",
            "build_model", "keras_differences", "_build_ahead", "show_chart", "ScriptRunContext.enqueue")  # fmt: skip


def run(
    n: int,
    seconds: float,
    think,
    train_share: float,
    trivial: bool,
    extra_elements: int = 0,
    profile: Path | None = None,
    controls: bool = False,
) -> tuple[dict, float, float]:
    """One class run; returns (times by interaction, peak RSS in MB, mean messages per slider move).

    ``profile``: record the server's GIL holders into this file while the class runs, and print the summary.
    """
    script = Path(__file__).with_name("trivial_app.py") if trivial else None
    env = {"TRIVIAL_APP_ELEMENTS": str(extra_elements), **({"TRIVIAL_APP_CONTROLS": "1"} if controls else {})}
    with streamlit_server(script=script, env=env) as (url, proc, _):
        if not trivial:  # warm the server (TensorFlow imported) as a lecture's first minute would
            asyncio.run(class_run(url, 1, 1, (1, 1), 0, False, 0))
        peak = Peak(proc.pid)
        recording = GilRecording(proc.pid, profile) if profile else None
        users = asyncio.run(class_run(url, n, seconds, think, train_share, trivial, seed=n))
        said = recording.stop() if recording else ""
        rss = peak.stop()
    if recording:
        print(f"  GIL holders ×{n} (share of the samples taken while the GIL was held; {profile}):")
        lines = summary(profile.read_text(), of=PROFILED) if profile.exists() else [said.strip()[-300:]]
        for line in lines:
            print("    " + line)
    kind = "trivial+controls" if controls else "trivial+" if extra_elements else "trivial"
    label = f"{kind if trivial else 'explorer'} ×{n}"
    times = report(users, label)
    sent = messages_per_move(users)
    print(f"  {label:<10} server peak RSS {rss:.0f} MB; {sent:.0f} messages per slider move")
    if seconds >= 600:  # a soak: does memory level off?
        soak_report(peak.samples, label)
    return times, rss, sent


def soak_report(samples: list[tuple[float, float]], label: str) -> None:
    """RSS every 5 minutes, and the peak of each half of the run: memory that levels off has equal halves."""
    marks = [max((mb for t, mb in samples if t <= m), default=0.0) for m in range(300, int(samples[-1][0]) + 1, 300)]
    print(f"  {label:<10} peak RSS by 5-minute mark: " + ", ".join(f"{mb:.0f}" for mb in marks) + " MB")
    half = samples[-1][0] / 2
    first = max(mb for t, mb in samples if t <= half)
    second = max(mb for t, mb in samples if t > half)
    last = [mb for t, mb in samples if t > samples[-1][0] - 300]
    print(f"  {label:<10} peak RSS first half {first:.0f} MB, second half {second:.0f} MB "
          f"({second - first:+.0f} MB); mean of the last 5 minutes {statistics.fmean(last):.0f} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", default="1,10,30")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", default="2,8", help="seconds between moves: lo,hi")
    parser.add_argument("--train", type=float, default=0.0, help="share of learners who press Train once")
    parser.add_argument("--no-floor", action="store_true", help="skip the trivial app's run")
    parser.add_argument("--profile", type=Path, help="py-spy --gil recording of the app's server (a file per user count)")
    parser.add_argument(
        "--element-floor", action="store_true", help="also run the trivial app drawing as many elements as the page sent"
    )
    parser.add_argument(
        "--control-floor", action="store_true", help="also run the trivial app inside the page's skeleton of controls"
    )
    args = parser.parse_args()
    think = tuple(float(v) for v in args.think.split(","))
    print(f"{args.seconds:.0f} s per run, think {think[0]}–{think[1]} s, train share {args.train}")
    for k, n in enumerate(int(v) for v in args.users.split(",")):
        profile = args.profile and (args.profile if not k else args.profile.with_name(f"{args.profile.name}.{k + 1}"))
        times, _, sent = run(n, args.seconds, think, args.train, trivial=False, profile=profile)
        if args.no_floor or not times.get("slider"):
            continue
        floor, _, floor_sent = run(n, args.seconds, think, 0, trivial=True)
        if floor.get("slider"):
            print(f"  ×{n}: slider p95 = {p95(times['slider']) / p95(floor['slider']):.1f} × the trivial app's p95")
        if args.element_floor:
            extra = max(round(sent - floor_sent), 0)
            elements, _, _ = run(n, args.seconds, think, 0, trivial=True, extra_elements=extra)
            if floor.get("slider") and elements.get("slider"):
                print(f"  ×{n}: the trivial app with {extra} more elements: slider p95 = "
                      f"{p95(elements['slider']) / p95(floor['slider']):.1f} × the trivial app's; the page = "
                      f"{p95(times['slider']) / p95(elements['slider']):.1f} × this element floor")  # fmt: skip
        if args.control_floor:
            controls, _, controls_sent = run(n, args.seconds, think, 0, trivial=True, controls=True)
            if floor.get("slider") and controls.get("slider"):
                print(f"  ×{n}: the trivial app in the page's skeleton ({controls_sent:.0f} messages per move): slider p95 = "
                      f"{p95(controls['slider']) / p95(floor['slider']):.1f} × the trivial app's; the page = "
                      f"{p95(times['slider']) / p95(controls['slider']):.1f} × this control floor")  # fmt: skip


if __name__ == "__main__":
    main()
