"""Read a loaded Keras model into a `RealModel`: every layer a box, every LSTM a site, each with the tensor that
reached it taken from the model itself. Runs where Keras runs (the fenced loader); refuses plainly what it cannot trace.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from explorer.config import FEATURES_LIMIT, TIMESTEPS_RANGE, UNITS_RANGE
from explorer.i18n import Message
from explorer.realmodel.samples import FREE_LENGTH, SAMPLES, sequence_samples, token_samples
from explorer.realmodel.structure import Box, LayerInput, ModelInput, RealModel, Site
from explorer.realmodel.tracing import keras_differences
from explorer.reference.weights import lstm_weights
from explorer.upload.errors import UploadError

MAX_FEATURES = FEATURES_LIMIT  # numbers per step reaching an LSTM (the views window wide inputs)
AGREES = 1e-4  # a reading that differs from Keras by more is not shown
WHY_NOT = {  # recurrent layers the app does not trace, and why
    "GRU": Message("a GRU has two gates and no cell state; this app explains LSTM cells"),
    "SimpleRNN": Message("a SimpleRNN has no gates and no cell state; this app explains LSTM cells"),
    "ConvLSTM1D": Message("a ConvLSTM's gates are convolutions, not the LSTM's matrix products this app traces"),
    "ConvLSTM2D": Message("a ConvLSTM's gates are convolutions, not the LSTM's matrix products this app traces"),
    "ConvLSTM3D": Message("a ConvLSTM's gates are convolutions, not the LSTM's matrix products this app traces"),
    "RNN": Message("a generic `RNN` around a cell is not traced; use `LSTM` itself"),
}


def _kind(layer) -> str:
    inner = getattr(layer, "forward_layer", None) or getattr(layer, "layer", None)
    return f"{type(layer).__name__}({type(inner).__name__})" if inner is not None else type(layer).__name__


def _shape(tensor) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _flat(value) -> list:
    if value is None:
        return []
    return [t for v in value for t in _flat(v)] if isinstance(value, list | tuple) else [value]


def _own_nodes(graph) -> dict[str, list]:
    """Layer name → its calls in ``graph`` itself (a loaded layer also has nodes in the models Keras made while loading)."""
    nodes: dict[str, list] = {}
    for depth in sorted(graph._nodes_by_depth, reverse=True):
        for node in graph._nodes_by_depth[depth]:
            nodes.setdefault(node.operation.name, []).append(node)
    return nodes


def _refuse_untraceable(graph, keras) -> None:
    """`UploadError` naming the first layer the app cannot trace, and why."""
    for layer in graph.layers:
        inner = getattr(layer, "forward_layer", None) or getattr(layer, "layer", None)
        for candidate in (layer, inner):
            if candidate is None:
                continue
            kind = type(candidate).__name__
            if isinstance(candidate, keras.Model):
                raise UploadError(
                    Message(
                        "`{name}` is a model inside your model; the app reads one level of layers. Build the model "
                        "from the layers themselves (or upload the inner model on its own).",
                        name=layer.name,
                    )
                )
            if kind in WHY_NOT:
                raise UploadError(Message("`{name}` is a `{kind}`: {why}.", name=layer.name, kind=kind, why=WHY_NOT[kind]))
        if isinstance(layer, keras.layers.TimeDistributed) and isinstance(inner, keras.layers.LSTM):
            raise UploadError(
                Message("`{name}` wraps an LSTM in `TimeDistributed`; the app does not trace that.", name=layer.name)
            )
        if (isinstance(layer, keras.layers.LSTM) or _kind(layer) == "Bidirectional(LSTM)") and len(
            calls := _own_nodes(graph)[layer.name]
        ) != 1:
            raise UploadError(
                Message(
                    "`{name}` is called {n} times (shared weights); the app traces an LSTM used once.",
                    name=layer.name,
                    n=len(calls),
                )
            )


def _detail(layer, keras) -> str:
    inner = getattr(layer, "layer", None)
    described = inner if isinstance(layer, keras.layers.TimeDistributed) else layer
    if isinstance(described, keras.layers.Embedding):
        return f"input_dim={described.input_dim}, output_dim={described.output_dim}" + (
            ", mask_zero=True" if described.mask_zero else ""
        )
    if isinstance(described, keras.layers.Masking):
        return f"mask_value={described.mask_value}"
    if isinstance(described, keras.layers.Dropout):
        return f"rate={described.rate}"
    if isinstance(described, keras.layers.Dense):
        return f"units={described.units}, activation={keras.activations.serialize(described.activation)}"
    if isinstance(described, keras.layers.LSTM):
        flags = [f"units={described.units}", f"return_sequences={described.return_sequences}"]
        flags += [f"{flag}=True" for flag in ("return_state", "go_backwards", "stateful") if getattr(described, flag)]
        return ", ".join(flags)
    if isinstance(described, keras.layers.Bidirectional):
        return f"merge_mode={described.merge_mode}, units={described.forward_layer.units} each way"
    if isinstance(described, keras.layers.Conv1D):
        return f"filters={described.filters}, kernel_size={described.kernel_size[0]}"
    return ""


def _formula(layer, keras, width: int | None) -> str:
    """How the layer's parameter count follows from its sizes (``width``: numbers per step coming in)."""
    from explorer.model import dense_formula, lstm_formula

    inner = getattr(layer, "layer", None)
    described = inner if isinstance(layer, keras.layers.TimeDistributed) else layer
    if isinstance(described, keras.layers.Embedding):
        n = described.input_dim * described.output_dim
        return f"input_dim × output_dim = {described.input_dim} × {described.output_dim} = {n:,}"
    if width is None:
        return ""
    if isinstance(described, keras.layers.LSTM):
        return lstm_formula(described.units, width, described.use_bias)
    if isinstance(described, keras.layers.Bidirectional) and isinstance(described.forward_layer, keras.layers.LSTM):
        one = described.forward_layer
        per = 4 * (one.units * (width + one.units) + (one.units if one.use_bias else 0))
        return f"2 directions × ({lstm_formula(one.units, width, one.use_bias)}) = 2 × {per:,} = {2 * per:,}"
    if isinstance(described, keras.layers.Dense) and described.use_bias:
        return dense_formula(described.units, width)
    return ""


