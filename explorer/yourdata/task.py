"""A learner's series as a training `Task`: training windows drawn from before the split, held-out windows after it,
the naive forecast as the bar to clear. It plugs into the same trainer, snapshots, probes and views as the built-in
tasks (its key is `SeriesOptions.key`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from explorer.i18n import N_, Message
from explorer.training.tasks import Task, TaskData
from explorer.yourdata.naive import baseline_season, naive_forecast
from explorer.yourdata.options import SeriesOptions
from explorer.yourdata.prepare import Prepared, prepare
from explorer.yourdata.table import DataError, Table

DEFAULT_UNITS = 16
DEFAULT_EPOCHS = 6  # measured: benchmarks/bench_yourdata.py


def _unavailable(n: int, timesteps: int, rng: np.random.Generator) -> TaskData:
    raise NotImplementedError("a series task draws its windows with SeriesTask.generate")


@dataclass(frozen=True, eq=False)
class SeriesTask(Task):
    """The built-in `Task` interface over a learner's `Prepared` series (``prepared`` is required)."""

    prepared: Prepared | None = None

    @property
    def options(self) -> SeriesOptions:
        return self.prepared.options

    def generate(self, n: int, timesteps: int, seed: int) -> TaskData:
        """``n`` training windows drawn with replacement (seeded) from before the split."""
        rows = self._rows(timesteps, "train")
        picked = np.sort(np.random.default_rng(seed).choice(rows, size=int(n), replace=True))
        return self._data(picked, timesteps)

    def held_out(self, n: int, timesteps: int, seed: int) -> TaskData:
        """Up to ``n`` held-out windows, evenly spread over the held-out part in time order (``seed`` unused)."""
        rows = self._rows(timesteps, "held_out")
        picked = rows[np.unique(np.linspace(0, len(rows) - 1, min(int(n), len(rows))).round().astype(int))]
        return self._data(picked, timesteps)

    def all_held_out(self, timesteps: int) -> TaskData:
        """Every held-out window, in time order."""
        return self._data(self._rows(timesteps, "held_out"), timesteps)

    def _rows(self, timesteps: int, part: str) -> np.ndarray:
        lo, hi = self.timesteps_range
        if not lo <= timesteps <= hi:
            raise ValueError(f"this series takes {lo}–{hi} timesteps, got {timesteps}")
        return self.prepared.target_rows(timesteps, part)

    def _data(self, target_rows: np.ndarray, timesteps: int) -> TaskData:
        p = self.prepared
        x, y = p.windows(target_rows, timesteps)  # (n, T, F), (n, 1)
        rows = (target_rows - self.options.horizon)[:, None] - np.arange(timesteps - 1, -1, -1)[None, :]  # (n, T)
        first_input = p.input_columns[0]
        labels = np.char.mod("%.4g", p.raw[rows, first_input])
        return TaskData(x, y, labels, {}, target_rows)  # no probe: a unit following the input itself is no finding

    @cached_property
    def _baseline_season(self) -> dict[int, int]:
        return {}

    def baseline_season(self, timesteps: int) -> int:
        """The season of the naive forecast the task is judged against (0: the last value)."""
        cache = self._baseline_season
        if timesteps not in cache:
            cache[timesteps] = baseline_season(self.prepared, timesteps)
        return cache[timesteps]

    def predict_memoryless(self, data: TaskData) -> np.ndarray:
        """The naive forecast (the bar a model must clear), scaled, (n, 1)."""
        timesteps = data.x.shape[1]
        return naive_forecast(self.prepared, data.rows, self.baseline_season(timesteps))[:, None]

    def in_units(self, scaled: np.ndarray) -> np.ndarray:
        """Scaled target values back in the data's own units."""
        return self.prepared.scaler.undo(np.asarray(scaled, np.float64), self.prepared.target_column)


def series_task(table: Table, options: SeriesOptions) -> SeriesTask:
    """The training task of ``table`` under the learner's ``options``.

    Raises:
        DataError: the data cannot make the task (see `prepare`), or no window fits before the split.
    """
    prepared = prepare(table, options)
    longest = prepared.max_timesteps()
    if longest < 2:
        raise DataError(
            Message(
                "Too few training rows for a window of 2 steps and a horizon of {h}: train on a larger share or forecast nearer.",
                h=options.horizon,
            )
        )
    return SeriesTask(
        key=options.key(),
        title=N_("Your series"),
        teaches=N_("Forecasting your data: the windows before the split train, the ones after it judge."),
        features=len(options.inputs),
        head_units=1,
        head_activation="linear",
        per_step=False,
        timesteps_range=(2, longest),
        default_timesteps=min(longest, max(12, options.season)),
        default_units=DEFAULT_UNITS,
        loss="mse",
        metric=("mse", False),
        threshold=lambda baseline: baseline,
        threshold_text=N_("mean squared error below the naive forecast's"),
        make=_unavailable,
        epochs=DEFAULT_EPOCHS,
        baseline_name=N_("naive forecast"),
        prepared=prepared,
    )
