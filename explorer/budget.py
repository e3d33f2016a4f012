"""How much memory one server process may use, and what each store and the training pool get of it.

A hosted app has a hard memory limit: Streamlit Community Cloud gives an app between 690 MB
and 2.7 GB and stops it "over its resource limits" past that; a container gets what its
limit says. The app reads its budget from ``LSTM_EXPLORER_MEMORY_MB`` (default `DEFAULT_MB`,
which fits Community Cloud) and sizes everything that grows with use from it: the cached
Keras models and traces, the finished training runs, each run's snapshots, how many jobs
train at once and how large a model one job may train.

Measured here (2 cores): Streamlit with TensorFlow imported and the first page drawn holds
~630 MB (`BASE_MB`); what is left is the *headroom* the stores share.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_MB = 1024
MIN_MB = 700  # below this the app itself does not fit (TensorFlow alone is ~600 MB)
BASE_MB = 650
BYTES_PER_PARAMETER = 20  # a cached model: Keras's float32 variables, the NumPy copy and the trace's reordered copy,
# the shape table's arrays
MODEL_FIXED_BYTES = 400_000  # and its Keras objects, whatever its size (measured 0.39 MB per default-size model)
JOB_FIXED_MB = 45  # a training job's model, optimizer, data and compiled function at small sizes
JOB_BYTES_PER_UNIT_STEP = 75  # backprop through time keeps per sample × step × unit of every layer (measured 58–81)
JOB_TYPICAL_MB = 150  # a second worker only when each can have this much
JOB_FLOOR_MB = 64  # every task's default model trains, even at the smallest budget (they need ~46 MB)


@dataclass(frozen=True)
class MemoryBudget:
    """What each store may hold (see the module docstring for where the numbers come from).

    Attributes:
        total_mb: the whole process's budget.
        model_params: parameters of the cached Keras models together.
        trace_bytes: bytes of the cached NumPy traces together.
        run_cache_bytes: bytes of the finished training runs every session shares.
        snapshot_bytes: bytes of one run's weight snapshots.
        training_workers: jobs that train at once (never more than the cores).
        training_job_mb: the memory one job may use (a larger model is refused, with the reason).
    """

    total_mb: int
    model_params: int
    trace_bytes: int
    run_cache_bytes: int
    snapshot_bytes: int
    training_workers: int
    training_job_mb: int

    @property
    def headroom_mb(self) -> int:
        return max(self.total_mb - BASE_MB, 50)


def memory_budget(env: dict[str, str] | None = None, cores: int | None = None) -> MemoryBudget:
    """The budget from ``LSTM_EXPLORER_MEMORY_MB`` in ``env`` (default: the process environment).

    A value that is not a whole number, or below `MIN_MB`, falls back to the nearest sensible one
    (the default, or `MIN_MB`): a deploy's typo must not stop the app.
    """
    env = os.environ if env is None else env
    try:
        total = int(env.get("LSTM_EXPLORER_MEMORY_MB", DEFAULT_MB))
    except ValueError:
        total = DEFAULT_MB
    total = max(total, MIN_MB)
    cores = cores or os.cpu_count() or 1
    mb = 2**20
    headroom = max(total - BASE_MB, 50)
    training = 0.40 * headroom
    workers = max(1, min(cores, int(training // JOB_TYPICAL_MB)))
    return MemoryBudget(
        total_mb=total,
        model_params=int(0.15 * headroom * mb / BYTES_PER_PARAMETER),
        trace_bytes=int(0.25 * headroom * mb),
        run_cache_bytes=int(0.15 * headroom * mb),
        snapshot_bytes=int(min(24, max(4, 0.05 * headroom)) * mb),
        training_workers=workers,
        training_job_mb=max(int(training / workers), JOB_FLOOR_MB),
    )


def training_job_mb(batch_size: int, timesteps: int, units: tuple[int, ...], parameters: int) -> float:
    """Estimated peak memory of one training job, in MB (measured: 58 MB for LSTM(64) at T 100, 266 MB for
    4 × 256 units at T 100, batch 32; this estimate gives 60 and 295)."""
    per_step = JOB_BYTES_PER_UNIT_STEP * batch_size * timesteps * sum(units)
    return JOB_FIXED_MB + (per_step + 3 * 4 * parameters) / 2**20