def _model_inputs(graph, keras, seed: int) -> tuple[ModelInput, ...]:
    """Each input of the model with a sample batch made for it (token ids where it feeds an Embedding)."""
    consumers: dict[int, list] = {}
    nodes = _own_nodes(graph)
    for layer in graph.layers:
        for node in nodes.get(layer.name, []):
            for tensor in _flat(node.arguments.args if node.arguments else None)[:1]:
                consumers.setdefault(id(tensor), []).append(layer)
    made = []
    for j, tensor in enumerate(graph.inputs):
        shape = list(_shape(tensor)[1:])
        if any(d is None for d in shape[1:]):
            raise UploadError(Message("The model's input `{name}` leaves a size open besides its length.", name=tensor.name))
        if shape and shape[0] is None:
            shape[0] = FREE_LENGTH
        batch = _shape(tensor)[0] or SAMPLES  # a stateful model takes only its own batch size
        users = consumers.get(id(tensor), [])
        embeddings = [u for u in users if isinstance(u, keras.layers.Embedding)]
        maskings = [u for u in users if isinstance(u, keras.layers.Masking)]
        if embeddings:
            padded = any(e.mask_zero for e in embeddings)
            samples = token_samples(batch, shape[0], min(e.input_dim for e in embeddings), padded=padded, seed=seed + j)
            made.append(ModelInput(tensor.name, tuple(shape), True, "zero" if padded else "", samples))
        else:
            pad = float(maskings[0].mask_value) if maskings else None
            samples = sequence_samples(tuple(shape), batch, pad_value=pad, seed=seed + j)
            made.append(ModelInput(tensor.name, tuple(shape), False, "value" if maskings else "", samples))
    return tuple(made)


