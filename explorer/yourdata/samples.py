"""The sample series the app ships in ``assets/`` (generated here, so the file can be checked against its recipe).

``daily_rentals.csv``: three years of a made-up bike-rental scheme, one row a day: a date, the rentals (the column
forecast by default) and the day's mean temperature (a yearly season with weather noise). Rentals follow the
temperature, a weekly rhythm (fewer on weekends), slow growth, and noise of their own. A weekly season (7) and a
yearly one: a fair test for a forecast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parents[2] / "assets"
EXAMPLE = ASSETS / "example_series.csv"  # temperature and weather code, 120 rows (the data shaper's example)
SEASONAL = ASSETS / "daily_rentals.csv"
TEXT = ASSETS / "fables.txt"  # nine fables after Aesop, retold for this app (public domain, 5 kB)
SEASONAL_DAYS = 3 * 365
SEASONAL_SEED = 20261205


def seasonal_csv(days: int = SEASONAL_DAYS, seed: int = SEASONAL_SEED) -> str:
    """The text of ``daily_rentals.csv``: columns ``date, rentals, temperature_c``."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    weather = np.zeros(days)
    for k in range(1, days):  # weather spells: today's anomaly carries most of yesterday's
        weather[k] = 0.7 * weather[k - 1] + rng.normal(0, 1.6)
    temperature = 11 - 9 * np.cos(2 * np.pi * (t - 15) / 365) + weather
    weekday = np.array([1.0, 1.05, 1.05, 1.05, 1.1, 0.75, 0.6])[(t + 3) % 7]  # the first row is a Thursday
    demand = (300 + 0.15 * t) * (1 + 0.035 * (temperature - 11)) * weekday
    rentals = np.maximum(0, np.round(demand + rng.normal(0, 18, days)))
    start = dt.date(2023, 1, 5)
    lines = ["date,rentals,temperature_c"]
    lines += [f"{start + dt.timedelta(days=int(k))},{int(rentals[k])},{temperature[k]:.1f}" for k in t]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m explorer.yourdata.samples: write the asset
    SEASONAL.write_text(seasonal_csv())
