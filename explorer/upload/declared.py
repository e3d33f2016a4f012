"""The weights a model config declares, computed from the config alone, and judged before Keras allocates them.

Keras builds every layer for the input shape its config records, allocating its variables, before it reads
a single weight: a 2 kB config that says ``LSTM(12000)`` costs gigabytes. `declared_weights` gives the shapes
each layer will allocate, for the layers whose weights are known here; `check_declared` refuses a model
whose declared parameters exceed the server's limit, naming the layer that asks for most.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from explorer.i18n import Message
from explorer.upload.config_json import DeclaredLayer, declared_layers
from explorer.upload.errors import UploadError
from explorer.upload.limits import mb, parameter_limit

Shape = tuple[int, ...]
WEIGHTLESS = {
    "InputLayer",
    "Dropout",
    "SpatialDropout1D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
    "Masking",
    "Activation",
    "Flatten",
    "Reshape",
    "Permute",
    "RepeatVector",
    "MaxPooling1D",
    "AveragePooling1D",
    "GlobalMaxPooling1D",
    "GlobalAveragePooling1D",
    "Concatenate",
    "Add",
    "Multiply",
    "Average",
    "Subtract",
    "Maximum",
    "Minimum",
    "Cropping1D",
    "ZeroPadding1D",
    "UpSampling1D",
    "ReLU",
    "LeakyReLU",
    "Softmax",
    "ELU",
    "Identity",
    "Sequential",
    "Functional",
    "Model",
    "Bidirectional",
    "TimeDistributed",
}  # fmt: skip  (models and wrappers hold no weights of their own: their layers do)


def _int(config: dict, key: str, default: int | None = None) -> int | None:
    value = config.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _kernel_size(config: dict) -> tuple[int, ...] | None:
    k = config.get("kernel_size")
    k = (k,) if isinstance(k, int) else k
    return tuple(k) if isinstance(k, list | tuple) and all(isinstance(d, int) and d > 0 for d in k) else None


def _recurrent(gates: int) -> Callable[[dict, int], list[Shape] | None]:
    def shapes(c: dict, f: int) -> list[Shape] | None:
        u = _int(c, "units")
        if u is None:
            return None
        bias = (
            [] if not c.get("use_bias", True) else [(2, gates * u) if gates == 3 and c.get("reset_after", True) else (gates * u,)]
        )
        return [(f, gates * u), (u, gates * u), *bias]

    return shapes


def _dense(c: dict, f: int) -> list[Shape] | None:
    u = _int(c, "units")
    return None if u is None else [(f, u), *([(u,)] if c.get("use_bias", True) else [])]


def _embedding(c: dict, f: int) -> list[Shape] | None:
    n, d = _int(c, "input_dim"), _int(c, "output_dim")
    return None if n is None or d is None else [(n, d)]


def _conv1d(c: dict, f: int) -> list[Shape] | None:
    k, filters, groups = _kernel_size(c), _int(c, "filters"), _int(c, "groups", 1) or 1
    return (
        None if k is None or filters is None else [(*k, f // groups, filters), *([(filters,)] if c.get("use_bias", True) else [])]
    )


def _conv_lstm(c: dict, f: int) -> list[Shape] | None:
    k, u = _kernel_size(c), _int(c, "units") or _int(c, "filters")
    return None if k is None or u is None else [(*k, f, 4 * u), (*k, u, 4 * u), *([(4 * u,)] if c.get("use_bias", True) else [])]


def _normalization(moving: bool) -> Callable[[dict, int], list[Shape] | None]:
    def shapes(c: dict, f: int) -> list[Shape]:
        kept = [(f,)] * (bool(c.get("scale", True)) + bool(c.get("center", True)))
        return kept + [(f,)] * (2 if moving else 0)

    return shapes


SHAPES: dict[str, Callable[[dict, int], list[Shape] | None]] = {
    "LSTM": _recurrent(4), "GRU": _recurrent(3), "SimpleRNN": _recurrent(1), "Dense": _dense, "Embedding": _embedding,
    "Conv1D": _conv1d, "ConvLSTM1D": _conv_lstm, "ConvLSTM2D": _conv_lstm, "ConvLSTM3D": _conv_lstm,
    "LayerNormalization": _normalization(False), "BatchNormalization": _normalization(True),
}  # fmt: skip


def declared_weights(layer: DeclaredLayer, features: int | None = None) -> list[Shape] | None:
    """The shapes Keras allocates for ``layer``: ``[]`` for a layer without weights, ``None`` when not known here.

    Args:
        layer: a layer of the config.
        features: the last axis of its input, when the config does not record it (Keras 2's files: read off the
            weight file's own kernel).
    """
    if layer.class_name in WEIGHTLESS:
        return []
    shapes = SHAPES.get(layer.class_name)
    if shapes is None:
        return None
    if features is None:
        shape = layer.input_shape
        features = shape[-1] if shape and isinstance(shape[-1], int) else None
    if features is None and layer.class_name != "Embedding":
        return None
    return shapes(layer.config, features or 0)


def count(shapes: list[Shape]) -> int:
    """Parameters in weights of these shapes."""
    total = 0
    for shape in shapes:
        n = 1
        for d in shape:
            n *= d
        total += n
    return total


@dataclass(frozen=True)
class DeclaredModel:
    """What a config declares.

    Attributes:
        layers: every layer (`declared_layers`).
        weights: per layer with known weights, ``(layer, shapes)``.
        unknown: layers whose weights this module does not know (Keras decides what they allocate).
        parameters: the known weights' parameters together.
    """

    layers: tuple[DeclaredLayer, ...]
    weights: tuple[tuple[DeclaredLayer, tuple[Shape, ...]], ...]
    unknown: tuple[DeclaredLayer, ...]
    parameters: int


def check_declared(model_config: dict, limit: int | None = None) -> DeclaredModel:
    """The weights ``model_config`` declares, or `UploadError` when they exceed ``limit`` parameters.

    Args:
        model_config: the parsed config (`explorer.upload.config_json.parse_config`).
        limit: parameters allowed (default: `explorer.upload.limits.parameter_limit`).
    """
    limit = parameter_limit() if limit is None else limit
    layers = declared_layers(model_config)
    weights, unknown = [], []
    for layer in layers:
        shapes = declared_weights(layer)
        if shapes is None:
            unknown.append(layer)
        elif shapes:
            weights.append((layer, tuple(shapes)))
    parameters = sum(count(list(shapes)) for _, shapes in weights)
    if parameters > limit:
        layer, shapes = max(weights, key=lambda pair: count(list(pair[1])))
        raise UploadError(
            Message(
                "The model declares {params} parameters ({mb} MB as float32), {share} of them in `{layer}` ({kind}); "
                "this server opens models of up to {limit} parameters. Nothing was built.",
                params=f"{parameters:,}",
                mb=mb(4 * parameters),
                share=f"{count(list(shapes)):,}",
                layer=layer.path,
                kind=layer.class_name,
                limit=f"{limit:,}",
            )
        )
    return DeclaredModel(tuple(layers), tuple(weights), tuple(unknown), parameters)