def _boxes(graph, keras) -> tuple[Box, ...]:
    boxes, nodes = [], _own_nodes(graph)
    names = {layer.name for layer in graph.layers}
    for layer in graph.layers:
        node = nodes[layer.name][0]
        # the layers whose outputs it takes (a mask's comparison op is no layer: its tensor comes with the layer's)
        inbound = tuple(dict.fromkeys(p.operation.name for p in node.parent_nodes if p.operation.name in names))
        args = _flat(node.arguments.args) if node.arguments else []
        boxes.append(
            Box(
                layer.name,
                _kind(layer),
                inbound,
                tuple(_shape(t) for t in args),
                tuple(_shape(t) for t in node.output_tensors),
                int(layer.count_params()) if layer.built else 0,
                _detail(layer, keras),
                _formula(layer, keras, args[0].shape[-1] if args else None),
            )
        )
    return tuple(boxes)


def _traced_layers(graph, keras) -> list:
    return [
        layer
        for layer in graph.layers
        if isinstance(layer, keras.layers.LSTM)
        or (isinstance(layer, keras.layers.Bidirectional) and isinstance(layer.forward_layer, keras.layers.LSTM))
    ]


def _tensors_seen(graph, layers: list, inputs: tuple[ModelInput, ...], keras) -> dict[str, LayerInput]:
    """What reached each traced layer and what it returned, from one Keras sub-model of ``graph`` on the samples."""
    wanted, plan, nodes = [], [], _own_nodes(graph)
    for layer in layers:
        node = nodes[layer.name][0]
        args, kwargs = node.arguments.args, node.arguments.kwargs
        x = _flat(args)[0]
        state = _flat(kwargs.get("initial_state")) or _flat(args[1:2])
        mask = kwargs.get("mask")
        mask = _flat(mask)[0] if _flat(mask) else None
        outputs = list(node.output_tensors)
        start = len(wanted)
        wanted += [x, *([mask] if mask is not None else []), *state, *outputs]
        plan.append((layer.name, start, mask is not None, len(state), len(outputs)))
    probe = keras.Model(graph.inputs, wanted)
    feed = [np.asarray(i.samples, dtype=str(t.dtype)) for i, t in zip(inputs, graph.inputs, strict=True)]
    values = [np.asarray(v) for v in probe(feed, training=False)]
    seen = {}
    for name, start, masked, n_state, n_out in plan:
        at = start + 1
        mask = values[at].astype(bool) if masked else None
        at += masked
        state = tuple(v.astype(np.float32) for v in values[at : at + n_state])
        outs = tuple(v.astype(np.float32) for v in values[at + n_state : at + n_state + n_out])
        seen[name] = LayerInput(values[start].astype(np.float32), mask, state, outs)
    return seen


def _state_source(node) -> str:
    state = _flat(node.arguments.kwargs.get("initial_state")) or _flat(node.arguments.args[1:2])
    return ", ".join(dict.fromkeys(t._keras_history.operation.name for t in state))


def _sites(graph, layers: list, keras) -> tuple[Site, ...]:
    sites, nodes = [], _own_nodes(graph)
    for layer in layers:
        source = _state_source(nodes[layer.name][0])
        if isinstance(layer, keras.layers.LSTM):
            parts = [(layer, "", layer.name)]
            merge_mode = None
        else:
            parts = [
                (layer.forward_layer, "forward", f"{layer.name} · forward"),
                (layer.backward_layer, "backward", f"{layer.name} · backward"),
            ]
            merge_mode = layer.merge_mode
        for lstm, direction, label in parts:
            try:
                weights = lstm_weights(lstm, label)
            except ValueError as err:
                raise UploadError(
                    Message("`{name}` uses an activation the app does not trace ({reason}).", name=layer.name, reason=str(err))
                ) from err
            sites.append(
                Site(
                    layer.name,
                    direction,
                    weights,
                    bool(lstm.unit_forget_bias),
                    bool(lstm.zero_output_for_mask),
                    source,
                    merge_mode,
                )
            )
    return tuple(sites)


