"""Weight snapshots taken as a model learns, bounded by bytes, and their NumPy `ModelWeights`.

A snapshot's arrays are in ``model.get_weights()`` order and read-only: snapshots are
shared by every session that looks at the run. `SnapshotLog` keeps a run's snapshots
within a byte budget and a count by *thinning*: when full it drops every other one
(never the first or the latest), so a long run keeps an even spread instead of growing.
Thinning depends only on the sequence of appends, so the same run keeps the same steps.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from explorer.budget import memory_budget
from explorer.config import LSTMConfig
from explorer.reference import DenseWeights, ModelWeights
from explorer.reference.real_forward import next_lstm_weights

MAX_SNAPSHOTS = 64
SNAPSHOT_BYTES_BUDGET = memory_budget().snapshot_bytes  # per run: 24 MB at most (three of the largest model, 7.6 MB each)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The weights after ``step`` training steps, and how they score on the evaluation set.

    Attributes:
        step: training steps taken (0 = the initial weights).
        epoch: ``step / steps_per_epoch``.
        arrays: the weights, ``model.get_weights()`` order, read-only float32.
        loss: the task's loss on the evaluation set.
        metric: the task's metric on the evaluation set.
    """

    step: int
    epoch: float
    arrays: tuple[np.ndarray, ...]
    loss: float
    metric: float

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.arrays)


def frozen_arrays(arrays) -> tuple[np.ndarray, ...]:
    """float32 read-only copies."""
    out = []
    for a in arrays:
        a = np.array(a, dtype=np.float32, copy=True)
        a.setflags(write=False)
        out.append(a)
    return tuple(out)


def model_weights(cfg: LSTMConfig, arrays: tuple[np.ndarray, ...]) -> ModelWeights:
    """`ModelWeights` for the model ``cfg`` describes, from ``model.get_weights()``-ordered arrays (no Keras).

    Args:
        cfg: the model's configuration (the layer order and options).
        arrays: per LSTM ``kernel (F_in, 4U), recurrent_kernel (U, 4U)[, bias (4U,)]``, then the head's
            ``kernel (U, H), bias (H,)``.

    Returns:
        The weights `explorer.reference.trace` runs on.
    """
    it = iter(arrays)
    lstm = [next_lstm_weights(cfg, k, it, name) for k, name in enumerate(cfg.layer_names)]
    head = DenseWeights("head", next(it), next(it), cfg.head_activation) if cfg.head_units else None
    if next(it, None) is not None:
        raise ValueError("more weight arrays than the configuration has weights")
    return ModelWeights(tuple(lstm), head)


class SnapshotLog:
    """A run's snapshots in step order, thinned to stay within `MAX_SNAPSHOTS` and a byte budget. Thread-safe."""

    def __init__(self, max_count: int = MAX_SNAPSHOTS, max_bytes: int = SNAPSHOT_BYTES_BUDGET):
        self._max_count = max(max_count, 2)
        self._max_bytes = max_bytes
        self._items: list[Snapshot] = []
        self._lock = threading.Lock()

    def append(self, snapshot: Snapshot) -> None:
        with self._lock:
            self._items.append(snapshot)
            while len(self._items) > 2 and (
                len(self._items) > self._max_count or sum(s.nbytes for s in self._items) > self._max_bytes
            ):
                # Drop every other one between the first and the latest (odd positions), an even spread.
                middle = self._items[1:-1]
                self._items = [self._items[0], *middle[1::2], self._items[-1]]

    def items(self) -> tuple[Snapshot, ...]:
        with self._lock:
            return tuple(self._items)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(s.nbytes for s in self._items)


def nearest(snapshots: tuple[Snapshot, ...], step: int | None) -> Snapshot | None:
    """The snapshot at ``step`` or the closest one (``None`` step: the latest)."""
    if not snapshots:
        return None
    if step is None:
        return snapshots[-1]
    return min(snapshots, key=lambda s: (abs(s.step - step), s.step))


class TrainedWeights:
    """Which trained weights a view shows: the snapshot of a run at a step.

    Equal and hashed by ``(spec, step)`` only, never by the arrays (training is deterministic,
    so the key names the weights), and so is Streamlit's cache hashing (via ``__reduce__``):
    a snapshot of a 1.9M-parameter model is not hashed on every rerun.
    """

    __slots__ = ("arrays", "spec", "step")

    def __init__(self, spec, step: int, arrays: tuple[np.ndarray, ...]):
        self.spec, self.step, self.arrays = spec, step, arrays

    @property
    def key(self) -> tuple:
        return (self.spec, self.step)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TrainedWeights) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __reduce__(self):  # what Streamlit's cache hashes: the key, not megabytes of weights
        return (TrainedWeights, self.key)

    def __repr__(self) -> str:
        return f"TrainedWeights({self.spec.task}, step {self.step})"
