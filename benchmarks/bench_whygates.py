"""Why gates: the cost of the exact gradient through time, and who solves remember-the-first as T grows.

Run: ``python benchmarks/bench_whygates.py [--parts gradient,solve,sweep] [--seeds 5]`` (prints tables; nothing is
asserted).

- ``gradient``: `gradient_through_time` (the NumPy backward pass) against ``tf.GradientTape`` on the Keras model
  (eager, the same batch), at the Why gates tab's default and at the largest config the sliders allow; the median of
  repeated runs, and their ratio.
- ``solve``: the benchmark's LSTM (its forget-gate bias starting at 3, f ≈ 0.95), an LSTM as Keras starts it
  (b_f = 1), and a GRU and a SimpleRNN of the same size, each trained on remember-the-first at T = 60 for ``--seeds``
  seeds with the benchmark's settings (below), on the app's training pool with both cores: how many solved
  (held-out accuracy ≥ 95%), measured, whatever it is.
- ``sweep``: the tab's one-click sweep (the three at T = 10, 30, 60 with the task's default settings) on a pool of
  two workers: its wall time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from explorer._keras import keras, tf
from explorer.config import LSTMConfig
from explorer.model import build_model
from explorer.training.jobs import JobState, RunCache, TrainingJob, TrainingPool
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS
from explorer.whygates.gradients import gradient_through_time, stack_weights

SAMPLES = 64  # the tab's held-out batch (explorer.ui.cache.why.WHY_SAMPLES)
SOLVE = {"units": 64, "learning_rate": 0.003, "epochs": 20}  # the benchmark's settings at T = 60
MODELS = {"LSTM, b_f = 3": ("LSTM", 3.0), "LSTM": ("LSTM", None), "GRU": ("GRU", None), "SimpleRNN": ("SimpleRNN", None)}


def _median_ms(fn, repeats: int) -> float:
    fn()  # warm: the first eager call traces
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times)


def part_gradient() -> None:
    print("\n## The gradient through time: NumPy backward pass against tf.GradientTape (same batch, median ms)\n")
    print("| config | batch | NumPy ms | tape ms | tape / NumPy |")
    print("|---|---|---|---|---|")
    task = TASKS["first"]
    configs = [
        ("the tab's default: LSTM(16), T = 30, remember-the-first", task.default_config().replace(timesteps=30), 9),
        ("largest: 4 × LSTM(256), T = 80 (the task's longest)", task.fit_config(
            LSTMConfig(timesteps=80, units=(256,) * 4, return_sequences=(True, True, True, False))), 3),
    ]  # fmt: skip
    for name, cfg, repeats in configs:
        model = build_model(cfg)
        data = task.held_out(SAMPLES, cfg.timesteps, 7)
        stack = stack_weights(model)
        x = tf.constant(data.x)
        loss_fn = keras.losses.get(task.loss)

        def by_tape(model=model, x=x, y=data.y, loss_fn=loss_fn):
            with tf.GradientTape() as tape:
                tape.watch(x)
                loss = tf.reduce_mean(loss_fn(y, model(x)))
            return tape.gradient(loss, x).numpy()

        def by_numpy(stack=stack, data=data):
            return gradient_through_time(stack, data.x, data.y, task.loss)

        np.testing.assert_allclose(by_numpy().grad_x, by_tape(), rtol=1e-3, atol=1e-7)  # the same numbers first
        numpy_ms, tape_ms = _median_ms(by_numpy, repeats), _median_ms(by_tape, repeats)
        print(f"| {name} | {SAMPLES} | {numpy_ms:.1f} | {tape_ms:.1f} | {tape_ms / numpy_ms:.2f}× |")


def _run(pool: TrainingPool, specs: dict) -> tuple[dict, float]:
    jobs = {key: TrainingJob(spec) for key, spec in specs.items()}
    start = time.perf_counter()
    for job in jobs.values():
        pool.submit(job)
    while any(job.progress().active for job in jobs.values()):
        time.sleep(0.05)
    return jobs, time.perf_counter() - start


def _solved(job: TrainingJob) -> tuple[bool, float]:
    progress = job.progress()
    metric = progress.snapshots[-1].metric if progress.snapshots else float("nan")
    return progress.state is JobState.DONE and metric >= 0.95, metric


def part_solve(seeds: int) -> None:
    task, timesteps = TASKS["first"], 60
    print(f"\n## Remember-the-first at T = {timesteps}: LSTM({SOLVE['units']}), b_f = 3 and 1, a GRU and a SimpleRNN, "
          f"Adam {SOLVE['learning_rate']}, {SOLVE['epochs']} epochs, seeds 0…{seeds - 1} (two workers)\n")  # fmt: skip
    specs = {}
    for seed in range(seeds):
        cfg = task.default_config(seed=seed).replace(timesteps=timesteps, units=(SOLVE["units"],))
        base = TrainingSpec("first", cfg, learning_rate=SOLVE["learning_rate"], epochs=SOLVE["epochs"], seed=seed)
        specs.update({(name, seed): base.replace(cell=cell, forget_bias=bias) for name, (cell, bias) in MODELS.items()})
    jobs, wall = _run(TrainingPool(workers=2, cache=RunCache(max_entries=1)), specs)
    print("| model | parameters | solved | final held-out accuracy per seed |")
    print("|---|---|---|---|")
    for name in MODELS:
        results = [_solved(jobs[(name, seed)]) for seed in range(seeds)]
        spec = specs[(name, 0)]
        print(f"| {name} ({spec.cell_units} units) | {spec.parameters:,} | {sum(s for s, _m in results)} of {seeds} | "
              + ", ".join(f"{m:.2f}" for _s, m in results) + " |")  # fmt: skip
    print(f"\n{len(specs)} runs in {wall:.0f} s of wall time on two workers.")


def part_sweep() -> None:
    task = TASKS["first"]
    cfg = task.default_config()
    base = TrainingSpec("first", cfg, learning_rate=task.learning_rate, epochs=task.epochs)
    specs = {}
    for timesteps in (10, 30, 60):
        one = base.replace(model=task.fit_config(cfg.replace(timesteps=timesteps)))
        specs.update({(kind, timesteps): one.replace(cell=kind) for kind in ("LSTM", "GRU", "SimpleRNN")})
    jobs, wall = _run(TrainingPool(workers=2, cache=RunCache(max_entries=1)), specs)
    print(f"\n## The tab's sweep: LSTM({cfg.units[0]}) and its GRU and SimpleRNN at T = 10, 30, 60, the task's defaults "
          f"(Adam {task.learning_rate}, {task.epochs} epochs), two workers\n")  # fmt: skip
    print("| model | T = 10 | T = 30 | T = 60 |")
    print("|---|---|---|---|")
    for kind in ("LSTM", "GRU", "SimpleRNN"):
        cells = [_solved(jobs[(kind, t)]) for t in (10, 30, 60)]
        print(f"| {kind} | " + " | ".join(f"{m:.2f} {'✓' if s else '✗'}" for s, m in cells) + " |")
    print(f"\nWall time of the sweep: {wall:.1f} s for {len(specs)} runs.")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", default="gradient,solve,sweep")
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    parts = args.parts.split(",")
    if "gradient" in parts:
        part_gradient()
    if "sweep" in parts:
        part_sweep()
    if "solve" in parts:
        part_solve(args.seeds)


if __name__ == "__main__":
    main()
