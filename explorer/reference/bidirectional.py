"""A ``Bidirectional`` LSTM as what it is: two LSTMs over the same steps, one reading forward and one backward, their
outputs merged (``keras/src/layers/rnn/bidirectional.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.reference.forward import lstm_layer
from explorer.reference.masking import masked_lstm_layer
from explorer.reference.traces import LayerTrace
from explorer.reference.weights import LSTMWeights, lstm_weights

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


@dataclass(frozen=True)
class BidirectionalTrace:
    """Both directions of a ``Bidirectional`` layer and what it returns.

    Attributes:
        forward, backward: each direction's `LayerTrace` in its own processing order (the backward one's index ``t``
            is input step ``T - 1 - t``).
        merge_mode: ``"concat"``, ``"sum"``, ``"mul"``, ``"ave"`` or ``None`` (both outputs, unmerged).
        output: what Keras returns: (B, T, 2U) or (B, T, U) with return_sequences (the backward sequence put back in
            input order first), else (B, 2U) or (B, U); with ``None`` a pair ``(forward, backward)``.
    """

    forward: LayerTrace
    backward: LayerTrace
    merge_mode: str | None
    output: np.ndarray | tuple[np.ndarray, np.ndarray]


def merge(y: np.ndarray, y_rev: np.ndarray, mode: str | None):
    """Keras's merge of the two directions' outputs (already aligned in time)."""
    if mode == "concat":
        return np.concatenate([y, y_rev], axis=-1)
    if mode == "sum":
        return y + y_rev
    if mode == "mul":
        return y * y_rev
    if mode == "ave":
        return (y + y_rev) / 2
    if mode is None:
        return y, y_rev
    raise ValueError(f"merge_mode must be one of {MERGE_MODES}, got {mode!r}")


def bidirectional_layer(
    forward: LSTMWeights, backward: LSTMWeights, x: np.ndarray, merge_mode: str | None = "concat", mask=None
) -> BidirectionalTrace:
    """Run a ``Bidirectional`` LSTM over a batch, keeping every gate of both directions.

    Args:
        forward, backward: the two directions' weights (the backward one has ``go_backwards``).
        x: (B, T, F_in) input.
        merge_mode: how the outputs combine (`MERGE_MODES`).
        mask: optional (B, T) bool, ``False`` at padding.
    """
    if mask is None:
        fw, bw = lstm_layer(forward, x), lstm_layer(backward, x)
    else:  # a Bidirectional returns zeros at a masked step of a sequence it returns
        fw = masked_lstm_layer(forward, x, mask, zero_output=forward.return_sequences)
        bw = masked_lstm_layer(backward, x, mask, zero_output=backward.return_sequences)
    y, y_rev = fw.output, bw.output
    if backward.return_sequences:
        y_rev = y_rev[:, ::-1]  # back into input order, as Keras flips it
    return BidirectionalTrace(fw, bw, merge_mode, merge(y, y_rev, merge_mode))


def bidirectional_weights(layer) -> tuple[LSTMWeights, LSTMWeights, str | None]:
    """A Keras ``Bidirectional(LSTM)`` layer's two directions and its merge mode.

    Returns:
        ``(forward, backward, merge_mode)``, named ``"<layer> · forward"`` and ``"<layer> · backward"``.
    """
    return (
        lstm_weights(layer.forward_layer, f"{layer.name} · forward"),
        lstm_weights(layer.backward_layer, f"{layer.name} · backward"),
        layer.merge_mode,
    )
