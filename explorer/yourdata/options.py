"""What a learner chose for their series, frozen, and its spelling as a task key in the URL.

The key names the data by its digest and spells every choice, so the same file with the same choices is the same
training run (shared by every session that has the file), and a link carries everything except the data:
``series:3fa2c1b0d9e8;in=temperature;y=temperature;h=1;train=80;scale=standard;season=12;gaps=refuse``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import quote, unquote

from explorer.i18n import N_

PREFIX = "series:"
DIGEST_CHARS = 12
HORIZON_RANGE = (1, 50)
TRAIN_PERCENT_RANGE = (50, 95)
SEASON_RANGE = (0, 500)
SCALINGS = {  # key -> how the columns are scaled (fitted on the training part only)
    "standard": N_("standardise: (x − mean) / std"),
    "minmax": N_("min–max: (x − min) / (max − min)"),
    "none": N_("none: the raw values"),
}
GAPS = {  # key -> what happens to rows with an empty or NaN cell
    "refuse": N_("stop and say where they are"),
    "drop": N_("drop those rows"),
    "interpolate": N_("interpolate linearly"),
}


@dataclass(frozen=True)
class SeriesOptions:
    """A learner's series task.

    Attributes:
        digest: the data's sha256 (its first `DIGEST_CHARS` hex characters).
        inputs: the columns fed to the model, one feature each (F = len(inputs)).
        target: the column to forecast.
        horizon: how many steps after a window's last row the target is (1 = the next value).
        train_percent: the first rows that train, in time order; the rest are held out (never shuffled across).
        scaling: a key of `SCALINGS`.
        season: the length of a season in rows for the seasonal naive forecast (0 = none).
        gaps: a key of `GAPS`.
    """

    digest: str
    inputs: tuple[str, ...]
    target: str
    horizon: int = 1
    train_percent: int = 80
    scaling: str = "standard"
    season: int = 0
    gaps: str = "refuse"

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", self.digest[:DIGEST_CHARS])
        if len(self.digest) != DIGEST_CHARS or any(c not in "0123456789abcdef" for c in self.digest):
            raise ValueError("digest must be hex")
        if not self.inputs or not self.target or len(set(self.inputs)) < len(self.inputs):
            raise ValueError("inputs and target must be named, inputs once each")
        for value, (lo, hi) in (
            (self.horizon, HORIZON_RANGE),
            (self.train_percent, TRAIN_PERCENT_RANGE),
            (self.season, SEASON_RANGE),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise ValueError(f"{value!r} is outside {lo}–{hi}")
        if self.scaling not in SCALINGS or self.gaps not in GAPS:
            raise ValueError("unknown scaling or gap rule")

    @property
    def columns(self) -> tuple[str, ...]:
        """The inputs, then the target when it is not one of them: every column the task reads."""
        return self.inputs if self.target in self.inputs else (*self.inputs, self.target)

    def key(self) -> str:
        """The task key (`PREFIX` …), as the URL's ``task=`` carries it."""
        parts = [
            self.digest,
            "in=" + ",".join(quote(n, safe="") for n in self.inputs),
            "y=" + quote(self.target, safe=""),
            f"h={self.horizon}",
            f"train={self.train_percent}",
            f"scale={self.scaling}",
            f"season={self.season}",
            f"gaps={self.gaps}",
        ]
        return PREFIX + ";".join(parts)

    @classmethod
    def from_key(cls, key: str) -> SeriesOptions:
        """The options a task key spells.

        Raises:
            ValueError: not a series key, or a part missing or out of range.
        """
        if not key.startswith(PREFIX):
            raise ValueError("not a series key")
        digest, *parts = key.removeprefix(PREFIX).split(";")
        fields = dict(part.split("=", 1) for part in parts if "=" in part)
        try:
            return cls(
                digest,
                tuple(unquote(n) for n in fields["in"].split(",")),
                unquote(fields["y"]),
                int(fields.get("h", 1)),
                int(fields.get("train", 80)),
                fields.get("scale", "standard"),
                int(fields.get("season", 0)),
                fields.get("gaps", "refuse"),
            )
        except KeyError as err:
            raise ValueError(f"the series key has no {err}") from None

    def replace(self, **changes) -> SeriesOptions:
        return dataclasses.replace(self, **changes)


def is_series_key(key: str) -> bool:
    """Whether ``key`` spells a series task (whether or not its data are here)."""
    try:
        SeriesOptions.from_key(key)
    except ValueError:
        return False
    return True
