"""Prove the NumPy trace is Keras's: run Keras itself and measure the largest difference.

Keras returns only ``h`` (and, with ``return_state``, the final ``h, c``) of a
layer. To compare every layer's whole ``h`` sequence and final states, a
*probe* model re-uses each layer's configuration and weights with
``return_sequences=True, return_state=True``; the real model's own output is
compared too. Both run in one function per model: eagerly on its first check,
compiled (``tf.function``) from its second on.

Why eager first: most models are checked once (a learner moves on), and tracing
a ``tf.function`` costs more than the eager run it replaces for small models
(measured: ~70–100 ms eager against ~240–330 ms traced at the default config),
holding the GIL the whole time, so every other session's rerun waits. A model
checked again (a training run's model takes each snapshot's weights in turn)
compiles once and then costs a few ms per check.
"""

from __future__ import annotations

import weakref

import numpy as np

from explorer._keras import keras, tf
from explorer.reference import Trace

_PROBES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model → [compiled run, pairs, checks so far]


def _probe_function(model):
    """A compiled function ``(x, [h0, c0] * L) -> (model output, [seq, h, c] * L)`` for ``model``, and the
    ``(probe layer, model layer)`` pairs whose weights `keras_differences` copies before each run."""
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    timesteps, features = model.inputs[0].shape[1:]
    x_in = keras.Input(shape=(timesteps, features))
    state_ins, probe_outs, pairs = [], [], []
    current = x_in
    for layer in lstms:
        config = dict(layer.get_config(), return_sequences=True, return_state=True, name=f"probe_{layer.name}")
        clone = keras.layers.LSTM.from_config(config)
        h0, c0 = keras.Input(shape=(layer.units,)), keras.Input(shape=(layer.units,))
        state_ins += [h0, c0]
        seq, h, c = clone(current, initial_state=[h0, c0])
        pairs.append((clone, layer))
        probe_outs += [seq, h, c]
        current = seq
    probe = keras.Model([x_in, *state_ins], probe_outs)
    # A weak reference: _PROBES is keyed weakly by the model, so its value must not hold the model alive
    # (it did, and every checked model leaked: +140 MB of server memory per 100 configs).
    model_ref = weakref.ref(model)

    @tf.function(reduce_retracing=True)
    def run(x, states):
        return model_ref()(x, training=False), probe([x, *states], training=False)

    return run, pairs


EAGER_MAX_STEPS = 64  # timesteps × LSTM layers up to which a first check runs eagerly (the default: 12 × 2)


def _is_large(model, timesteps: int) -> bool:
    """Eager Keras steps every layer in Python: beyond ``EAGER_MAX_STEPS`` the trace pays for itself even once
    (measured: T 50 × 3 layers ~370 ms either way; T 200 × 4 layers 2.4 s eager, 1.0 s traced)."""
    lstms = sum(isinstance(layer, keras.layers.LSTM) for layer in model.layers)
    return timesteps * lstms > EAGER_MAX_STEPS


def keras_differences(model, x: np.ndarray, tr: Trace) -> dict[str, float]:
    """Largest absolute difference between the trace and Keras, tensor by tensor.

    Args:
        model: the ``keras.Model`` the trace was computed from.
        x: (batch, timesteps, features) the same input.
        tr: the `Trace` of ``model`` on ``x``.

    Returns:
        ``{"lstm_1.h": …, "lstm_1.final_h": …, "lstm_1.final_c": …, …, "output": …}``;
        ``output`` (the real model's own output) is compared only when the trace
        started from zero states, since the model itself always does.
    """
    if model not in _PROBES:
        _PROBES[model] = [*_probe_function(model), 0]
    entry = _PROBES[model]
    run, pairs, checks = entry
    entry[2] = checks + 1
    if checks == 0 and not _is_large(model, x.shape[1]):
        run = run.python_function  # eager: see the module's docstring
    for clone, layer in pairs:  # the model's weights now (a model reused for many snapshots: no retracing)
        clone.set_weights(layer.get_weights())
    states = [tf.constant(s) for layer in tr.layers for s in (layer.h0, layer.c0)]
    model_out, probe_out = run(tf.constant(x, dtype=tf.float32), states)
    diffs: dict[str, float] = {}
    for k, layer in enumerate(tr.layers):
        seq, h, c = (np.asarray(t) for t in probe_out[3 * k : 3 * k + 3])
        diffs[f"{layer.name}.h"] = float(np.max(np.abs(seq - layer.h)))
        diffs[f"{layer.name}.final_h"] = float(np.max(np.abs(h - layer.final_h)))
        diffs[f"{layer.name}.final_c"] = float(np.max(np.abs(c - layer.final_c)))
    if all(not np.any(layer.h0) and not np.any(layer.c0) for layer in tr.layers):
        outs = model_out if isinstance(model_out, list | tuple) else [model_out]
        diffs["output"] = float(np.max(np.abs(np.asarray(outs[0]) - tr.output)))
        if len(outs) == 3:  # return_state: [output, h, c] of the last LSTM
            diffs["state_h"] = float(np.max(np.abs(np.asarray(outs[1]) - tr.layers[-1].final_h)))
            diffs["state_c"] = float(np.max(np.abs(np.asarray(outs[2]) - tr.layers[-1].final_c)))
    return diffs


def keras_check(model, x: np.ndarray, tr: Trace) -> float:
    """The largest absolute difference between a NumPy `Trace` and Keras's own outputs.

    Compares every layer's ``h`` sequence and final ``h, c`` (and the model's output),
    computed by Keras: eagerly on a small model's first check, then in a compiled ``tf.function`` (one per
    model, cached).

    Args:
        model: the ``keras.Model`` the trace was computed from.
        x: (batch, timesteps, features) the same input.
        tr: the `Trace` of ``model`` on ``x``.

    Returns:
        max |trace − Keras| over all compared tensors (float32: expect ~1e-7).
    """
    return max(keras_differences(model, x, tr).values())
