"""Build the real Keras model from an `LSTMConfig`, and read its shapes and parameters.

Everything shown about shapes and parameter counts comes from the built Keras
model itself (its graph's tensors' shapes, `variable.shape`, `count_params()`); the
formula strings only restate those numbers in the learner's terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer._keras import keras
from explorer.config import ConfigError, LSTMConfig
from explorer.i18n import N_, Message

STACK_FIX = N_(
    "An LSTM needs a 3-D input `(batch, timesteps, features)`, but `{name}` has "
    "`return_sequences=False`, so it hands on only its last hidden state `(batch, {units})`. "
    "Fix: set `return_sequences=True` on `{name}` so it returns the whole sequence `(batch, timesteps, {units})`."
)


def _layer_seeds(seed: int, n: int) -> list[int]:
    # Independent, reproducible seeds per initializer, derived from the one config seed. SeedSequence's words do not
    # depend on how many are asked for, so a layer's seeds do not depend on the layers after it (layer_weights_keys).
    return [int(s) % (2**31 - 1) for s in np.random.SeedSequence(seed).generate_state(n)]


def _seeded_initializers(cfg: LSTMConfig) -> dict[str, object]:
    """``"<layer>.<attribute>"`` → the seeded initializer that draws it (independent seeds from the one config seed)."""
    seeds = _layer_seeds(cfg.seed, 2 * cfg.n_layers + 1)
    out: dict[str, object] = {}
    for k, name in enumerate(cfg.layer_names):
        out[f"{name}.kernel_initializer"] = keras.initializers.GlorotUniform(seed=seeds[2 * k])
        out[f"{name}.recurrent_initializer"] = keras.initializers.Orthogonal(seed=seeds[2 * k + 1])
    if cfg.head_units:
        out["head.kernel_initializer"] = keras.initializers.GlorotUniform(seed=seeds[-1])
    return out


def weights_key(cfg: LSTMConfig) -> tuple:
    """What a model's initial weights depend on: two configs with the same key start from the same weights.

    The seeds, shapes and bias options, and nothing else: ``timesteps``, ``return_sequences``, ``return_state``,
    ``go_backwards`` and the activations change what a model computes, never its weights.
    """
    return (cfg.seed, cfg.features, cfg.units, cfg.use_bias, cfg.use_bias and cfg.unit_forget_bias, cfg.head_units)


def layer_weights_keys(cfg: LSTMConfig) -> dict[str, tuple]:
    """Layer name → what that layer's initial weights depend on, so one layer's weights can come from another model.

    Each layer's initializers have seeds of their own (`_layer_seeds` gives a layer the same seeds whatever the
    number of layers), so ``lstm_k``'s weights depend on the config seed, ``k``, its input width, its units and the
    bias options; the head's on its seed (which follows the number of layers), its input width and its units. A new
    ``units`` for ``lstm_2`` of four keeps ``lstm_1`` and ``lstm_4``; a layer stacked on top keeps those below it.
    """
    bias = (cfg.use_bias, cfg.use_bias and cfg.unit_forget_bias)
    keys = {
        name: ("lstm", cfg.seed, k, cfg.features if k == 0 else cfg.units[k - 1], cfg.units[k], *bias)
        for k, name in enumerate(cfg.layer_names)
    }
    if cfg.head_units:
        keys["head"] = ("head", cfg.seed, cfg.n_layers, cfg.units[-1], cfg.head_units)
    return keys


def build_model(cfg: LSTMConfig, initial_weights: list[np.ndarray] | dict[str, list[np.ndarray]] | None = None) -> keras.Model:
    """Build the Keras model that `cfg` describes.

    ``keras.Input(shape=(timesteps, features))`` → ``lstm_1`` … ``lstm_L`` →
    optional ``head`` (Dense). ``return_state`` applies to the last LSTM: the
    model then outputs ``[output, h, c]`` (``output`` after the head, if any).
    Weights are drawn from initializers seeded by ``cfg.seed``, so the same
    config always gives the same weights.

    Args:
        cfg: the configuration.
        initial_weights: the weights a model with the same `weights_key` was built with
            (``model.get_weights()``), or some layers' weights by layer name, each taken from a layer with the
            same `layer_weights_keys` entry (``layer.get_weights()``): they are set instead of drawn, which skips
            those initializers (the orthogonal one's QR decomposition is most of a large model's build; measured
            88 → 22 ms at 4 × 256, 11 → 8.4 ms at the default, for the whole model).
            The layers keep their seeded initializers in their config, so the model is the same as one
            built without them.

    Returns:
        A built ``keras.Model`` named ``lstm_explorer``.

    Raises:
        ConfigError: when an inner layer has ``return_sequences=False``; the message
            quotes Keras's own error and explains the fix.
    """
    seeded = _seeded_initializers(cfg)
    whole = initial_weights if isinstance(initial_weights, list) else None
    by_layer = initial_weights if isinstance(initial_weights, dict) else {}
    preset = whole is not None or bool(by_layer)  # preset layers draw zeros (cheap); their weights are set afterwards

    def initializer(key: str):
        return keras.initializers.Zeros() if whole is not None or key.split(".")[0] in by_layer else seeded[key]

    layers = [
        keras.layers.LSTM(
            cfg.units[k],
            activation=cfg.activation,
            recurrent_activation=cfg.recurrent_activation,
            use_bias=cfg.use_bias,
            unit_forget_bias=cfg.unit_forget_bias,
            kernel_initializer=initializer(f"{name}.kernel_initializer"),
            recurrent_initializer=initializer(f"{name}.recurrent_initializer"),
            return_sequences=cfg.return_sequences[k],
            return_state=cfg.return_state and k == cfg.n_layers - 1,
            go_backwards=cfg.go_backwards,
            name=name,
        )
        for k, name in enumerate(cfg.layer_names)
    ]
    if cfg.head_units:
        kernel = initializer("head.kernel_initializer")
        layers.append(keras.layers.Dense(cfg.head_units, activation=cfg.head_activation, kernel_initializer=kernel, name="head"))
    model = _connect(cfg, layers)
    if preset:
        if whole is not None:
            model.set_weights(whole)  # raises ValueError on a list that does not fit
        for name, arrays in by_layer.items():
            model.get_layer(name).set_weights(arrays)  # (so does a layer's)
        for key, real in seeded.items():  # the config says what a fresh build draws, as it would without presets
            layer_name, attribute = key.split(".")
            layer = model.get_layer(layer_name)
            setattr(layer.cell if isinstance(layer, keras.layers.LSTM) else layer, attribute, real)
    return model


MAX_MODELS_PER_LAYER = 64  # each model built on a layer adds a node (a few KB) to it for as long as the layer lives


def layers_key(cfg: LSTMConfig) -> LSTMConfig:
    """What a model's layers depend on: two configs with the same key can be built from the very same layer objects.

    Everything but ``timesteps``: an LSTM layer's weights and arguments do not depend on the sequence length (which
    is also why the parameter count does not).
    """
    return cfg.replace(timesteps=1)


def _connect(cfg: LSTMConfig, layers: list) -> keras.Model:
    """``lstm_1`` … ``lstm_L`` (then the head, if any) called in turn on a new ``keras.Input(shape=(timesteps,
    features))``: the model. Raises `ConfigError` where Keras refuses to stack a layer on a 2-D input."""
    inputs = keras.Input(shape=(cfg.timesteps, cfg.features), name="input")
    x, states = inputs, []
    for k, layer in enumerate(layers[: cfg.n_layers]):
        try:
            out = layer(x)
        except ValueError as err:  # Keras rejects a 2-D input to an LSTM
            prev = cfg.layer_names[k - 1] if k else "input"
            explanation = Message(STACK_FIX, name=prev, units=cfg.units[k - 1] if k else cfg.features)
            raise ConfigError(  # Keras's own words stay as Keras wrote them (in code font); ours are translated
                Message(
                    "Keras cannot stack `{name}` on `{prev}`. Keras says: `{keras}` {explanation}",
                    name=layer.name,
                    prev=prev,
                    keras=str(err).replace("`", "'"),
                    explanation=explanation,
                ),
                field="return_sequences",
                keras_message=str(err),
            ) from err
        x, *states = out if cfg.return_state and k == cfg.n_layers - 1 else (out,)
    if cfg.head_units:
        x = layers[-1](x)
    return keras.Model(inputs, [x, *states] if states else x, name="lstm_explorer")


def build_on_layers(cfg: LSTMConfig, donor: keras.Model) -> keras.Model | None:
    """The model `cfg` describes, made of ``donor``'s own layer objects, or ``None`` when they cannot serve.

    ``donor`` is a model built from a config with the same `layers_key` (another ``timesteps``). Its layers are
    called on a new ``keras.Input(shape=(timesteps, features))``: nothing is built or initialised again, so the new
    model holds the same variables (the same weights, bit for bit) and creates none (`benchmarks/bench_engine.py`
    times it beside `build_model` from a twin's weights). A layer shared by several models has a node per
    model, so read shapes with `shape_table` (each model's own nodes), never ``layer.output``; and never change the
    weights of a model whose layers may be shared (a training snapshot gets a model of its own).

    ``None`` once its layers serve `MAX_MODELS_PER_LAYER` models (`can_lend_layers`): build anew then.
    """
    if not can_lend_layers(donor):
        return None
    names = [*cfg.layer_names, "head"] if cfg.head_units else cfg.layer_names
    return _connect(cfg, [donor.get_layer(name) for name in names])


def can_lend_layers(model: keras.Model) -> bool:
    """Whether ``model``'s layers may serve one more model (`build_on_layers`, up to `MAX_MODELS_PER_LAYER`)."""
    return all(len(layer._inbound_nodes) < MAX_MODELS_PER_LAYER for layer in model.layers[1:])


def shares_layers(model: keras.Model) -> bool:
    """Whether any layer of ``model`` also serves another model (`build_on_layers`)."""
    return any(len(layer._inbound_nodes) > 1 for layer in model.layers)


@dataclass(frozen=True)
class LayerShape:
    """One row of the shape table: a layer as Keras reports it.

    Attributes:
        name: Keras layer name (``input``, ``lstm_1``, …, ``head``).
        kind: ``"Input"``, ``"LSTM"`` or ``"Dense"``.
        input_shape: shape of the tensor coming in (``None`` = batch), or ``None`` for the input.
        output_shape: shape going out; for ``return_state`` a list ``[output, h, c]`` of shapes.
        params: number of trainable numbers in the layer.
        weights: ``{variable name: shape}``, e.g. ``{"kernel": (F, 4U), ...}``.
        formula: how ``params`` follows from the sizes, with the live numbers.
        units: the layer's units (0 for the input).
    """

    name: str
    kind: str
    input_shape: tuple | None
    output_shape: tuple | list
    params: int
    weights: dict
    formula: str
    units: int = 0


class ShapeTable(tuple):
    """A tuple of `LayerShape` rows with the model's total parameter count."""

    @property
    def total(self) -> int:
        """Sum of the rows' parameters (equals ``model.count_params()``)."""
        return sum(row.params for row in self)


def _shape(tensor) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _own_nodes(model: keras.Model) -> dict[str, object]:
    """Layer name → the node of ``model``'s own graph where that layer is called (as Keras's ``summary`` finds them):
    a layer that several models share has one node per model, and ``layer.output`` is only the first one's."""
    return {node.operation.name: node for nodes in model._nodes_by_depth.values() for node in nodes}


def lstm_formula(units: int, input_features: int, use_bias: bool) -> str:
    """The LSTM parameter formula with the live numbers filled in."""
    if use_bias:
        n = 4 * (units * (input_features + units) + units)
        return f"4 × (units × (features + units) + units) = 4 × ({units} × ({input_features} + {units}) + {units}) = {n:,}"
    n = 4 * units * (input_features + units)
    return f"4 × units × (features + units) = 4 × {units} × ({input_features} + {units}) = {n:,}"


def dense_formula(units: int, inputs: int) -> str:
    """The Dense parameter formula with the live numbers filled in."""
    return f"units × (inputs + 1) = {units} × ({inputs} + 1) = {units * (inputs + 1):,}"


def shape_table(cfg: LSTMConfig, model: keras.Model | None = None) -> ShapeTable:
    """Shapes, weights and parameter counts per layer, read from the Keras model.

    Args:
        cfg: the configuration (must be buildable).
        model: the model built from ``cfg``; built here when omitted.

    Returns:
        A `ShapeTable`: the input row, one row per LSTM, and the head row if any;
        ``.total`` equals ``model.count_params()``.

    Raises:
        ConfigError: if ``cfg`` is a broken stack (see `build_model`).
    """
    model = build_model(cfg) if model is None else model
    nodes = _own_nodes(model)
    rows = [LayerShape("input", "Input", None, _shape(model.inputs[0]), 0, {}, N_("no weights: it only fixes the shape"))]
    for layer in model.layers[1:]:
        node = nodes[layer.name]
        outs = list(node.output_tensors)  # [output] or, with return_state, [output, h, c]
        out_shape = [_shape(t) for t in outs] if len(outs) > 1 else _shape(outs[0])
        weights = {w.name: tuple(int(d) for d in w.shape) for w in layer.weights}
        in_shape = _shape(node.input_tensors[0])
        if isinstance(layer, keras.layers.LSTM):
            kind, formula = "LSTM", lstm_formula(layer.units, in_shape[-1], layer.use_bias)
        else:
            kind, formula = "Dense", dense_formula(layer.units, in_shape[-1])
        rows.append(LayerShape(layer.name, kind, in_shape, out_shape, int(layer.count_params()), weights, formula, layer.units))
    return ShapeTable(rows)
