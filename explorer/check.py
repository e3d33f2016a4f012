"""Prove the NumPy trace is Keras's: run Keras itself and measure the largest difference.

Keras returns only ``h`` (and, with ``return_state``, the final ``h, c``) of a
layer. To compare every layer's whole ``h`` sequence and final states, a
*probe* model re-uses each layer's configuration with ``return_sequences=True,
return_state=True``, takes the model's weights before each run, and passes the
last LSTM's output (its sequence, or its final ``h``, as the model's own last
layer returns) through copies of the layers after it (the Dense head): that is
the model's output, computed by Keras layers with the model's weights.

One probe serves every model of the same *structure* (the layers' configurations
apart from names and initializers): its input has no fixed length, so models that
differ only in ``timesteps`` or in their weights (another seed, a training
snapshot) share it, and none is built per model (measured: ~15 ms per new model).
It runs eagerly on a structure's first check, compiled (``tf.function``, traced
once for any batch and any number of timesteps) from the second on.

Why eager first: most models are checked once (a learner moves on), and tracing
a ``tf.function`` costs more than the eager run it replaces for small models
(measured at the default config: ~25 ms for the eager run, 120–200 ms to trace),
holding the GIL the whole time, so every other session's rerun waits. A structure checked
again (another timesteps, a training snapshot) compiles once, and then a check
costs a few ms.

A probe takes each model's weights in turn, so checks run one at a time (a lock;
the app runs them all on its one check thread anyway).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from explorer._keras import keras, tf
from explorer.reference import Trace

MAX_PROBES = 8  # structures kept (a probe holds variables the size of its model's: ≤ 8 MB at 4 × 256)


@dataclass
class _Probe:
    """A compiled function ``(x, [h0, c0] * L) -> [seq, h, c] * L + [model output]`` for one structure."""

    run: object  # the tf.function; ``run.python_function`` runs it eagerly
    copies: list[tuple[object, int]]  # (probe layer, index of the model layer whose weights it takes)
    return_state: bool  # the model's last LSTM also returns its final [h, c]
    checks: int = 0


_PROBES: OrderedDict[str, _Probe] = OrderedDict()  # structure → its probe, the last MAX_PROBES
_ONE_CHECK_AT_A_TIME = threading.Lock()  # a probe holds one model's weights at a time


def _structure(model) -> str:
    """What a probe depends on: the input's features and every layer's configuration but its name and initializers."""
    layers = []
    for layer in model.layers[1:]:
        config = {k: v for k, v in layer.get_config().items() if k != "name" and not k.endswith("_initializer")}
        layers.append([type(layer).__name__, config])
    return json.dumps([model.inputs[0].shape[-1], layers], sort_keys=True, default=str)


def _probe_for(model) -> _Probe:
    key = _structure(model)
    probe = _PROBES.pop(key, None) or _build_probe(model)
    _PROBES[key] = probe
    while len(_PROBES) > MAX_PROBES:
        _PROBES.popitem(last=False)
    return probe


def _build_probe(model) -> _Probe:
    """A probe for ``model``'s structure; it keeps no reference to ``model`` (a checked model can be freed)."""
    lstm_at = [k for k, layer in enumerate(model.layers) if isinstance(layer, keras.layers.LSTM)]
    features = model.inputs[0].shape[-1]
    x_in = keras.Input(shape=(None, features))  # any number of timesteps
    state_ins, outs, copies = [], [], []
    current = x_in
    for k in lstm_at:
        layer = model.layers[k]
        config = dict(layer.get_config(), return_sequences=True, return_state=True, name=f"probe_{layer.name}")
        clone = keras.layers.LSTM.from_config(config)
        h0, c0 = keras.Input(shape=(layer.units,)), keras.Input(shape=(layer.units,))
        state_ins += [h0, c0]
        seq, h, c = clone(current, initial_state=[h0, c0])
        copies.append((clone, k))
        outs += [seq, h, c]
        current = seq
    last = model.layers[lstm_at[-1]]
    output = current if last.return_sequences else outs[-2]  # what the model's last LSTM hands on
    for k in range(lstm_at[-1] + 1, len(model.layers)):  # the head, in the model's order
        layer = model.layers[k]
        clone = type(layer).from_config(dict(layer.get_config(), name=f"probe_{layer.name}"))
        output = clone(output)
        copies.append((clone, k))
    probe = keras.Model([x_in, *state_ins], [*outs, output])
    signature = [  # any batch, any timesteps: one trace serves every model of the structure
        tf.TensorSpec((None, None, features), tf.float32),
        [tf.TensorSpec((None, state.shape[-1]), tf.float32) for state in state_ins],
    ]

    @tf.function(input_signature=signature)
    def run(x, states):
        return probe([x, *states], training=False)

    return _Probe(run, copies, bool(last.return_state))


