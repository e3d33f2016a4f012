"""A trace's activations as files: one ``.npz`` array per layer and quantity, and a tidy CSV.

``.npz`` names and shapes (``k`` = layer index from 0)::

    x                      (batch, T, features)  the input, in data order
    layer{k}_i|f|g|o|c|h   (batch, T, units_k)   gates, candidate, cell and hidden state, in the
                                                 layer's processing order (as Keras returns them;
                                                 reversed for a layer that reads backwards)
    layer{k}_h0, _c0       (batch, units_k)      initial states
    output                 the model's output (after the Dense head, if any)

The CSV has one row per value: ``sample, layer, t, unit, quantity, value`` with ``t`` the *input*
step 1 … T (the column ``x_t`` of the unrolled graph), so rows of a backwards layer line up with
the data.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from explorer.cell.anatomy import reads_backwards
from explorer.reference import Trace

QUANTITIES = ("i", "f", "g", "o", "c", "h")
CSV_HEADER = ("sample", "layer", "t", "unit", "quantity", "value")


def activation_arrays(tr: Trace) -> dict[str, np.ndarray]:
    """``{name: array}`` as documented in the module (float32)."""
    out = {"x": tr.x}
    for k, lt in enumerate(tr.layers):
        for q in QUANTITIES:
            out[f"layer{k}_{q}"] = lt.gate(q)
        out[f"layer{k}_h0"], out[f"layer{k}_c0"] = lt.h0, lt.c0
    out["output"] = tr.output
    return {name: np.asarray(a, np.float32) for name, a in out.items()}


def npz_bytes(tr: Trace) -> bytes:
    """The arrays of `activation_arrays` in one compressed ``.npz`` (read back with ``np.load``)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **activation_arrays(tr))
    return buffer.getvalue()


def tidy_rows(tr: Trace, *, sample: int | None = None):
    """Yield ``(sample, layer, t, unit, quantity, value)``, ``t`` the input step 1 … T; one sample or all."""
    samples = range(tr.x.shape[0]) if sample is None else [sample]
    for k, lt in enumerate(tr.layers):
        T = lt.h.shape[1]
        backwards = reads_backwards(tr, k)
        for q in QUANTITIES:
            values = lt.gate(q)  # (B, T, U), processing order
            for b in samples:
                for p in range(T):
                    t = T - p if backwards else p + 1
                    for u, v in enumerate(values[b, p]):
                        yield b, k, t, u, q, float(v)


def csv_text(tr: Trace, *, sample: int | None = None) -> str:
    """The tidy CSV (header `CSV_HEADER`), values with 7 significant digits (float32's precision)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for b, k, t, u, q, v in tidy_rows(tr, sample=sample):
        writer.writerow((b, k, t, u, q, f"{v:.7g}"))
    return out.getvalue()
