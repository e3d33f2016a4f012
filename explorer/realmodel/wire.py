"""A `RealModel` as data only, from the fenced loader to the server: a JSON header and named ``.npz`` arrays.

Decoded with ``json`` and ``numpy.load(allow_pickle=False)``, as `explorer.upload.wire` decodes a plain stack.
"""

from __future__ import annotations

import io

import numpy as np

from explorer.realmodel.structure import Box, LayerInput, ModelInput, RealModel, Site
from explorer.reference.weights import LSTMWeights

KIND = "real"


def _shape(shape) -> list:
    return [None if d is None else int(d) for d in shape]


def header_and_arrays(real: RealModel, plain) -> tuple[dict, dict[str, np.ndarray]]:
    """``(header, arrays)``: the JSON-able description and the arrays by name (``plain`` makes a `Message` JSON)."""
    arrays: dict[str, np.ndarray] = {}
    sites = []
    for k, site in enumerate(real.sites):
        w = site.weights
        arrays |= {f"site{k}.kernel": w.kernel, f"site{k}.recurrent": w.recurrent_kernel, f"site{k}.bias": w.bias}
        sites.append(
            {
                "layer": site.layer,
                "direction": site.direction,
                "label": w.name,
                "activation": w.activation,
                "recurrent_activation": w.recurrent_activation,
                "return_sequences": w.return_sequences,
                "go_backwards": w.go_backwards,
                "use_bias": w.use_bias,
                "unit_forget_bias": site.unit_forget_bias,
                "zero_output_for_mask": site.zero_output_for_mask,
                "state_from": site.state_from,
                "merge_mode": site.merge_mode,
            }
        )
    seen = {}
    for name, entry in real.layer_inputs.items():
        arrays[f"seen.{name}.x"] = entry.x
        if entry.mask is not None:
            arrays[f"seen.{name}.mask"] = entry.mask
        arrays |= {f"seen.{name}.state{j}": a for j, a in enumerate(entry.initial_state)}
        arrays |= {f"seen.{name}.out{j}": a for j, a in enumerate(entry.keras_outputs)}
        seen[name] = {"masked": entry.mask is not None, "states": len(entry.initial_state), "outputs": len(entry.keras_outputs)}
    inputs = []
    for j, model_input in enumerate(real.inputs):
        arrays[f"input{j}"] = model_input.samples
        inputs.append(
            {
                "name": model_input.name,
                "shape": _shape(model_input.shape),
                "tokens": model_input.tokens,
                "padding": model_input.padding,
            }
        )
    boxes = [
        {
            "name": b.name,
            "kind": b.kind,
            "inbound": list(b.inbound),
            "input_shapes": [_shape(s) for s in b.input_shapes],
            "output_shapes": [_shape(s) for s in b.output_shapes],
            "params": b.params,
            "detail": b.detail,
            "formula": b.formula,
        }
        for b in real.boxes
    ]
    header = {
        "kind": KIND,
        "name": real.name,
        "digest": real.digest,
        "boxes": boxes,
        "sites": sites,
        "seen": seen,
        "inputs": inputs,
        "total_params": real.total_params,
        "notes": [plain(n) for n in real.notes],
    }
    return header, arrays


def encode_arrays(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _tuple(shape) -> tuple:
    return tuple(None if d is None else int(d) for d in shape)


def real_model_from(header: dict, npz_bytes: bytes, revive) -> RealModel:
    """The `RealModel` of a decoded header and its ``.npz`` bytes (``revive`` turns JSON back into a `Message`)."""
    with np.load(io.BytesIO(npz_bytes), allow_pickle=False) as npz:
        arrays = {name: np.asarray(npz[name]) for name in npz.files}
    for a in arrays.values():
        a.setflags(write=False)  # shared by the caches of every session that shows it
    sites = tuple(
        Site(
            str(s["layer"]),
            str(s["direction"]),
            LSTMWeights(
                str(s["label"]),
                arrays[f"site{k}.kernel"],
                arrays[f"site{k}.recurrent"],
                arrays[f"site{k}.bias"],
                str(s["activation"]),
                str(s["recurrent_activation"]),
                bool(s["return_sequences"]),
                bool(s["go_backwards"]),
                bool(s["use_bias"]),
            ),
            bool(s["unit_forget_bias"]),
            bool(s["zero_output_for_mask"]),
            str(s["state_from"]),
            s["merge_mode"] if s["merge_mode"] is None else str(s["merge_mode"]),
        )
        for k, s in enumerate(header["sites"])
    )
    seen = {
        name: LayerInput(
            arrays[f"seen.{name}.x"],
            arrays.get(f"seen.{name}.mask") if entry["masked"] else None,
            tuple(arrays[f"seen.{name}.state{j}"] for j in range(int(entry["states"]))),
            tuple(arrays[f"seen.{name}.out{j}"] for j in range(int(entry["outputs"]))),
        )
        for name, entry in header["seen"].items()
    }
    inputs = tuple(
        ModelInput(str(i["name"]), _tuple(i["shape"]), bool(i["tokens"]), str(i["padding"]), arrays[f"input{j}"])
        for j, i in enumerate(header["inputs"])
    )
    boxes = tuple(
        Box(
            str(b["name"]),
            str(b["kind"]),
            tuple(map(str, b["inbound"])),
            tuple(_tuple(s) for s in b["input_shapes"]),
            tuple(_tuple(s) for s in b["output_shapes"]),
            int(b["params"]),
            str(b["detail"]),
            str(b.get("formula", "")),
        )
        for b in header["boxes"]
    )
    notes = tuple(revive(n) for n in header.get("notes", []))
    return RealModel(str(header["name"]), str(header["digest"]), boxes, sites, inputs, seen, int(header["total_params"]), notes)
