"""A table and the learner's choices made into what training needs: gap-free columns, the split in time, the scaling
fitted on the training rows only, and every window's rows.

Windows: the window starting at row ``i`` holds rows ``i … i+T-1`` of the inputs; its target is the target column at
row ``i+T-1+h``. A window *trains* when its target row is before the split, and is *held out* otherwise: no training
window's target lies in the held-out part, and the scaling never sees a held-out row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.i18n import Message
from explorer.yourdata.options import SeriesOptions
from explorer.yourdata.table import DataError, Table

MIN_TRAIN_WINDOWS = 16
MIN_HELD_OUT_WINDOWS = 8
MAX_TIMESTEPS = 200  # the timesteps slider's end


@dataclass(frozen=True)
class Scaler:
    """Per-column ``(x − shift) / scale``, fitted on the training rows.

    Attributes:
        shift, scale: (C,) float64, one per column of `SeriesOptions.columns`.
    """

    kind: str
    shift: np.ndarray
    scale: np.ndarray

    def apply(self, values: np.ndarray) -> np.ndarray:
        """(…, C) raw → scaled."""
        return (values - self.shift) / self.scale

    def undo(self, values: np.ndarray, column: int) -> np.ndarray:
        """Scaled values of column ``column`` back in the data's own units."""
        return values * self.scale[column] + self.shift[column]


def fit_scaler(kind: str, train_rows: np.ndarray) -> Scaler:
    """The scaling ``kind`` fitted on ``train_rows`` (n, C); a constant column keeps scale 1."""
    c = train_rows.shape[1]
    if kind == "standard":
        shift, scale = train_rows.mean(axis=0), train_rows.std(axis=0)
    elif kind == "minmax":
        shift, scale = train_rows.min(axis=0), train_rows.max(axis=0) - train_rows.min(axis=0)
    else:
        shift, scale = np.zeros(c), np.ones(c)
    return Scaler(kind, shift, np.where(scale > 0, scale, 1.0))


def fill_gaps(values: np.ndarray, rule: str, names: tuple[str, ...]) -> tuple[np.ndarray, int]:
    """``values`` (N, C) without gaps by ``rule``; returns them and how many rows had a gap.

    Raises:
        DataError: gaps under the rule ``refuse``, or a column with no value at all.
    """
    holes = np.isnan(values)
    rows = int(holes.any(axis=1).sum())
    if rows == 0:
        return values, 0
    first_row, first_col = (int(k) for k in np.argwhere(holes)[0])
    if rule == "refuse":
        raise DataError(
            Message(
                "{rows} rows have an empty or NaN cell (the first: row {row}, column {column}). Choose to drop those "
                "rows or to interpolate them.",
                rows=rows,
                row=first_row + 1,
                column=repr(names[first_col]),
            )
        )
    if rule == "drop":
        return values[~holes.any(axis=1)], rows
    out = values.copy()
    t = np.arange(len(values))
    for j in range(values.shape[1]):
        known = ~holes[:, j]
        out[:, j] = np.interp(t, t[known], values[known, j])  # ends take the nearest known value
    return out, rows


@dataclass(frozen=True, eq=False)
class Prepared:
    """A series ready to window.

    Attributes:
        options: the learner's choices.
        raw: (N, C) the columns of `SeriesOptions.columns`, gap-free, in the data's units.
        scaled: (N, C) float32, scaled by ``scaler``.
        scaler: fitted on rows ``[:split]``.
        split: the first held-out row.
        gap_rows: rows that had a gap (dropped or interpolated).
    """

    options: SeriesOptions
    raw: np.ndarray
    scaled: np.ndarray
    scaler: Scaler
    split: int
    gap_rows: int

    @property
    def target_column(self) -> int:
        return self.options.columns.index(self.options.target)

    @property
    def input_columns(self) -> list[int]:
        return [self.options.columns.index(n) for n in self.options.inputs]

    def max_timesteps(self) -> int:
        """The longest window that leaves `MIN_TRAIN_WINDOWS` training windows (0 when none does)."""
        longest = self.split - self.options.horizon - MIN_TRAIN_WINDOWS + 1  # train targets: rows T-1+h … split-1
        return int(min(MAX_TIMESTEPS, longest))

    def target_rows(self, timesteps: int, part: str) -> np.ndarray:
        """The target row of every window of length ``timesteps`` in ``part`` (``train`` or ``held_out``), in order."""
        first = timesteps - 1 + self.options.horizon
        rows = np.arange(first, len(self.raw))
        return rows[rows < self.split] if part == "train" else rows[rows >= self.split]

    def windows(self, target_rows: np.ndarray, timesteps: int) -> tuple[np.ndarray, np.ndarray]:
        """Scaled inputs (n, T, F) float32 and targets (n, 1) float32 of the windows whose targets are ``target_rows``."""
        ends = target_rows - self.options.horizon  # each window's last row
        rows = ends[:, None] - np.arange(timesteps - 1, -1, -1)[None, :]  # (n, T), oldest first
        x = self.scaled[rows][:, :, self.input_columns]  # (n, T, F)
        y = self.scaled[target_rows, self.target_column][:, None]  # (n, 1)
        return x.astype(np.float32), y.astype(np.float32)


def prepare(table: Table, options: SeriesOptions) -> Prepared:
    """The learner's table and choices as a `Prepared` series.

    Raises:
        DataError: a missing column, gaps under ``refuse``, too few rows for the split, or a constant target.
    """
    for name in options.columns:
        if name not in table.names:
            raise DataError(
                Message("There is no column {column}; the columns are {names}.", column=repr(name), names=", ".join(table.names))
            )
    raw = table.values[:, [table.names.index(n) for n in options.columns]]  # (N, C)
    raw, gap_rows = fill_gaps(raw, options.gaps, options.columns)
    split = int(len(raw) * options.train_percent // 100)
    need = MIN_TRAIN_WINDOWS + options.horizon + 1  # a window of 2 steps at the least
    if split < need or len(raw) - split < MIN_HELD_OUT_WINDOWS:
        raise DataError(
            Message(
                "The series has {rows} rows: too few to train on {train}% and hold out the rest. It needs at least "
                "{need} training rows and {held} held-out rows.",
                rows=len(raw),
                train=options.train_percent,
                need=need,
                held=MIN_HELD_OUT_WINDOWS,
            )
        )
    target = raw[:split, options.columns.index(options.target)]
    if np.ptp(target) == 0:
        raise DataError(
            Message(
                "The target {column} has one value on every training row: there is nothing to forecast.",
                column=repr(options.target),
            )
        )
    scaler = fit_scaler(options.scaling, raw[:split])
    scaled = scaler.apply(raw).astype(np.float32)
    raw.setflags(write=False)
    scaled.setflags(write=False)
    return Prepared(options, raw, scaled, scaler, split, gap_rows)
