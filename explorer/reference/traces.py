"""What a reference forward pass keeps: every gate of every layer, per sample and step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LayerTrace:
    """Everything one LSTM layer computed, per sample and step.

    Arrays ``i, f, g, o, c, h`` are ``(batch, timesteps, units)`` in *processing
    order*: index ``t`` is the t-th step the cell took. With ``go_backwards`` the
    cell reads the input from its last step to its first, so index ``t`` belongs
    to input step ``T - 1 - t`` — exactly the order of Keras's own returned
    sequence, which Keras also leaves reversed.

    Attributes:
        name: Keras layer name.
        i, f, o: input, forget and output gates.
        g: the candidate values (Keras's ``c`` slice of the kernel).
        c: cell state after each step.
        h: hidden state after each step.
        h0, c0: the initial states ``(batch, units)`` (zeros unless given).
        return_sequences, go_backwards: the layer's flags.
        mask: ``(batch, timesteps)`` bool in processing order, ``False`` where the step was skipped (padding): there
            ``c`` and ``h`` keep their previous values, as Keras does; ``None`` when nothing is masked.
        outputs: ``(batch, timesteps, units)`` what the layer returns at each step when steps are masked (the last
            output repeated, or zeros inside a ``Bidirectional``); ``None`` when it is ``h``.
    """

    name: str
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    return_sequences: bool
    go_backwards: bool
    mask: np.ndarray | None = None
    outputs: np.ndarray | None = None

    @property
    def final_h(self) -> np.ndarray:
        """(batch, units) the last hidden state (Keras's state ``h``)."""
        return self.h[:, -1]

    @property
    def final_c(self) -> np.ndarray:
        """(batch, units) the last cell state (Keras's state ``c``)."""
        return self.c[:, -1]

    @property
    def output(self) -> np.ndarray:
        """What Keras returns: ``h`` (B, T, U) with return_sequences, else ``h`` of the last step (B, U); with masked
        steps, the per-step `outputs` (their last step's when the layer returns only the last)."""
        sequence = self.h if self.outputs is None else self.outputs
        return sequence if self.return_sequences else sequence[:, -1]

    def gate(self, name: str) -> np.ndarray:
        """One of ``i, f, g, o, c, h`` by name."""
        return getattr(self, name)

    @property
    def arrays(self) -> tuple[np.ndarray, ...]:
        """Every array the layer holds: ``i, f, g, o, c, h, h0, c0``."""
        return self.i, self.f, self.g, self.o, self.c, self.h, self.h0, self.c0


@dataclass(frozen=True)
class Trace:
    """A reference forward pass: the input, every layer's `LayerTrace`, and the model output.

    Attributes:
        x: (batch, timesteps, features) the input.
        layers: one `LayerTrace` per LSTM layer, first to last.
        output: the model's main output (after the Dense head, if any).
    """

    x: np.ndarray
    layers: tuple[LayerTrace, ...]
    output: np.ndarray

    @property
    def nbytes(self) -> int:
        """Bytes held by the trace's arrays (what caching it costs)."""
        return self.x.nbytes + self.output.nbytes + sum(a.nbytes for layer in self.layers for a in layer.arrays)
