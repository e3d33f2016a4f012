"""Which model configs are one key press away: what is worth building before it is asked for.

A learner stepping a slider with the arrow keys moves one field by one, again and
again. After a step from ``previous`` to ``current``, the next config is most
likely the same field one more step in the same direction (and, for someone going
back and forth, one step back, which is already built). `next_configs` names the
one ahead, so the app can build it in the background while the learner looks at
the current one.
"""

from __future__ import annotations

from explorer.config import ConfigError, LSTMConfig

STEPPED_INT_FIELDS = ("timesteps", "features", "head_units", "seed")  # plus units[k], handled per layer


def _changed_step(previous: LSTMConfig, current: LSTMConfig) -> tuple[str, int | None, int] | None:
    """``(field, layer index or None, +1 / -1)`` when exactly one integer field moved; else None."""
    if len(previous.units) != len(current.units):
        return None  # a layer added or removed: too many ways to go on
    diffs = [(name, None, getattr(current, name) - getattr(previous, name)) for name in STEPPED_INT_FIELDS]
    diffs += [("units", k, b - a) for k, (a, b) in enumerate(zip(previous.units, current.units, strict=True))]
    diffs = [d for d in diffs if d[2]]
    if len(diffs) != 1:
        return None
    name, layer, delta = diffs[0]
    if previous.replace(**{name: getattr(current, name)}) != current:
        return None  # something else (an option) changed too
    return name, layer, 1 if delta > 0 else -1


def _stepped(cfg: LSTMConfig, name: str, layer: int | None, step: int) -> LSTMConfig | None:
    """``cfg`` with one field moved by ``step``; None past the field's range."""
    try:
        if layer is None:
            return cfg.replace(**{name: getattr(cfg, name) + step})
        units = list(cfg.units)
        units[layer] += step
        return cfg.replace(units=tuple(units))
    except ConfigError:  # off the end of the slider
        return None


def next_configs(previous: LSTMConfig | None, current: LSTMConfig) -> list[LSTMConfig]:
    """The config one more step along the field that just moved, in the same direction.

    (One step back is ``previous``, which was just built.)

    Args:
        previous: the config shown before (None on a session's first run).
        current: the config shown now.

    Returns:
        One config, or none: when the model did not change, when more than one field
        did, or at the end of the slider.
    """
    if previous is None or previous == current:
        return []
    step = _changed_step(previous, current)
    if step is None:
        return []
    ahead = _stepped(current, *step)
    return [] if ahead is None else [ahead]
