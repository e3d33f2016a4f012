"""Abuse of the expensive paths, beside a class: does anyone make the others wait more than their share?

Run: ``python benchmarks/bench_abuse.py [--learners 20] [--seconds 120]``. Two runs on fresh servers, the same
learners (the load mix of ``bench_load.py``: a link, then a slider move every 2–8 s) in both:

1. the class alone (the baseline);
2. the class beside abusers: *tabs* of one browser each pressing *Train* on a run of its own and pressing it
   again whenever the button is back; *largest* sessions that open the largest config with the largest batch
   (4 × 256, T = 200, F = 64, batch 8) on one view after another, a new session each time; *rapid-fire* sessions
   that move the ``timesteps`` slider as fast as the server answers; *uploaders* that upload one model file after
   another as fast as the server answers, the hostile corpus (``tests/corpus/make_hostile.py``: the zip bomb, the
   declared-huge layers, the HDF5 tricks) mixed with good models.

Prints, per run, the learners' slider and focus p50 / p95 / max and errors, what each kind of abuser got done,
and the server's peak RSS (and the fenced loader's, which serves the uploads); then the learners' p95 beside
abuse ÷ alone. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "corpus"))

from bench_load import PROFILED, Peak, learner, report
from gil_profile import GilRecording, summary
from load_client import Learner, RunResult
from timing import p95

from tests.browser_harness import streamlit_server

LARGEST = "units=256,256,256,256&return_sequences=1,1,1,0&timesteps=200&features=64&batch=8"
VIEWS = ("graph", "gates", "trajectories", "cell", "shapes", "questions&q=arguments", "training")


def failed(user: Learner, who: str, err: Exception) -> None:
    """An abuser's failure is counted (a closed socket, a protocol error), not fatal."""
    user.results.append(RunResult("connection", 0.0, False))
    print(f"  {who} error: {type(err).__name__}: {err}", file=sys.stderr)


async def tab_training(url: str, seconds: float, rng: random.Random) -> Learner:
    """One tab pressing Train on its own run, and again whenever the button is back (a new seed each time)."""
    user = Learner(url, f"task=brackets&view=gates&train_seed={rng.randrange(1, 10**6)}")
    end = time.perf_counter() + seconds
    try:
        await user.open()
        while time.perf_counter() < end:
            await asyncio.sleep(1.0)
            if user.widget_ids.get("Train"):
                await user.press("Train", kind="train")
            else:
                await user._run("poll", user._rerun_msg())  # the page's own refresh while a job runs
    except Exception as err:
        failed(user, "tab", err)
    finally:
        await user.close()
    return user


async def largest_everywhere(url: str, seconds: float, rng: random.Random) -> list[Learner]:
    """A new session on the largest config, largest batch, one view after another."""
    sessions, end, k = [], time.perf_counter() + seconds, rng.randrange(len(VIEWS))
    while time.perf_counter() < end:
        user = Learner(url, f"{LARGEST}&view={VIEWS[k % len(VIEWS)]}")
        try:
            await user.open()
        except Exception as err:
            failed(user, "largest", err)
        finally:
            await user.close()
        sessions.append(user)
        k += 1
    return sessions


async def rapid_fire(url: str, seconds: float, rng: random.Random) -> Learner:
    """The ``timesteps`` slider moved as fast as the server answers (a key held down)."""
    user = Learner(url, "view=gates")
    end = time.perf_counter() + seconds
    try:
        await user.open()
        direction = 1
        while time.perf_counter() < end:
            current = user.slider_values.get("timesteps", 12)
            if not 2 <= current + direction <= 199:
                direction = -direction
            await user.set_slider("timesteps", current + direction, kind="rapid")
    except Exception as err:
        failed(user, "rapid", err)
    finally:
        await user.close()
    return user


UPLOADS: list[tuple[str, bytes]] = []  # (name, bytes): the hostile corpus and good models, made once by main()


def upload_corpus() -> list[tuple[str, bytes]]:
    from make_hostile import write_hostile

    corpus = Path(__file__).resolve().parents[1] / "tests" / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        write_hostile(Path(tmp))
        files = [(p.name, p.read_bytes()) for p in sorted(Path(tmp).iterdir()) if not p.name.startswith("_")]
    return files + [(name, (corpus / name).read_bytes()) for name in ("good_stack.keras", "keras2_style.h5", "lambda.keras")]


