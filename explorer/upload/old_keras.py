"""Read `.h5` files as Keras 2.1, Keras 2.2.4 and tf.keras 2.x wrote them: their model config translated into what
Keras 3 reads, before Keras sees it. Those versions wrote most of the LSTM files in the world; Keras 3 refuses them
with its own deserialisation errors ("pop expected at most 1 argument", "Input 0 … is incompatible", "Unrecognized
keyword arguments passed to LSTM: time_major").

What changes (nothing else does; the weights stay where they are, in the order Keras 3's legacy loader reads them):

- a ``Sequential`` config that is a bare list of layers (Keras ≤ 2.1) gets its ``{"name", "layers"}`` form;
- ``batch_input_shape`` on a Sequential's first layer becomes an ``InputLayer`` of that ``batch_shape`` in front of it
  (Keras 2 built the input from it); on an ``InputLayer`` it is renamed ``batch_shape``;
- a functional ``Model`` is a ``Functional``;
- recurrent layers lose the arguments Keras 3 no longer takes: ``time_major``, ``implementation``.
"""

from __future__ import annotations

import copy
import json

DROPPED = ("time_major", "implementation")  # recurrent-layer arguments Keras 3 does not take


def _layer(entry: dict) -> None:
    """Translate one layer entry in place (and the layer a wrapper holds)."""
    config = entry.get("config")
    if not isinstance(config, dict):
        return
    if entry.get("class_name") == "InputLayer" and "batch_input_shape" in config:
        config["batch_shape"] = config.pop("batch_input_shape")
    for name in DROPPED:
        config.pop(name, None)
    inner = config.get("layer")
    if isinstance(inner, dict):
        _layer(inner)
    backward = config.get("backward_layer")
    if isinstance(backward, dict):
        _layer(backward)


def translate_config(model_config: dict) -> dict:
    """Keras 3's reading of an old ``model_config`` (a new dict; the argument is not changed)."""
    config = copy.deepcopy(model_config)
    kind = config.get("class_name")
    inner = config.get("config")
    if kind == "Sequential":
        if isinstance(inner, list):
            inner = {"name": "sequential", "layers": inner}
        layers = inner.get("layers", [])
        first = layers[0].get("config", {}) if layers else {}
        if layers and layers[0].get("class_name") != "InputLayer" and "batch_input_shape" in first:
            shape = first.pop("batch_input_shape")
            input_layer = {
                "batch_shape": shape,
                "dtype": first.get("dtype", "float32"),
                "name": f"{first.get('name', 'input')}_input",
            }
            layers.insert(0, {"class_name": "InputLayer", "config": input_layer})
        for layer in layers[1:]:
            layer.get("config", {}).pop("batch_input_shape", None)  # Keras 2 ignored it past the first layer
        config["config"] = inner
    elif kind == "Model":
        config["class_name"] = "Functional"
    for layer in (inner or {}).get("layers", []) if isinstance(inner, dict) else []:
        _layer(layer)
    return config


def needs_translating(model_config: dict) -> bool:
    """Whether Keras 3 would stumble on this config (it reads it unchanged otherwise)."""
    return translate_config(model_config) != model_config


def translated_h5(path: str) -> bool:
    """Rewrite the ``model_config`` of the HDF5 file at ``path`` (a private copy) in Keras 3's terms, if needed.

    Returns:
        Whether the file was rewritten.
    """
    import h5py

    with h5py.File(path, "r+") as f:
        raw = f.attrs.get("model_config")
        if raw is None:
            return False
        config = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
        if not needs_translating(config):
            return False
        f.attrs["model_config"] = json.dumps(translate_config(config)).encode()
    return True
