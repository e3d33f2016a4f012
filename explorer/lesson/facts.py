"""The numbers a lesson note may use, computed from that step's live model (shapes, parameters, gates, training).

`FACTS` names every placeholder; `fill` refuses a note that uses one not provided, so a typo cannot show.
"""

from __future__ import annotations

import string

import numpy as np

from explorer.cell.anatomy import CellStep
from explorer.cell.equations import number
from explorer.config import LSTMConfig
from explorer.formatting import format_shape
from explorer.model import ShapeTable
from explorer.realmodel.structure import RealModel
from explorer.reference import Trace

FACTS = {
    "data_shape": "(samples, T, F) of the sample batch",
    "T": "timesteps",
    "F": "features",
    "U1": "units of lstm_1",
    "output_shape": "the model's output shape",
    "out1": "lstm_1's output shape",
    "params": "model.count_params()",
    "params1": "lstm_1's parameters",
    "params_T10": "count_params() of the same model built at T = 10",
    "f": "the focused unit's forget gate at the focused step (cell view)",
    "i": "its input gate",
    "g": "its candidate",
    "c_prev": "its c at the step before",
    "mean_f": "lstm_1's mean forget gate over units and steps",
    "half": "half the timesteps",
    "steps": "training steps of the weights shown",
    "metric": "their held-out metric",
    "counting": "the unit found to do the task's job, in words",
    "ids_shape": "(samples, T) of a token model's sample batch: one id per step, no features axis",
    "vocab": "the Embedding's input_dim (token ids 0 … vocab-1)",
    "D": "the Embedding's output_dim: numbers per token",
    "params_embedding": "the Embedding's parameters (vocab × D)",
    "lstm_input": "the shape that reaches the first LSTM",
    "params_bi": "the first Bidirectional layer's parameters (both directions)",
    "out_bi": "the first Bidirectional layer's output shape",
    "merge": "its merge mode",
}


def model_facts(cfg: LSTMConfig, table: ShapeTable, count_params: int, batch: int) -> dict[str, str]:
    """Facts read off the built Keras model (its shape table and ``count_params()``)."""
    rows = {row.name: row for row in table}
    first = rows[cfg.layer_names[0]]
    return {
        "data_shape": format_shape((batch, cfg.timesteps, cfg.features)),
        "T": str(cfg.timesteps),
        "F": str(cfg.features),
        "U1": str(cfg.units[0]),
        "output_shape": format_shape(table[-1].output_shape),
        "out1": format_shape(first.output_shape),
        "params": f"{count_params:,}",
        "params1": f"{first.params:,}",
        "half": str(cfg.timesteps // 2),
    }


def real_facts(real: RealModel, batch: int) -> dict[str, str]:
    """Facts of a real model (an Embedding in front, Bidirectional layers), read off its Keras layers (`RealModel.boxes`)."""
    out = {}
    for box in real.boxes:
        if box.kind == "Embedding" and "vocab" not in out:
            dim = box.output_shapes[0][-1]  # (None, T, D)
            out.update(
                ids_shape=format_shape((batch, box.input_shapes[0][1])),
                vocab=str(box.params // dim),  # its table is vocab × D
                D=str(dim),
                params_embedding=f"{box.params:,}",
            )
        if box.kind == "Bidirectional(LSTM)" and "params_bi" not in out:
            merge = next(site.merge_mode for site in real.sites if site.layer == box.name)
            out.update(params_bi=f"{box.params:,}", out_bi=format_shape(box.output_shapes[0]), merge=str(merge))
    if real.sites:
        out["lstm_input"] = format_shape((None, *real.layer_inputs[real.sites[0].layer].x.shape[1:]))
    return out


def trace_facts(tr: Trace | None, cell: CellStep | None) -> dict[str, str]:
    """Facts from the NumPy trace the views show (and the cell view's step)."""
    out = {}
    if tr is not None:
        out["mean_f"] = number(float(np.mean(tr.layers[0].f)))
    if cell is not None:
        out.update(
            f=number(cell.gates["f"].value),
            i=number(cell.gates["i"].value),
            g=number(cell.gates["g"].value),
            c_prev=number(cell.c_prev_unit),
        )
    return out


def fill(note: str, facts: dict[str, str]) -> str | None:
    """The note with its placeholders filled, or ``None`` while a fact it needs is not computed yet.

    Raises:
        KeyError: the note names a placeholder that is not in `FACTS` (a typo in the lesson table).
    """
    names = [name for _, name, _, _ in string.Formatter().parse(note) if name]
    unknown = [name for name in names if name not in FACTS]
    if unknown:
        raise KeyError(f"the lesson note uses unknown facts: {unknown}")
    if any(name not in facts for name in names):  # (facts may hold more, e.g. "_unit" for the page)
        return None
    return note.format(**facts)
