"""Time live training: each task's default to its success threshold, and Keras's training paths side by side.

Run: ``python benchmarks/bench_training.py [--part tasks|paths|memory] [--seeds 5]`` (prints tables; nothing is
asserted). Parts:

- ``tasks``: per task, its default model and settings trained with seeds 0…N-1 (weights and data) through
  the app's own job pool: seconds from *Train* to the first snapshot past the threshold (compile included),
  steps/s, the final metric, solved or not. Also the best unit's probe score, trained and untrained.
- ``paths``: one training step at the bracket-depth default, by ``model.fit``, ``train_on_batch``, a compiled
  custom step, and the app's compiled chunk of steps, each with and without ``jit_compile``; first call
  (tracing) and steps/s after.
- ``memory``: server-side RSS with one job running and four queued at the largest model a task allows.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from explorer.config import LSTMConfig
from explorer.training.jobs import JobState, RunCache, TrainingJob, TrainingPool
from explorer.training.probes import PROBE_SAMPLES, PROBE_SEED, find_units
from explorer.training.snapshots import model_weights
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_job(spec: TrainingSpec, pool: TrainingPool) -> tuple[TrainingJob, float, float | None]:
    """Train ``spec`` on ``pool``; returns the job, the wall time, and the seconds to the threshold (or None)."""
    task = TASKS[spec.task]
    job = TrainingJob(spec)
    start = time.perf_counter()
    pool.submit(job)
    solved_at = None
    from explorer.training.loop import evaluation_set

    baseline = task.baseline(evaluation_set(spec))
    while True:
        progress = job.progress()
        if solved_at is None and any(task.solved(s.metric, baseline) for s in progress.snapshots):
            solved_at = time.perf_counter() - start
        if not progress.active:
            break
        time.sleep(0.01)
    return job, time.perf_counter() - start, solved_at


def part_tasks(seeds: int) -> None:
    pool = TrainingPool(workers=1, cache=RunCache(max_entries=1))
    print(f"\n## Each task's default, seeds 0…{seeds - 1} (one worker; seconds include the first chunk's compile)\n")
    print("| task | model | epochs × steps | solved | to threshold: median / max s | whole run s | steps/s | "
          "final metric (median) | best unit trained / untrained |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for key, task in TASKS.items():
        to_threshold, wall, rates, finals, probe_t, probe_u = [], [], [], [], [], []
        for seed in range(seeds):
            spec = TrainingSpec(
                key, task.default_config(seed=seed), learning_rate=task.learning_rate, epochs=task.epochs, seed=seed
            )
            job, seconds, solved_at = run_job(spec, pool)
            progress = job.progress()
            assert progress.state is JobState.DONE, progress.message
            wall.append(seconds)
            rates.append(progress.step / progress.seconds)
            finals.append(progress.snapshots[-1].metric)
            if solved_at is not None:
                to_threshold.append(solved_at)
            data = task.generate(PROBE_SAMPLES, spec.model.timesteps, PROBE_SEED)
            trained = find_units(spec.model, model_weights(spec.model, progress.snapshots[-1].arrays), data)
            untrained = find_units(spec.model, model_weights(spec.model, progress.snapshots[0].arrays), data)
            probe_t.append(trained[0].score)
            probe_u.append(untrained[0].score)
        spec = TrainingSpec(key, task.default_config(), epochs=task.epochs)
        threshold = f"{statistics.median(to_threshold):.1f} / {max(to_threshold):.1f}" if to_threshold else "—"
        print(
            f"| {task.title} | LSTM({task.default_units}), T {task.default_timesteps} | {task.epochs} × {spec.steps_per_epoch} "
            f"| {len(to_threshold)} of {seeds} | {threshold} | {statistics.median(wall):.1f} | {statistics.median(rates):.0f} "
            f"| {task.metric[0]} {statistics.median(finals):.3f} "
            f"| {statistics.median(probe_t):.2f} / {statistics.median(probe_u):.2f} |"
        )
    pool.shutdown()


def part_paths() -> None:
    from explorer._keras import keras, tf
    from explorer.model import build_model
    from explorer.training.loop import Trainer

    task = TASKS["brackets"]
    spec = TrainingSpec("brackets", task.default_config(), epochs=1)
    data = task.generate(2048, spec.model.timesteps, 0)
    x, y, b, n = data.x, data.y, spec.batch_size, 64
    print(f"\n## Training paths: bracket depth, LSTM({task.default_units}), T {spec.model.timesteps}, batch {b}\n")
    print("| path | jit_compile | first call s (tracing) | steps/s after | vs model.fit |")
    print("|---|---|---|---|---|")
    results = {}

    def fresh(jit: bool):
        model = build_model(spec.model)
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", jit_compile=jit)
        return model

    for jit in (False, True):
        model = fresh(jit)
        t = time.perf_counter()
        model.fit(x[:b], y[:b], batch_size=b, epochs=1, verbose=0, shuffle=False)
        first = time.perf_counter() - t
        t = time.perf_counter()
        model.fit(x[: n * b], y[: n * b], batch_size=b, epochs=3, verbose=0, shuffle=False)
        results["model.fit", jit] = (first, 3 * n / (time.perf_counter() - t))

        model = fresh(jit)
        t = time.perf_counter()
        model.train_on_batch(x[:b], y[:b])
        first = time.perf_counter() - t
        t = time.perf_counter()
        for s in range(3 * n):
            k = s % n
            model.train_on_batch(x[k * b : (k + 1) * b], y[k * b : (k + 1) * b])
        results["train_on_batch", jit] = (first, 3 * n / (time.perf_counter() - t))

        model = build_model(spec.model)
        optimizer = keras.optimizers.Adam(0.01)
        optimizer.build(model.trainable_variables)
        loss_fn = keras.losses.MeanSquaredError()

        @tf.function(jit_compile=jit)
        def step(xb, yb, model=model, optimizer=optimizer, loss_fn=loss_fn):
            with tf.GradientTape() as tape:
                loss = loss_fn(yb, model(xb, training=True))
            optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
            return loss

        t = time.perf_counter()
        step(tf.constant(x[:b]), tf.constant(y[:b]))
        first = time.perf_counter() - t
        t = time.perf_counter()
        for s in range(3 * n):
            k = s % n
            step(tf.constant(x[k * b : (k + 1) * b]), tf.constant(y[k * b : (k + 1) * b]))
        results["compiled custom step", jit] = (first, 3 * n / (time.perf_counter() - t))

        trainer = Trainer(spec)
        if jit:
            trainer._chunk = tf.function(trainer._steps, jit_compile=True)
        t = time.perf_counter()
        trainer.train(1)
        first = time.perf_counter() - t
        t = time.perf_counter()
        steps = 0
        while steps < 3 * n:
            steps += len(trainer.train(16))
        results["compiled chunk of 16 steps (the app)", jit] = (first, steps / (time.perf_counter() - t))
    fit_rate = results["model.fit", False][1]
    for (name, jit), (first, rate) in results.items():
        print(f"| {name} | {jit} | {first:.2f} | {rate:.0f} | {rate / fit_rate:.2f}× |")


def part_memory() -> None:
    task = TASKS["adding"]
    big = task.fit_config(LSTMConfig(timesteps=100, units=(256, 256, 256, 256), return_sequences=(True, True, True, False)))
    print(f"\n## Memory: one job running and four queued, {big.n_layers} × 256 units, T {big.timesteps} (adding)\n")
    import explorer._keras  # noqa: F401  (TensorFlow in memory before the baseline, as in the app)

    before = rss_mb()
    pool = TrainingPool(workers=1, time_cap_s=20)
    jobs = [TrainingJob(TrainingSpec("adding", big.replace(seed=s), epochs=50)) for s in range(5)]
    for job in jobs:
        pool.submit(job)
    peak, start = before, time.perf_counter()
    while time.perf_counter() - start < 25:
        peak = max(peak, rss_mb())
        time.sleep(0.2)
    progress = jobs[0].progress()
    print("| | value |\n|---|---|")
    print(f"| RSS before (TensorFlow imported) | {before:.0f} MB |")
    print(f"| RSS peak, 1 running + 4 queued, 25 s | {peak:.0f} MB |")
    kept = sum(s.nbytes for s in progress.snapshots) / 2**20
    print(f"| the first job: state, steps in its 20 s cap, snapshots kept, their bytes | {progress.state.value}, "
          f"{progress.step}, {len(progress.snapshots)}, {kept:.1f} MB |")  # fmt: skip
    print(f"| the others: states, queue positions | {[(j.progress().state.value, j.progress().position) for j in jobs[1:]]} |")
    pool.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["tasks", "paths", "memory", "all"], default="all")
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; numpy {np.__version__}")
    if args.part in ("tasks", "all"):
        part_tasks(args.seeds)
    if args.part in ("paths", "all"):
        part_paths()
    if args.part in ("memory", "all"):
        part_memory()


if __name__ == "__main__":
    main()
