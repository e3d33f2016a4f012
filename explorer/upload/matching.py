"""Do the config and the weight file belong together? Compared by shapes, before Keras builds anything.

A config that declares ``LSTM(12000)`` beside the weights of ``LSTM(4)`` makes Keras allocate the large
layer and fail only when it reads the small weights. Here every weight a layer declares must be in the
weight file with the same shape (for the layers whose weights `explorer.upload.declared` knows).
"""

from __future__ import annotations

from collections import Counter

from explorer.i18n import Message
from explorer.upload.config_json import DeclaredLayer, _layer_list, walk_layers
from explorer.upload.declared import Shape, count, declared_weights
from explorer.upload.errors import UploadError
from explorer.upload.limits import parameter_limit


def _mismatch(layer: DeclaredLayer, shape: Shape, held: Counter) -> UploadError:
    listing = ", ".join(str(s) for s in sorted(held)[:6]) + (", …" if len(held) > 6 else "") if held else "none"
    return UploadError(
        Message(
            "The config declares `{layer}` ({kind}) with a weight of shape {shape}, which the weight file does not hold "
            "(it holds {held}). The config and the weights do not belong together, so nothing was built.",
            layer=layer.path or layer.class_name,
            kind=layer.class_name,
            shape=shape,
            held=listing,
        )
    )


def _take(layer: DeclaredLayer, shapes: list[Shape], held: Counter) -> None:
    for shape in shapes:
        if held[shape] <= 0:
            raise _mismatch(layer, shape, held)
        held[shape] -= 1


def _leftover(held: Counter, where: str) -> None:
    if rest := +held:
        raise UploadError(
            Message(
                "The weight file holds weights that no layer of the config declares ({shapes} in `{where}`); the config "
                "and the weights do not belong together, so nothing was built.",
                shapes=", ".join(str(s) for s in sorted(rest)[:4]),
                where=where,
            )
        )


def match_keras3(weights: tuple[tuple[DeclaredLayer, tuple[Shape, ...]], ...], unknown: bool, shapes: dict[str, Shape]) -> None:
    """Refuse a ``.keras`` file whose ``model.weights.h5`` lacks a declared weight (or, when every layer is known
    here, holds one more than declared). The optimizer's variables are not compared."""
    held = Counter(shape for path, shape in shapes.items() if path.startswith("layers/"))
    for layer, declared in weights:
        _take(layer, list(declared), held)
    if not unknown:
        _leftover(held, "layers")


def _features(shape: Shape) -> int:
    """The input's last axis, read off a layer's first weight: a kernel ``(F, n)``, a conv kernel ``(k, F, n)``, ``(F,)``."""
    return shape[-2] if len(shape) >= 3 else shape[0]


def match_legacy(model_config: dict, shapes: dict[str, Shape], limit: int | None = None) -> int:
    """Refuse a Keras 2 ``.h5`` whose layers declare weights its ``model_weights`` do not hold, or too many parameters.

    Keras 2 configs record no input shape per layer, so each layer's input features are read off its own weights in
    the file (whose size is already bounded) and the rest of its shapes follow from the config.

    Returns:
        The declared parameters of the layers known here.
    """
    limit = parameter_limit() if limit is None else limit
    total = 0
    for top in _layer_list(model_config):
        if not isinstance(top, dict):
            continue
        name = str((top.get("config") or {}).get("name", "")) if isinstance(top.get("config"), dict) else ""
        prefix = f"model_weights/{name}/"
        ordered = [shape for path, shape in shapes.items() if path.startswith(prefix)]
        held, unknown = Counter(ordered), False
        for layer in walk_layers(top):
            layer = DeclaredLayer(layer.class_name, layer.config, layer.input_shape, f"{name}/{layer.path}".rstrip("/"))
            probe = declared_weights(layer, features=1)
            if probe is None:  # Keras decides what it allocates; the fenced process bounds it
                unknown = True
                continue
            if not probe:
                continue
            candidates = dict.fromkeys(_features(s) for s in ordered if s)
            fits = [d for f in candidates if (d := declared_weights(layer, features=f)) and not Counter(d) - held]
            if not fits:
                first = declared_weights(layer, features=next(iter(candidates), 1)) or []
                raise _mismatch(layer, next((s for s in first if held[s] <= 0), first[0] if first else ()), held)
            _take(layer, fits[0], held)
            total += count(fits[0])
        if not unknown:
            _leftover(held, name)
    if total > limit:
        raise UploadError(
            Message(
                "The model declares {params} parameters; this server opens models of up to {limit} parameters.",
                params=f"{total:,}",
                limit=f"{limit:,}",
            )
        )
    return total