async def uploader(url: str, seconds: float, rng: random.Random) -> Learner:
    """One session uploading model files one after another, as fast as the server answers, never deleting one (a
    browser deletes the file it replaces; a script need not)."""
    user = Learner(url, "view=graph")
    end = time.perf_counter() + seconds
    try:
        await user.open()
        while time.perf_counter() < end:
            name, data = rng.choice(UPLOADS)
            await user.upload("model_file", name, data, delete_previous=False)
    except Exception as err:
        failed(user, "uploader", err)
    finally:
        await user.close()
    return user


async def room(url: str, learners: int, seconds: float, tabs: int, largest: int, rapid: int, uploaders: int = 0):
    rng = random.Random(7)
    class_tasks = []
    for k in range(learners):
        await asyncio.sleep(rng.uniform(0, 0.3))
        class_tasks.append(asyncio.create_task(learner(url, seconds, (2, 8), False, False, random.Random(1000 + k))))
    abusers = [asyncio.create_task(tab_training(url, seconds, random.Random(2000 + k))) for k in range(tabs)]
    abusers += [asyncio.create_task(largest_everywhere(url, seconds, random.Random(3000 + k))) for k in range(largest)]
    abusers += [asyncio.create_task(rapid_fire(url, seconds, random.Random(4000 + k))) for k in range(rapid)]
    abusers += [asyncio.create_task(uploader(url, seconds, random.Random(5000 + k))) for k in range(uploaders)]
    return await asyncio.gather(*class_tasks), await asyncio.gather(*abusers)


def run(learners: int, seconds: float, tabs: int, largest: int, rapid: int, label: str, uploaders: int = 0, profile=None):
    with streamlit_server() as (url, proc, _):
        asyncio.run(room(url, 1, 1, 0, 0, 0))  # warm: TensorFlow imported, as in a lecture's first minute
        peak = Peak(proc.pid)
        recording = GilRecording(proc.pid, profile) if profile else None
        class_users, abusers = asyncio.run(room(url, learners, seconds, tabs, largest, rapid, uploaders))
        rss = peak.stop()
        if recording is not None:
            said = recording.stop()
            lines = summary(profile.read_text(), of=PROFILED) if profile.exists() else [said.strip()[-300:]]
            print(f"  {label:<10} GIL holders ({profile}):", *lines, sep="\n    ")
    times = report(class_users, label)
    flat = [u for a in abusers for u in (a if isinstance(a, list) else [a])]
    if flat:
        report(flat, "abusers")
        trained = sum(bool(u.training_states) for u in flat if "train_seed" in u.query)
        opened = sum(1 for u in flat if u.query.startswith(LARGEST) and any(r.ok for r in u.results))
        print(f"  abusers    tabs that saw a job's status: {trained}/{tabs}; largest-config sessions opened: {opened}")
        uploads = [r for u in flat for r in u.results if r.kind == "upload"]
        said = [a for u in flat if u.query == "view=graph" for a in u.alerts]
        if uploads:
            limited, busy = (sum(words in a for a in said) for words in ("upload the next one in", "other files right now"))
            print(f"  uploaders  {len(uploads)} uploads answered, {sum(not r.ok for r in uploads)} errors; refusals seen: "
                  f"{limited} rate-limited, {busy} busy, {sum('Every view shows' in a for a in said)} models shown")  # fmt: skip
    print(f"  {label:<10} server peak RSS {rss:.0f} MB")
    return times, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--tabs", type=int, default=6, help="tabs pressing Train")
    parser.add_argument("--largest", type=int, default=3, help="sessions opening the largest config, view after view")
    parser.add_argument("--rapid", type=int, default=3, help="sessions moving a slider as fast as answered")
    parser.add_argument("--uploaders", type=int, default=3, help="sessions uploading model files, hostile ones among them")
    parser.add_argument("--no-alone", action="store_true", help="skip the class-alone baseline run")
    parser.add_argument("--profile", type=Path, help="py-spy --gil recording of the server beside the abusers")
    args = parser.parse_args()
    print(f"{args.learners} learners, {args.seconds:.0f} s; abusers: {args.tabs} training tabs, "
          f"{args.largest} largest-config sessions, {args.rapid} rapid-fire sessions, {args.uploaders} uploaders")  # fmt: skip
    if args.uploaders:
        UPLOADS.extend(upload_corpus())
    alone = {} if args.no_alone else run(args.learners, args.seconds, 0, 0, 0, "alone")[0]
    beside, _ = run(args.learners, args.seconds, args.tabs, args.largest, args.rapid, "beside", args.uploaders, args.profile)
    for kind in ("slider", "focus"):
        if alone.get(kind) and beside.get(kind):
            print(f"  learners' {kind} p95 beside the abusers ÷ alone: {p95(beside[kind]) / p95(alone[kind]):.1f}×")


if __name__ == "__main__":
    main()
