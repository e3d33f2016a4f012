"""From raw data to ``(samples, timesteps, features)`` (the question “understanding input_shape with my
data”), with every intermediate shape.

A CSV holds one series: numbers (one column, or the first numeric column), or
integer-coded symbols. `parse_series` validates it (size and row caps, text
encoding, numeric or integer codes only, finite values) and raises
`ShaperError` with a plain message for every bad file. `make_windows` cuts
windows of ``timesteps`` with a ``stride``; `encode` turns them into the
LSTM's input: reshape to ``(n, T, 1)``, one-hot to ``(n, T, V)``, or integer
codes ``(n, T)`` for an ``Embedding`` layer that makes ``(n, T, d)``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from explorer.i18n import N_, Message

MAX_BYTES = 1_000_000
MAX_ROWS = 100_000
MAX_VOCAB = 64  # one-hot width the explorer's models accept (features ≤ 64)
ENCODINGS = {  # messages
    "reshape": N_("reshape to (n, T, 1): one number per step"),
    "one_hot": N_("one-hot to (n, T, V): one column per symbol"),
    "embedding": N_("Embedding layer first: keep (n, T) codes, the layer makes (n, T, d)"),
}


class ShaperError(ValueError):
    """A file or setting the shaper cannot use, explained for the learner."""


@dataclass(frozen=True)
class Series:
    """A parsed series: values (N,), and whether they are integer codes (symbols)."""

    values: np.ndarray
    column: str
    integer_codes: bool

    @property
    def vocabulary(self) -> int:
        """V, the number of distinct codes (0 … max) for integer data."""
        return int(self.values.max()) + 1 if self.integer_codes else 0


def parse_series(data: bytes | str, *, column: str | None = None, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Series:
    """Read one numeric series from CSV text.

    Args:
        data: the file's bytes (UTF-8) or text. One value per row; with several columns the first
            numeric column is used; a non-numeric first row is taken as a header.
        column: the header name (or ``"column j"``) of the column to use; ``None`` = the first numeric one.

    Returns:
        The `Series`.

    Raises:
        ShaperError: empty, too large, not UTF-8, not numeric, non-finite, or negative codes.
    """
    if isinstance(data, bytes):
        if len(data) > max_bytes:
            raise ShaperError(
                Message(
                    "The file is {size} bytes; the limit is {limit}. Upload a shorter series.",
                    size=f"{len(data):,}",
                    limit=f"{max_bytes:,}",
                )
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ShaperError(
                Message("The file is not UTF-8 text (byte {start}): save it as a plain CSV.", start=err.start)
            ) from None
    else:
        text = data
        if len(text.encode()) > max_bytes:
            raise ShaperError(Message("The text is longer than {limit} bytes. Paste a shorter series.", limit=f"{max_bytes:,}"))
    if "\x00" in text:
        raise ShaperError(Message("The file contains binary data; upload a plain-text CSV."))
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as err:
        raise ShaperError(Message("The CSV could not be read: {err}.", err=err)) from None
    if not rows:
        raise ShaperError(Message("The file is empty: give one number per line (e.g. 0.5, 0.7, …)."))
    header = None
    if not _all_numeric(rows[0]):
        header, rows = rows[0], rows[1:]
    if len(rows) > max_rows:
        raise ShaperError(
            Message("The series has {rows} rows; the limit is {limit}.", rows=f"{len(rows):,}", limit=f"{max_rows:,}")
        )
    if not rows:
        raise ShaperError(Message("Only a header row was found: add values below it."))
    width = max(len(r) for r in rows)
    names = [header[j].strip() if header and j < len(header) else str(Message("column {k}", k=j + 1)) for j in range(width)]
    if column is not None and column not in names:
        raise ShaperError(
            Message("There is no column {column}; the columns are {names}.", column=repr(column), names=", ".join(names))
        )
    for j in range(width):
        if column is not None and names[j] != column:
            continue
        cells = [r[j].strip() if j < len(r) else "" for r in rows]
        try:
            values = np.array([float(c) for c in cells], dtype=np.float64)
        except ValueError:
            continue
        if not np.isfinite(values).all():
            bad = int(np.argmax(~np.isfinite(values)))
            raise ShaperError(
                Message("Row {row} holds {bad}: every value must be a finite number.", row=bad + 1, bad=repr(cells[bad]))
            )
        with np.errstate(over="ignore"):
            values32 = values.astype(np.float32)  # what the model is fed: float32
        if not np.isfinite(values32).all():
            bad = int(np.argmax(~np.isfinite(values32)))
            raise ShaperError(
                Message(
                    "Row {row} holds {bad}: beyond float32's range (±3.4e38), the model's number type.",
                    row=bad + 1,
                    bad=repr(cells[bad]),
                )
            )
        name = names[j]
        integer = bool(np.all(values == np.round(values)))
        if integer and values.min() < 0:
            integer = False  # negative integers are numbers, not symbol codes
        return Series(values32, name, integer)
    if column is not None:
        raise ShaperError(
            Message("Column {column} does not hold only numbers: use numbers or integer codes.", column=repr(column))
        )
    example = next((c for c in rows[0] if c.strip()), "")
    raise ShaperError(
        Message("No column holds only numbers (e.g. {example} in row 1): use numbers or integer codes.", example=repr(example))
    )


def _all_numeric(row: list[str]) -> bool:
    try:
        [float(c) for c in row if c.strip()]
    except ValueError:
        return False
    return True


def make_windows(values: np.ndarray, timesteps: int, stride: int = 1) -> np.ndarray:
    """Cut (N,) into windows (n, T): sample i is ``values[i·stride : i·stride + T]``.

    Raises:
        ShaperError: when the series is shorter than one window or the settings are out of range.
    """
    if timesteps < 1 or stride < 1:
        raise ShaperError(Message("timesteps and stride must be at least 1."))
    if len(values) < timesteps:
        raise ShaperError(
            Message(
                "The series has {values} values, fewer than timesteps = {timesteps}: lower timesteps.",
                values=len(values),
                timesteps=timesteps,
            )
        )
    n = (len(values) - timesteps) // stride + 1
    index = np.arange(timesteps)[None, :] + stride * np.arange(n)[:, None]  # (n, T)
    return values[index]


def encode(windows: np.ndarray, mode: str, vocabulary: int = 0) -> np.ndarray:
    """Turn windows (n, T) into the LSTM's input.

    Args:
        windows: (n, T) values or integer codes.
        mode: ``"reshape"`` → (n, T, 1); ``"one_hot"`` → (n, T, V); ``"embedding"`` → (n, T) int codes.
        vocabulary: V for one-hot and embedding (integer codes 0 … V-1).

    Raises:
        ShaperError: for one-hot or embedding of non-integer data, or V over the explorer's limit.
    """
    if mode == "reshape":
        return windows[..., None].astype(np.float32)  # (n, T) → (n, T, 1)
    if mode not in ENCODINGS:
        raise ShaperError(
            Message("Unknown encoding {mode}; choose one of {encodings}.", mode=repr(mode), encodings=", ".join(ENCODINGS))
        )
    if not np.all(windows == np.round(windows)) or windows.min() < 0:
        raise ShaperError(Message("One-hot and Embedding need integer symbol codes 0, 1, 2, …; these values are not."))
    codes = windows.astype(np.int64)
    if mode == "embedding":
        return codes  # (n, T): the Embedding layer looks each code up
    if vocabulary > MAX_VOCAB:
        raise ShaperError(
            Message(
                "{n} symbols would make {n} features; the explorer allows {most}. Use an Embedding layer instead.",
                n=vocabulary,
                most=MAX_VOCAB,
            )
        )
    return np.eye(vocabulary, dtype=np.float32)[codes]  # (n, T) → (n, T, V)


def column_names(data: bytes | str) -> list[str]:
    """Header names (or ``column j``) of a CSV, for choosing the series; [] when unreadable."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        first = next(csv.reader(io.StringIO(text[:10_000])), [])
    except (UnicodeDecodeError, csv.Error):
        return []
    if _all_numeric(first):
        return [str(Message("column {k}", k=j + 1)) for j in range(len(first))]
    return [c.strip() for c in first]
