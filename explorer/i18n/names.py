"""Layer names as the page shows them: Keras's own name, and a Bidirectional direction in the page's language.

The engine names one direction of a ``Bidirectional`` layer ``"bidirectional_1 · forward"`` (its label, in every
language: it keys caches and pickers). Where the label is drawn, the direction word is translated:
``"bidirectional_1 · 前向"``.
"""

from __future__ import annotations

from explorer.i18n.catalogue import N_, _

DIRECTION_WORDS = {"forward": N_("forward"), "backward": N_("backward")}
SEPARATOR = " · "


def layer_label(name: str) -> str:
    """``name`` with a direction's word translated (`DIRECTION_WORDS`); any other name as it is."""
    layer, sep, direction = name.rpartition(SEPARATOR)
    if sep and direction in DIRECTION_WORDS:
        return f"{layer}{SEPARATOR}{_(DIRECTION_WORDS[direction])}"
    return name
