"""Toy tasks that need memory: data, loss, metric, a no-memory baseline and a success threshold.

Each task is a pure function of a seed: ``TASKS[key].generate(n, timesteps, seed)`` gives
`TaskData` with ``x`` shaped ``(n, timesteps, features)`` as the live model expects. A task
fixes what it must (its input encoding fixes ``features``; its target fixes the Dense head
and the last layer's ``return_sequences``); units, stacking, timesteps within the task's
range and the other LSTM arguments stay the learner's (`Task.fit_config`).

The baseline is what a model *without memory* can score: the best predictor that sees only
the input at the step where it answers (least squares on ``[x_t, 1]``; for one-hot inputs
that is the mean target per symbol). Measured on the data, never typed in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from explorer.config import LSTMConfig
from explorer.i18n import N_, Message

SYMBOLS = "ABCD"  # remember-the-first's alphabet (its first `FIRST_SYMBOLS` letters)
FIRST_SYMBOLS = 3


@dataclass(frozen=True)
class TaskData:
    """A batch of a task.

    Attributes:
        x: (N, T, F) float32 inputs.
        y: targets: (N,) int class for classification, (N, 1) or (N, T, 1) float32 for regression.
        labels: (N, T) the input step as the task's text (``(`` / ``)``, ``B``, ``▲0.42``), or ``None``.
        probes: named quantities the probes look for in the cell, each (N, T) in input time order
            (e.g. ``{"depth": …}``), or (N,) for a per-sample class (``{"first": …}``).
        rows: (N,) where each sample's target sits in a learner's series (its row), or ``None`` for generated data.
    """

    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray | None
    probes: dict[str, np.ndarray] = field(default_factory=dict)
    rows: np.ndarray | None = None


@dataclass(frozen=True)
class Task:
    """One toy task and everything needed to train and judge it.

    Attributes:
        key: URL value (``task=brackets``).
        title: short name.
        teaches: one sentence: what the task shows about an LSTM.
        features: F, fixed by the input encoding.
        head_units, head_activation: the Dense head the target needs.
        per_step: the target is per step (last LSTM ``return_sequences=True``, Dense per step).
        timesteps_range, default_timesteps, default_units: the learner's range and the defaults.
        loss: Keras loss name.
        metric: ``(name, higher_is_better)``; computed by `Task.score`.
        threshold: solved when the metric passes ``threshold(baseline)``.
        make: ``(n, T, rng) -> TaskData``.
        epochs: default training length (chosen by measurement, see benchmarks/bench_training.py).
        learning_rate: the default Adam step size.
        baseline_name: the baseline's short name (a message).
    """

    key: str
    title: str
    teaches: str
    features: int
    head_units: int
    head_activation: str
    per_step: bool
    timesteps_range: tuple[int, int]
    default_timesteps: int
    default_units: int
    loss: str
    metric: tuple[str, bool]
    threshold: Callable[[float], float]
    threshold_text: str
    make: Callable[[int, int, np.random.Generator], TaskData]
    epochs: int
    learning_rate: float = 1e-2
    baseline_name: str = N_("no memory")  # what the baseline is, as the page names it

    @property
    def classification(self) -> bool:
        return self.loss == "sparse_categorical_crossentropy"

    def generate(self, n: int, timesteps: int, seed: int) -> TaskData:
        """``n`` samples of length ``timesteps`` from ``seed`` (the same arguments give the same data)."""
        lo, hi = self.timesteps_range
        if not lo <= timesteps <= hi:
            raise ValueError(f"{self.title} takes {lo}–{hi} timesteps, got {timesteps}")
        return self.make(int(n), int(timesteps), np.random.default_rng(seed))

    def held_out(self, n: int, timesteps: int, seed: int) -> TaskData:
        """Samples the model never trains on (generated tasks: fresh samples from another ``seed``)."""
        return self.generate(n, timesteps, seed)

    def default_config(self, seed: int = 0) -> LSTMConfig:
        """The model this task starts from (one layer; its defaults are measured to solve it, 5 seeds of 5)."""
        cfg = LSTMConfig(
            timesteps=self.default_timesteps, units=(self.default_units,), return_sequences=(self.per_step,), seed=seed
        )
        return self.fit_config(cfg)

    def fit_config(self, cfg: LSTMConfig) -> LSTMConfig:
        """``cfg`` with what the task fixes set (and timesteps moved into the task's range)."""
        lo, hi = self.timesteps_range
        return cfg.replace(
            features=self.features,
            timesteps=min(max(cfg.timesteps, lo), hi),
            return_sequences=(*cfg.return_sequences[:-1], self.per_step),
            head_units=self.head_units,
            head_activation=self.head_activation,
            input_kind="numbers",
            mask_zero=False,
        )

    def problems(self, cfg: LSTMConfig) -> list[Message]:
        """Why ``cfg`` cannot train this task, one sentence per reason (empty: it can); translated when shown."""
        out = []
        if cfg.input_kind == "tokens":
            out.append(Message("its data are numbers per step, not token ids for an Embedding"))
        if cfg.input_kind != "tokens" and cfg.features != self.features:
            out.append(Message("the input has {want} features (its encoding), not {got}", want=self.features, got=cfg.features))
        lo, hi = self.timesteps_range
        if not lo <= cfg.timesteps <= hi:
            out.append(Message("it takes {lo}–{hi} timesteps, not {got}", lo=lo, hi=hi, got=cfg.timesteps))
        if cfg.return_sequences[-1] != self.per_step:
            if self.per_step:
                out.append(Message("the last LSTM needs return_sequences=True: it answers at every step"))
            else:
                out.append(Message("the last LSTM needs return_sequences=False: it answers once, after the last step"))
        if (cfg.head_units, cfg.head_activation) != (self.head_units, self.head_activation):
            out.append(
                Message(
                    "the answer needs a Dense({units}, {activation}) head", units=self.head_units, activation=self.head_activation
                )
            )
        return out

    def predict_memoryless(self, data: TaskData) -> np.ndarray:
        """What the best model *without memory* predicts: shaped like the model's output."""
        x = data.x if self.per_step else data.x[:, -1:]  # the input it sees where it answers: (N, T or 1, F)
        design = np.concatenate([x.reshape(-1, x.shape[-1]), np.ones((x.shape[0] * x.shape[1], 1))], axis=1)
        # Classes: least squares on one-hot targets = the class frequencies per input symbol.
        target = np.eye(self.head_units)[data.y] if self.classification else data.y.reshape(design.shape[0], -1)
        coef, *_ = np.linalg.lstsq(design, target, rcond=None)
        pred = design @ coef
        return pred.reshape(data.x.shape[0], -1) if not self.per_step else pred.reshape(*data.x.shape[:2], -1)

    def score(self, data: TaskData, predictions: np.ndarray) -> float:
        """The task's metric of ``predictions`` (shaped like the model's output) against ``data.y``."""
        name = self.metric[0]
        if name.startswith("cross-entropy"):  # nats per answer; y: (N,) or (N, T) classes
            p = np.take_along_axis(np.asarray(predictions), data.y[..., None], axis=-1)
            return float(-np.mean(np.log(np.clip(p, 1e-7, 1.0))))
        if name == "accuracy":
            return float(np.mean(np.argmax(predictions, axis=-1) == data.y))
        if name == "exact depth":
            return float(np.mean(np.rint(predictions) == data.y))
        return float(np.mean((predictions.reshape(data.y.shape) - data.y) ** 2))

    def baseline(self, data: TaskData) -> float:
        """The metric a model without memory scores on ``data``."""
        return self.score(data, self.predict_memoryless(data))

    def solved(self, value: float, baseline: float) -> bool:
        """Does a metric ``value`` pass the success threshold?"""
        limit = self.threshold(baseline)
        return value >= limit if self.metric[1] else value <= limit


def _first(n: int, timesteps: int, rng: np.random.Generator) -> TaskData:
    codes = rng.integers(0, FIRST_SYMBOLS, size=(n, timesteps))  # (N, T)
    x = np.eye(FIRST_SYMBOLS, dtype=np.float32)[codes]  # (N, T, K)
    labels = np.array(list(SYMBOLS[:FIRST_SYMBOLS]))[codes]
    return TaskData(x, codes[:, 0].astype(np.int64), labels, {"first": codes[:, 0]})


def _brackets(n: int, timesteps: int, rng: np.random.Generator) -> TaskData:
    opens = np.empty((n, timesteps), bool)
    depth = np.zeros((n, timesteps), np.float32)
    d = np.zeros(n, np.int64)
    coin = rng.random((n, timesteps))
    for t in range(timesteps):  # a walk that never closes more than it opened
        opens[:, t] = (d == 0) | (coin[:, t] < 0.5)
        d = d + np.where(opens[:, t], 1, -1)
        depth[:, t] = d
    x = np.stack([opens, ~opens], axis=-1).astype(np.float32)  # (N, T, 2): one-hot "(" | ")"
    labels = np.where(opens, "(", ")")
    return TaskData(x, depth[..., None], labels, {"depth": depth})


def _adding(n: int, timesteps: int, rng: np.random.Generator) -> TaskData:
    values = rng.random((n, timesteps)).astype(np.float32)
    half = timesteps // 2
    first = rng.integers(0, half, size=n)  # one marker in each half
    second = rng.integers(half, timesteps, size=n)
    markers = np.zeros((n, timesteps), np.float32)
    markers[np.arange(n), first] = 1
    markers[np.arange(n), second] = 1
    x = np.stack([values, markers], axis=-1)  # (N, T, 2): value, marker
    running = np.cumsum(values * markers, axis=1)  # (N, T) the marked sum so far
    labels = np.where(markers > 0, np.char.add("▲", np.char.mod("%.2f", values)), "·")
    return TaskData(x, running[:, -1:].astype(np.float32), labels, {"marked sum": running})


def _sine(n: int, timesteps: int, rng: np.random.Generator) -> TaskData:
    period = rng.uniform(6.0, 16.0, size=(n, 1))  # steps per cycle, each sample its own
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    t = np.arange(timesteps + 1)[None, :]
    clean = np.sin(2 * np.pi * t / period + phase)  # (N, T + 1)
    noisy = (clean + rng.normal(0, 0.1, size=clean.shape)).astype(np.float32)
    slope = np.cos(2 * np.pi * t / period + phase)  # rising or falling: what one noisy value cannot tell
    return TaskData(noisy[:, :-1, None], noisy[:, 1:, None], None, {"slope": slope[:, :-1]})


class TaskRegistry(Mapping):
    """The built-in tasks by key, and the learners' own data tasks registered while their sessions use them.

    Iterating, ``len`` and the pickers see the built-in tasks only. ``TASKS[key]`` and ``key in TASKS`` also find a
    registered data task (`register`): the trainer on its worker thread and the cached views look tasks up by key,
    as the URL spells them. At most `MAX_REGISTERED` data tasks are held (the oldest registered goes first); a page
    registers its session's task on every rerun, so an evicted one comes back when it is used.
    """

    MAX_REGISTERED = 16  # a learner's table is ≤ 1 MB of CSV: a task holds a few MB at most

    def __init__(self, built_in: dict[str, Task]):
        self._built_in = built_in
        self._registered: OrderedDict[str, Task] = OrderedDict()
        self._lock = threading.Lock()

    def register(self, task: Task) -> None:
        """Make ``task`` findable by its key (a learner's data task; a built-in key cannot be replaced)."""
        if task.key in self._built_in:
            raise ValueError(f"{task.key!r} is a built-in task")
        with self._lock:
            self._registered[task.key] = task
            self._registered.move_to_end(task.key)
            while len(self._registered) > self.MAX_REGISTERED:
                self._registered.popitem(last=False)

    def __getitem__(self, key: str) -> Task:
        if key in self._built_in:
            return self._built_in[key]
        with self._lock:
            return self._registered[key]

    def __contains__(self, key: object) -> bool:
        if key in self._built_in:
            return True
        with self._lock:
            return key in self._registered

    def __iter__(self) -> Iterator[str]:
        return iter(self._built_in)

    def __len__(self) -> int:
        return len(self._built_in)


TASKS = TaskRegistry(
    {
        "first": Task(
            key="first",
            title=N_("Remember the first"),
            teaches=N_("Memory: the answer is the first symbol, so the cell must hold it to the end (a forget gate near 1)."),
            features=FIRST_SYMBOLS,
            head_units=FIRST_SYMBOLS,
            head_activation="softmax",
            per_step=False,
            timesteps_range=(2, 80),
            default_timesteps=12,
            default_units=16,
            loss="sparse_categorical_crossentropy",
            metric=(N_("accuracy"), True),
            threshold=lambda baseline: 0.95,
            threshold_text=N_("accuracy ≥ 95%"),
            make=_first,
            epochs=10,
        ),
        "brackets": Task(
            key="brackets",
            title=N_("Bracket depth"),
            teaches=N_("Counting: the answer at each step is how many brackets are open, so a unit's c_t can count."),
            features=2,
            head_units=1,
            head_activation="linear",
            per_step=True,
            timesteps_range=(2, 60),
            default_timesteps=20,
            default_units=8,
            loss="mse",
            metric=(N_("exact depth"), True),
            threshold=lambda baseline: 0.95,
            threshold_text=N_("the depth exactly right (rounded) at ≥ 95% of steps"),
            make=_brackets,
            epochs=4,
        ),
        "adding": Task(
            key="adding",
            title=N_("The adding problem"),
            teaches=N_("Long range: add the two marked values, wherever they are; the cell keeps a running sum."),
            features=2,
            head_units=1,
            head_activation="linear",
            per_step=False,
            timesteps_range=(4, 100),
            default_timesteps=20,
            default_units=16,
            loss="mse",
            metric=("mse", False),
            threshold=lambda baseline: 0.1 * baseline,
            threshold_text=N_("mean squared error ≤ 10% of the no-memory baseline"),
            make=_adding,
            epochs=12,
        ),
        "sine": Task(
            key="sine",
            title=N_("Next step of a noisy sine"),
            teaches=N_("Forecasting: one noisy value cannot tell rising from falling; a few remembered steps can."),
            features=1,
            head_units=1,
            head_activation="linear",
            per_step=True,
            timesteps_range=(8, 100),
            default_timesteps=24,
            default_units=8,
            loss="mse",
            metric=("mse", False),
            threshold=lambda baseline: 0.3 * baseline,
            threshold_text=N_("mean squared error ≤ 30% of the no-memory baseline"),
            make=_sine,
            epochs=4,
        ),
    }
)
