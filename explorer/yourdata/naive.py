"""Naive forecasts, the bar a model must clear: the last value, and the value one season before.

Both see only the past of the target: the last value is the target column at the window's last row; the seasonal one
is the target at ``row − s·⌈h/s⌉`` (the same point of the latest season already seen), or the last value where the
series is not yet a season long. The baseline is the one of the two that errs less on the *training* windows, so the
held-out part never chooses it.
"""

from __future__ import annotations

import numpy as np

from explorer.yourdata.prepare import Prepared

MIN_SEASON_CORRELATION = 0.3  # an autocorrelation peak weaker than this is not called a season


def naive_forecast(prepared: Prepared, target_rows: np.ndarray, season: int) -> np.ndarray:
    """(n,) the naive forecast of each target row, in scaled units: the last value (``season`` 0) or seasonal."""
    h = prepared.options.horizon
    source = target_rows - h  # the window's last row
    if season:
        back = target_rows - season * -(-h // season)  # one or more whole seasons back, never after the window
        source = np.where(back >= 0, back, source)
    return prepared.scaled[source, prepared.target_column].astype(np.float32)


def baseline_season(prepared: Prepared, timesteps: int) -> int:
    """The season the baseline uses: the learner's season when it errs less than the last value on the training
    windows, else 0 (the last value)."""
    season = prepared.options.season
    if not season:
        return 0
    rows = prepared.target_rows(timesteps, "train")
    truth = prepared.scaled[rows, prepared.target_column]
    errors = [float(np.mean((naive_forecast(prepared, rows, s) - truth) ** 2)) for s in (0, season)]
    return season if errors[1] < errors[0] else 0


def detect_season(values: np.ndarray, longest: int = 400) -> int:
    """The strongest autocorrelation peak of ``values`` (N,) between lag 2 and ``min(longest, N/3)``, or 0 when none
    reaches `MIN_SEASON_CORRELATION`: a suggestion for the season, which the learner can change."""
    x = np.asarray(values, np.float64)
    x = x[np.isfinite(x)]
    top = min(longest, len(x) // 3)
    if top < 3 or np.ptp(x) == 0:
        return 0
    x = x - x.mean()
    trend = np.polyval(np.polyfit(np.arange(len(x)), x, 1), np.arange(len(x)))
    x = x - trend  # a trend correlates every lag; the season is what is left
    power = np.fft.rfft(x, 2 * len(x))
    acf = np.fft.irfft(power * np.conj(power))[: top + 1]
    acf = acf / acf[0] if acf[0] > 0 else acf
    lags = np.arange(2, top)
    peaks = lags[(acf[lags] > acf[lags - 1]) & (acf[lags] >= acf[lags + 1])]
    if not len(peaks):
        return 0
    best = int(peaks[np.argmax(acf[peaks])])
    return best if acf[best] >= MIN_SEASON_CORRELATION else 0
