"""Time your-data training: the shipped seasonal series to beating its naive forecast, and the shipped fables to
below the unigram loss, through the app's job pool.

Run: ``python benchmarks/bench_yourdata.py [--seeds 5]`` (prints a table; nothing is asserted). For the daily
bike-rental sample (rentals and temperature in, rentals out, the seasonal naive forecast with season 7 as the bar),
the task's default model and settings, and a few learning rates and horizons: seconds from *Train* to the first
snapshot whose held-out error is below the naive forecast's (the first chunk's compile included), the whole run,
steps per second, and the final held-out RMSE against the naive one in rentals.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_training import run_job

from explorer.training.jobs import JobState, RunCache, TrainingPool
from explorer.training.snapshots import model_weights
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS
from explorer.yourdata.forecast import held_out_forecast
from explorer.yourdata.options import SeriesOptions
from explorer.yourdata.samples import SEASONAL
from explorer.yourdata.table import parse_table
from explorer.yourdata.task import series_task


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    table = parse_table(SEASONAL.read_bytes())
    pool = TrainingPool(workers=1, cache=RunCache(max_entries=1))
    print(f"\n## Daily bike rentals ({table.rows} rows): seeds 0…{args.seeds - 1}, one worker\n")
    columns = ["inputs", "horizon", "lr", "epochs × steps", "beat naive", "to beat: median / max s", "whole run s"]
    columns += ["steps/s", "RMSE model / naive"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|---|---|---|")
    for inputs, horizon, rate in [
        (("rentals", "temperature_c"), 1, None),
        (("rentals", "temperature_c"), 1, 0.003),
        (("rentals",), 1, None),
        (("rentals", "temperature_c"), 7, None),
    ]:
        task = series_task(table, SeriesOptions(table.digest, inputs, "rentals", horizon=horizon, season=7))
        TASKS.register(task)
        rate = rate or task.learning_rate
        beaten, wall, rates, errors = [], [], [], []
        for seed in range(args.seeds):
            spec = TrainingSpec(task.key, task.default_config(seed=seed), learning_rate=rate, epochs=task.epochs, seed=seed)
            job, seconds, solved_at = run_job(spec, pool)
            progress = job.progress()
            assert progress.state is JobState.DONE, progress.message
            wall.append(seconds)
            rates.append(progress.step / progress.seconds)
            if solved_at is not None:
                beaten.append(solved_at)
            forecast = held_out_forecast(task, model_weights(spec.model, progress.snapshots[-1].arrays), spec.model.timesteps)
            errors.append((forecast.model_rmse, forecast.naive_rmse))
        to_beat = f"{statistics.median(beaten):.1f} / {max(beaten):.1f}" if beaten else "—"
        model_rmse = statistics.median(e[0] for e in errors)
        print(
            f"| {' + '.join(inputs)} | {horizon} | {rate} | {task.epochs} × {spec.steps_per_epoch} "
            f"| {len(beaten)} of {args.seeds} | {to_beat} | {statistics.median(wall):.1f} | {statistics.median(rates):.0f} "
            f"| {model_rmse:.1f} / {errors[0][1]:.1f} |"
        )
    text_part(pool, args.seeds)
    pool.shutdown()


def text_part(pool: TrainingPool, seeds: int) -> None:
    """The shipped fables: the character model's default to below the unigram loss, and writing speed."""
    import time

    from explorer.yourdata.generate import generate_text
    from explorer.yourdata.samples import TEXT
    from explorer.yourdata.text import parse_text, text_task

    corpus = parse_text(TEXT.read_bytes())
    task = text_task(corpus)
    TASKS.register(task)
    print(f"\n## The fables ({len(corpus.text):,} characters, V = {corpus.size}): seeds 0…{seeds - 1}\n")
    columns = ["model", "epochs × steps", "below unigram", "to below: median / max s", "whole run s", "steps/s"]
    columns += ["held-out CE / unigram", "300 chars: window / carried s"]
    print("| " + " | ".join(columns) + " |")
    print("|---" * len(columns) + "|")
    beaten, wall, rates, finals, writing = [], [], [], [], []
    for seed in range(seeds):
        spec = TrainingSpec(
            task.key, task.default_config(seed=seed), learning_rate=task.learning_rate, epochs=task.epochs, seed=seed
        )
        job, seconds, solved_at = run_job(spec, pool)
        progress = job.progress()
        assert progress.state is JobState.DONE, progress.message
        wall.append(seconds)
        rates.append(progress.step / progress.seconds)
        finals.append(progress.snapshots[-1].loss)
        if solved_at is not None:
            beaten.append(solved_at)
        times = []
        for stateful in (False, True):
            start = time.perf_counter()
            generate_text(spec.model, progress.snapshots[-1].arrays, corpus, "The fox", 300, stateful=stateful)
            times.append(time.perf_counter() - start)
        writing.append(times)
    from explorer.training.loop import evaluation_set

    unigram = task.baseline(evaluation_set(spec))
    to_below = f"{statistics.median(beaten):.1f} / {max(beaten):.1f}" if beaten else "—"
    cfg = spec.model
    print(
        f"| Embedding({cfg.vocab}, {cfg.embed_dim}) → LSTM({cfg.units[0]}) → Dense({cfg.head_units}), T {cfg.timesteps} "
        f"| {task.epochs} × {spec.steps_per_epoch} | {len(beaten)} of {seeds} | {to_below} | {statistics.median(wall):.1f} "
        f"| {statistics.median(rates):.0f} | {statistics.median(finals):.2f} / {unigram:.2f} "
        f"| {statistics.median(w[0] for w in writing):.2f} / {statistics.median(w[1] for w in writing):.2f} |"
    )


if __name__ == "__main__":
    main()