def _check_sizes(seen: dict[str, LayerInput], sites: tuple[Site, ...]) -> None:
    for site in sites:
        steps, features = seen[site.layer].x.shape[1:]
        for what, value, hi in (
            ("timesteps", steps, TIMESTEPS_RANGE[1]),
            ("features", features, MAX_FEATURES),
            ("units", site.units, UNITS_RANGE[1]),
        ):
            if value > hi:
                raise UploadError(
                    Message(
                        "`{name}` has {what} = {value}; the app draws up to {hi}.", name=site.label, what=what, value=value, hi=hi
                    )
                )


def _notes(layers: list, inputs: tuple[ModelInput, ...], keras) -> tuple[Message, ...]:
    notes = []
    inner = [getattr(layer, "forward_layer", layer) for layer in layers] + [
        getattr(layer, "backward_layer", layer) for layer in layers
    ]
    if any(i.tokens and i.padding != "zero" for i in inputs):
        notes.append(Message("The samples are random token ids for its `Embedding`."))
    if any(i.padding == "zero" for i in inputs):
        notes.append(
            Message(
                "The samples are random token ids for its `Embedding`; padding (id 0) comes first, as `pad_sequences` puts it."
            )
        )
    if any(i.padding == "value" for i in inputs):
        notes.append(Message("The samples start with padding where its `Masking` layer skips steps."))
    if any(layer.stateful for layer in inner):
        notes.append(Message("It is `stateful`: the views start from zero state, as after `reset_states()`."))
    if any(layer.dropout or layer.recurrent_dropout for layer in inner):
        notes.append(Message("Its LSTM dropout acts only in training; the views show the model as used for prediction."))
    return tuple(notes)


def read_real_model(model, *, name: str, data: bytes, seed: int = 0) -> RealModel:
    """The `RealModel` of a loaded Keras model, or `UploadError` naming what the app cannot trace.

    Args:
        model: a loaded ``keras.Model`` (Sequential or functional).
        name: the file name (for messages).
        data: the file's bytes (hashed: the weights' identity).
        seed: the sample inputs' seed.
    """
    from explorer._keras import keras

    graph = keras.Model(model.inputs, model.outputs)  # a Sequential's graph too, its input layer included
    _refuse_untraceable(graph, keras)
    layers = _traced_layers(graph, keras)
    if not layers:
        found = (
            ", ".join(dict.fromkeys(_kind(layer) for layer in graph.layers if not isinstance(layer, keras.layers.InputLayer)))
            or "—"
        )
        raise UploadError(Message("No `LSTM` layer in this model (found: {found}). This app explores LSTM stacks.", found=found))
    inputs = _model_inputs(graph, keras, seed)
    sites = _sites(graph, layers, keras)
    for site in sites:  # before the sub-model runs: a huge width is refused without computing it
        if site.features > MAX_FEATURES or site.units > UNITS_RANGE[1]:
            _check_sizes({site.layer: LayerInput(np.zeros((1, 1, site.features)), None, (), ())}, (site,))
    seen = _tensors_seen(graph, layers, inputs, keras)
    _check_sizes(seen, sites)
    real = RealModel(
        name,
        hashlib.sha256(data).hexdigest(),
        _boxes(graph, keras),
        sites,
        inputs,
        seen,
        int(model.count_params()),
        _notes(layers, inputs, keras),
    )
    from explorer.upload.legacy import real_model_hard_sigmoid_note, saved_by_keras

    if note := real_model_hard_sigmoid_note(real, saved_by_keras(data)):
        real = dataclasses.replace(real, notes=(*real.notes, note))
    for layer, difference in keras_differences(real).items():
        if not difference <= AGREES:
            raise UploadError(
                Message(
                    "The app's NumPy reading of `{layer}` does not reproduce Keras's output (max |Δ| = {error}), "
                    "so it is not shown.",
                    layer=layer,
                    error=f"{difference:.1e}",
                )
            )
    return real
