"""A CSV read as a table of numeric columns, with its empty or ``NaN`` cells kept as gaps, and its bad files
explained: too big, not UTF-8, binary, no numeric column, too few rows."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass

import numpy as np

from explorer.i18n import N_, Message

MAX_BYTES = 1_000_000  # the CSV a learner may bring
MAX_ROWS = 100_000
MAX_COLUMNS = 64  # numeric columns kept (the model's features stop at 64)
MISSING = {"", "nan", "na", "n/a", "null", "none", "-", "?"}  # cells read as a gap (compared lower-cased)


class DataError(ValueError):
    """Data the app cannot use, explained for the learner (its argument is a `Message`)."""


@dataclass(frozen=True, eq=False)
class Table:
    """The numeric columns of a CSV.

    Attributes:
        names: each kept column's header (``column k`` without a header).
        values: (N, C) float64, ``NaN`` where a cell was empty or missing.
        digest: sha256 of the file's bytes (hex): what names the data without holding it.
        skipped: the columns left out because they are not numbers (e.g. dates).
    """

    names: tuple[str, ...]
    values: np.ndarray
    digest: str
    skipped: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return int(self.values.shape[0])

    def column(self, name: str) -> np.ndarray:
        """(N,) the column ``name``."""
        return self.values[:, self.names.index(name)]

    def gaps(self, names: tuple[str, ...]) -> int:
        """How many rows have a gap in any of the columns ``names``."""
        cols = self.values[:, [self.names.index(n) for n in names]]
        return int(np.isnan(cols).any(axis=1).sum())


TOO_BIG = N_("The file is {size} bytes; the limit is {limit}. Upload a shorter series.")
NOT_UTF8 = N_("The file is not UTF-8 text (byte {start}): save it as a plain CSV.")
BINARY = N_("The file contains binary data; upload a plain-text CSV.")


def read_utf8(
    data: bytes | str, max_bytes: int, *, too_big: str = TOO_BIG, not_utf8: str = NOT_UTF8, binary: str = BINARY
) -> str:
    """A learner's bytes (or pasted text) as text, measured before it is read.

    Args:
        data: the bytes, or text already decoded.
        max_bytes: the limit on the UTF-8 size.
        too_big, not_utf8, binary: the message ids that explain each refusal (placeholders ``size``, ``limit``;
            ``start``; none), so a CSV and a text are each refused in their own words.

    Raises:
        DataError: over ``max_bytes``, not UTF-8, or binary (a NUL byte).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise DataError(Message(too_big, size=f"{len(raw):,}", limit=f"{max_bytes:,}"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(Message(not_utf8, start=err.start)) from None
    if "\x00" in text:
        raise DataError(Message(binary))
    return text


def _number(cell: str) -> float | None:
    """The cell's value, ``nan`` for a gap, ``None`` when it is not a number."""
    cell = cell.strip()
    if cell.lower() in MISSING:
        return float("nan")
    try:
        return float(cell)
    except ValueError:
        return None


def parse_table(data: bytes | str, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Table:
    """Read the numeric columns of a CSV (a header row optional; text columns such as dates are skipped).

    Args:
        data: the file's bytes (UTF-8) or pasted text.

    Returns:
        The `Table`.

    Raises:
        DataError: too large, not UTF-8, binary, unreadable, empty, no numeric column, or a value beyond float32.
    """
    text = read_utf8(data, max_bytes)
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as err:
        raise DataError(Message("The CSV could not be read: {err}.", err=err)) from None
    if not rows:
        raise DataError(Message("The file is empty: give one number per line (e.g. 0.5, 0.7, …)."))
    header = None
    if any(_number(c) is None for c in rows[0]):
        header, rows = rows[0], rows[1:]
    if len(rows) > max_rows:
        raise DataError(
            Message("The series has {rows} rows; the limit is {limit}.", rows=f"{len(rows):,}", limit=f"{max_rows:,}")
        )
    if not rows:
        raise DataError(Message("Only a header row was found: add values below it."))
    width = max(len(r) for r in rows)
    names = [
        header[j].strip() if header and j < len(header) and header[j].strip() else str(Message("column {k}", k=j + 1))
        for j in range(width)
    ]
    kept, columns, skipped = [], [], []
    for j in range(width):
        cells = [_number(r[j]) if j < len(r) else float("nan") for r in rows]
        if any(c is None for c in cells) or all(np.isnan(c) for c in cells):
            skipped.append(names[j])
            continue
        values = np.array(cells, dtype=np.float64)
        with np.errstate(over="ignore"):
            wide = np.isinf(values) | (np.isfinite(values) & ~np.isfinite(values.astype(np.float32)))
        if wide.any():
            bad = int(np.argmax(wide))
            raise DataError(
                Message(
                    "Row {row} of {column} holds {bad}: beyond float32's range (±3.4e38), the model's number type.",
                    row=bad + 1,
                    column=repr(names[j]),
                    bad=repr(rows[bad][j].strip()),
                )
            )
        kept.append(names[j])
        columns.append(values)
    if not columns:
        example = next((c for c in rows[0] if c.strip()), "")
        raise DataError(
            Message(
                "No column holds only numbers (e.g. {example} in row 1): use numbers or integer codes.", example=repr(example)
            )
        )
    if len(set(kept)) < len(kept):
        raise DataError(
            Message(
                "Two columns share the name {name}: give each column its own header.",
                name=repr(next(n for n in kept if kept.count(n) > 1)),
            )
        )
    values = np.stack(columns[:MAX_COLUMNS], axis=1)  # (N, C)
    values.setflags(write=False)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return Table(tuple(kept[:MAX_COLUMNS]), values, hashlib.sha256(raw).hexdigest(), tuple(skipped))
