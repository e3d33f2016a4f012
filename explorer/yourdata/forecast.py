"""The held-out part forecast by the model and by the naive forecast, in the data's own units, and who erred less."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.reference import ModelWeights, trace
from explorer.yourdata.naive import naive_forecast
from explorer.yourdata.task import SeriesTask

MAX_WINDOWS = 2000  # held-out windows scored at most (evenly spread beyond it): a trace's cost stays bounded
BATCH = 64  # windows traced at a time (a trace keeps every gate)


@dataclass(frozen=True)
class Forecast:
    """Held-out windows' targets and both forecasts of them, in the data's units.

    Attributes:
        rows: (n,) each target's row in the series (0-based).
        truth, model, naive: (n,) the target, the model's forecast, the naive forecast.
        season: the naive forecast's season (0: the last value).
    """

    rows: np.ndarray
    truth: np.ndarray
    model: np.ndarray
    naive: np.ndarray
    season: int

    @staticmethod
    def _rmse(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.sqrt(np.mean((a - b) ** 2)))

    @property
    def model_rmse(self) -> float:
        return self._rmse(self.model, self.truth)

    @property
    def naive_rmse(self) -> float:
        return self._rmse(self.naive, self.truth)

    @property
    def model_mae(self) -> float:
        return float(np.mean(np.abs(self.model - self.truth)))

    @property
    def naive_mae(self) -> float:
        return float(np.mean(np.abs(self.naive - self.truth)))

    @property
    def beats_naive(self) -> bool:
        return self.model_rmse < self.naive_rmse


def held_out_forecast(task: SeriesTask, weights: ModelWeights, timesteps: int) -> Forecast:
    """Forecast the held-out windows (at most `MAX_WINDOWS`, evenly spread) with ``weights`` by the NumPy reference.

    Args:
        task: the learner's series task.
        weights: the model's weights (its input ``(T, F)`` as the task's windows).
        timesteps: T.
    """
    data = task.held_out(MAX_WINDOWS, timesteps, 0)
    scaled = np.concatenate([trace(weights, data.x[k : k + BATCH]).output for k in range(0, len(data.x), BATCH)])  # (n, 1)
    season = task.baseline_season(timesteps)
    naive = naive_forecast(task.prepared, data.rows, season)
    return Forecast(
        data.rows,
        task.in_units(data.y[:, 0]),
        task.in_units(scaled[:, 0]),
        task.in_units(naive),
        season,
    )