EAGER_MAX_STEPS = 64  # timesteps × LSTM layers up to which a first check runs eagerly (the default: 12 × 2)


def _is_large(model, timesteps: int) -> bool:
    """Eager Keras steps every layer in Python: beyond ``EAGER_MAX_STEPS`` the trace pays for itself even once
    (measured: T 50 × 3 layers ~370 ms either way; T 200 × 4 layers 2.4 s eager, 1.0 s traced)."""
    lstms = sum(isinstance(layer, keras.layers.LSTM) for layer in model.layers)
    return timesteps * lstms > EAGER_MAX_STEPS


def keras_differences(model, x: np.ndarray, tr: Trace) -> dict[str, float]:
    """Largest absolute difference between the trace and Keras, tensor by tensor.

    Args:
        model: the ``keras.Model`` the trace was computed from: a stack of LSTMs with an
            optional head, as `build_model` makes.
        x: (batch, timesteps, features) the same input.
        tr: the `Trace` of ``model`` on ``x`` (from any initial states).

    Returns:
        ``{"lstm_1.h": …, "lstm_1.final_h": …, "lstm_1.final_c": …, …, "output": …}``, and with
        ``return_state`` the model's returned ``state_h`` and ``state_c``.
    """
    states = [tf.constant(s) for layer in tr.layers for s in (layer.h0, layer.c0)]
    with _ONE_CHECK_AT_A_TIME:
        probe = _probe_for(model)
        run = probe.run
        if not probe.checks and not _is_large(model, x.shape[1]):
            run = run.python_function  # a structure's first check runs eagerly: see the module's docstring
        probe.checks += 1
        for clone, k in probe.copies:  # this model's weights now
            clone.set_weights(model.layers[k].get_weights())
        *layer_outs, output = (np.asarray(t) for t in run(tf.constant(x, dtype=tf.float32), states))
    diffs: dict[str, float] = {}
    for k, layer in enumerate(tr.layers):
        seq, h, c = layer_outs[3 * k : 3 * k + 3]
        diffs[f"{layer.name}.h"] = float(np.max(np.abs(seq - layer.h)))
        diffs[f"{layer.name}.final_h"] = float(np.max(np.abs(h - layer.final_h)))
        diffs[f"{layer.name}.final_c"] = float(np.max(np.abs(c - layer.final_c)))
    diffs["output"] = float(np.max(np.abs(output - tr.output)))
    if probe.return_state:  # the model returns [output, h, c]: its h, c are the last LSTM's final states
        diffs["state_h"] = float(np.max(np.abs(layer_outs[-2] - tr.layers[-1].final_h)))
        diffs["state_c"] = float(np.max(np.abs(layer_outs[-1] - tr.layers[-1].final_c)))
    return diffs


def keras_check(model, x: np.ndarray, tr: Trace) -> float:
    """The largest absolute difference between a NumPy `Trace` and Keras's own outputs.

    Compares every layer's ``h`` sequence and final ``h, c`` and the model's output, computed by Keras:
    eagerly on a structure's first check, then in a compiled ``tf.function`` (one per structure, cached).

    Args:
        model: the ``keras.Model`` the trace was computed from.
        x: (batch, timesteps, features) the same input.
        tr: the `Trace` of ``model`` on ``x``.

    Returns:
        max |trace − Keras| over all compared tensors (float32: expect ~1e-7).
    """
    return max(keras_differences(model, x, tr).values())
