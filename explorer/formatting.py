"""How shapes are written everywhere in the app: as Keras prints them."""

from __future__ import annotations


def format_shape(shape) -> str:
    """``(None, 12, 3)``, ``(64,)`` for one axis, and ``[(…), (…)]`` for a list of shapes (``return_state``)."""
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
