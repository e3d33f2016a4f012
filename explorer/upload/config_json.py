"""A model's JSON config, read with bounds: its nesting measured before it is parsed, its layers walked and counted.

Both Keras 3's ``config.json`` and Keras 2's ``model_config`` attribute (an HDF5 file's) describe the model
as nested ``{"class_name": …, "config": …}`` dicts. `walk_layers` yields every layer, nested models' and
wrapped layers' included, with the input shape Keras 3 recorded for it (``build_config``), which is the
shape Keras will build it for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from explorer.i18n import Message
from explorer.upload.errors import UploadError
from explorer.upload.limits import CONFIG_MAX_BYTES, MAX_INPUT_ELEMENTS, MAX_JSON_DEPTH, MAX_LAYERS, mb

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
MODEL_CLASSES = ("Sequential", "Functional", "Model")
WRAPPERS = ("Bidirectional", "TimeDistributed")


@dataclass(frozen=True)
class DeclaredLayer:
    """One layer as the config declares it.

    Attributes:
        class_name: Keras's class name (``"LSTM"``).
        config: the layer's own config dict (``units``, ``use_bias``, …).
        input_shape: the shape Keras 3 builds it for (``build_config``), ``(None, T, F)``; ``None`` when not recorded.
        path: where it sits (``"sequential/bidirectional/forward"``), for messages.
    """

    class_name: str
    config: dict
    input_shape: tuple | None
    path: str


def json_depth(raw: bytes) -> int:
    """How deeply ``raw``'s arrays and objects nest, counted without parsing (strings masked first)."""
    masked = np.frombuffer(_STRING.sub(b'""', raw), np.uint8)
    step = np.isin(masked, (ord("{"), ord("["))).astype(np.int32) - np.isin(masked, (ord("}"), ord("]")))
    return int(np.cumsum(step).max(initial=0))


def parse_config(text: str | bytes) -> dict:
    """The config as a dict, or `UploadError`: too large, nested too deeply, or not JSON.

    Args:
        text: the JSON text (``config.json``, or an HDF5 file's ``model_config``).
    """
    raw = text.encode("utf-8", "replace") if isinstance(text, str) else bytes(text)
    if len(raw) > CONFIG_MAX_BYTES:
        raise UploadError(
            Message(
                "The model's config is {size} MB; a model's config may be at most {limit} MB.",
                size=mb(len(raw)),
                limit=mb(CONFIG_MAX_BYTES),
            )
        )
    depth = json_depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise UploadError(
            Message(
                "The model's config nests {depth} levels deep; Keras writes about a dozen (at most {limit} are read).",
                depth=f"{depth:,}",
                limit=MAX_JSON_DEPTH,
            )
        )
    try:
        config = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise UploadError(Message("The model's config is not valid JSON, so the file is damaged.")) from err
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise UploadError(Message("The model's config does not describe a Keras model."))
    return config


def _shape(value) -> tuple | None:
    """A recorded shape as a tuple of ints and ``None``s, or ``None`` when it is not one."""
    if isinstance(value, dict) and "input_shape" in value:
        value = value["input_shape"]
    if not isinstance(value, list | tuple) or not all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value
    ):
        return None
    return tuple(value)


def _layer_list(config) -> list:
    inner = config.get("config")
    if isinstance(inner, list):  # Keras 2.1's Sequential: the layers themselves
        return inner
    layers = inner.get("layers") if isinstance(inner, dict) else None
    return layers if isinstance(layers, list) else []


def walk_layers(model_config: dict) -> Iterator[DeclaredLayer]:
    """Every layer of a model config, depth first: nested models' layers and wrapped layers (``Bidirectional``'s two
    directions, ``TimeDistributed``'s inner layer) included; models and wrappers themselves are yielded too."""
    stack = [(model_config, _shape(model_config.get("build_config")), "")]
    while stack:
        layer, shape, path = stack.pop()
        if not isinstance(layer, dict):
            continue
        name, config = layer.get("class_name"), layer.get("config")
        if not isinstance(name, str) or not isinstance(config, dict | list):
            continue
        yield DeclaredLayer(name, config if isinstance(config, dict) else {}, shape, path)
        if name in MODEL_CLASSES:
            children = _layer_list(layer)
            stack.extend(
                (
                    child,
                    _shape(child.get("build_config")) if isinstance(child, dict) else None,
                    f"{path}/{_name(child)}".lstrip("/"),
                )
                for child in reversed(children)
            )
        elif name in WRAPPERS and isinstance(config, dict):
            inner_shape = shape if name == "Bidirectional" or shape is None else (shape[0], *shape[2:])
            if config.get("backward_layer") is not None:
                stack.append((config["backward_layer"], inner_shape, f"{path}/backward".lstrip("/")))
            stack.append(
                (config.get("layer"), inner_shape, f"{path}/{'forward' if name == 'Bidirectional' else 'inner'}".lstrip("/"))
            )


def _name(layer) -> str:
    config = layer.get("config") if isinstance(layer, dict) else None
    return str(config.get("name", "?"))[:60] if isinstance(config, dict) else "?"


def declared_layers(model_config: dict) -> list[DeclaredLayer]:
    """`walk_layers`, refusing a config with more than `MAX_LAYERS` layers or a declared input over its limit."""
    layers = []
    for layer in walk_layers(model_config):
        layers.append(layer)
        if len(layers) > MAX_LAYERS + 1:  # the model itself is the first
            raise UploadError(
                Message(
                    "The model's config declares more than {limit} layers; the LSTM models people save have a few dozen "
                    "at most, so it is not opened.",
                    limit=MAX_LAYERS,
                )
            )
        for key in ("batch_shape", "batch_input_shape"):
            declared = _shape(layer.config.get(key))
            if declared is None:
                continue
            elements = int(np.prod([max(d or 1, 1) for d in declared[1:]], dtype=object))
            if elements > MAX_INPUT_ELEMENTS:
                raise UploadError(
                    Message(
                        "The model declares an input of shape {shape}: {elements} numbers per sample. The app draws at "
                        "most {limit}, so it is not opened.",
                        shape=tuple(declared),
                        elements=f"{elements:,}",
                        limit=f"{MAX_INPUT_ELEMENTS:,}",
                    )
                )
    return layers
