"""The real models the sliders build: token ids through an ``Embedding`` (``mask_zero`` optional), LSTM layers each
optionally ``Bidirectional``, an optional Dense head. Built in Keras with seeded weights, then read as any learner's
model is (`read_real_model`), so every LSTM and direction is traced from the tensor that reaches it."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from explorer.config import LSTMConfig
from explorer.i18n import Message
from explorer.realmodel.reading import read_real_model
from explorer.realmodel.structure import LayerInput, RealModel
from explorer.realmodel.tracing import layer_outputs
from explorer.reference.embedding import embed, padding_mask


def _seeds(seed: int, n: int) -> list[int]:
    return [int(s) % (2**31 - 1) for s in np.random.SeedSequence([seed, 7]).generate_state(n)]


def build_real_model(cfg: LSTMConfig):
    """The Keras model a real config describes, its weights drawn from seeded initializers (same config, same weights).

    ``keras.Input((T,), "int32")`` → ``embedding`` → ``lstm_1`` (or ``bidirectional_1`` around it, the backward
    direction with seeds of its own) → … → optional ``head``; numbers in ``(T, F)`` when the input is not tokens.
    """
    from explorer._keras import keras

    L = keras.layers
    seeds = iter(_seeds(cfg.seed, 4 * cfg.n_layers + 2))

    def lstm(k: int, name: str, backwards: bool = False):
        return L.LSTM(
            cfg.units[k],
            activation=cfg.activation,
            recurrent_activation=cfg.recurrent_activation,
            use_bias=cfg.use_bias,
            unit_forget_bias=cfg.unit_forget_bias,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
            return_sequences=cfg.return_sequences[k],
            return_state=cfg.return_state and k == cfg.n_layers - 1,
            go_backwards=cfg.go_backwards != backwards,  # a Bidirectional's backward layer reads the other way
            name=name,
        )

    if cfg.input_kind == "tokens":
        inputs = keras.Input((cfg.timesteps,), dtype="int32", name="token_ids")
        x = L.Embedding(
            cfg.vocab,
            cfg.embed_dim,
            mask_zero=cfg.mask_zero,
            embeddings_initializer=keras.initializers.RandomUniform(-0.5, 0.5, seed=next(seeds)),
            name="embedding",
        )(inputs)
    else:
        inputs = keras.Input((cfg.timesteps, cfg.features), name="input")
        x = inputs
    states = []  # with return_state: the last layer's final h, c (h, c forward then backward when Bidirectional)
    for k in range(cfg.n_layers):
        if cfg.is_bidirectional(k):
            forward, backward = lstm(k, f"forward_lstm_{k + 1}"), lstm(k, f"backward_lstm_{k + 1}", backwards=True)
            out = L.Bidirectional(forward, backward_layer=backward, merge_mode=cfg.merge_mode, name=f"bidirectional_{k + 1}")(x)
        else:
            out = lstm(k, f"lstm_{k + 1}")(x)
        x, *states = out if cfg.return_state and k == cfg.n_layers - 1 else (out,)
    if cfg.head_units:
        x = L.Dense(cfg.head_units, activation=cfg.head_activation, name="head")(x)
    return keras.Model(inputs, [x, *states] if states else x, name="lstm_explorer")


def numpy_real_model(cfg: LSTMConfig, model, samples: np.ndarray | None = None, identity: str = "") -> RealModel:
    """The sliders' real model with every tensor computed in NumPy (no Keras call: the hot path of a slider move).

    The Embedding's lookup and ``mask_zero``'s mask, each LSTM and direction (`site_trace`) and each layer's merged
    output feeding the next. ``keras_outputs`` stay empty: `keras_check_real` compares with Keras off the page's path.

    Args:
        cfg: a real config (`LSTMConfig.is_real`), buildable.
        model: `build_real_model(cfg)`, or a copy of it with trained weights.
        samples: the batch to trace, (B, T) ids or (B, T, F) numbers (a task's samples); default: made for the model.
        identity: what else names these weights and samples beside ``cfg`` (a training run's step, a task's data):
            part of the digest the shared caches key on.
    """
    from explorer._keras import keras
    from explorer.realmodel import reading

    layers = reading._traced_layers(model, keras)
    inputs = reading._model_inputs(model, keras, cfg.seed)
    if samples is not None:
        inputs = (dataclasses.replace(inputs[0], samples=np.asarray(samples)), *inputs[1:])
    notes = reading._notes(layers, inputs, keras)
    if samples is not None:  # a task's own samples, not made-up ones
        notes = (*(n for n in notes if "random token ids" not in n.msgid), Message("The samples are windows of the task's data."))
    seen: dict = {}
    real = RealModel(
        "sliders",
        hashlib.sha256((repr(cfg) + identity).encode()).hexdigest(),
        reading._boxes(model, keras),
        reading._sites(model, layers, keras),
        inputs,
        seen,
        int(model.count_params()),
        notes,
    )
    samples = inputs[0].samples
    if cfg.input_kind == "tokens":
        table = np.asarray(model.get_layer("embedding").embeddings, np.float32)  # (vocab, D)
        x, mask = embed(table, samples), (padding_mask(samples) if cfg.mask_zero else None)  # (B, T, D), (B, T)
    else:
        x, mask = samples, None
    for layer in layers:
        seen[layer.name] = LayerInput(x, mask, (), ())
        (x,) = layer_outputs(real, layer.name, 1)  # (B, T, width) feeds the next layer
    return real


def keras_check_real(real: RealModel, model) -> float:
    """The largest |NumPy − Keras| over every traced layer's outputs and states, Keras running ``model`` itself on
    the same samples (a sub-model up to every LSTM's outputs)."""
    from explorer._keras import keras
    from explorer.realmodel import reading

    seen = reading._tensors_seen(model, reading._traced_layers(model, keras), real.inputs, keras)
    worst = 0.0
    for name, entry in seen.items():
        ours = layer_outputs(real, name, len(entry.keras_outputs))
        if [a.shape for a in ours] != [b.shape for b in entry.keras_outputs]:
            return float("inf")
        worst = max([worst, *(float(np.max(np.abs(a - b))) for a, b in zip(ours, entry.keras_outputs, strict=True))])
    return worst


def broken_stack_error(cfg: LSTMConfig):
    """The `ConfigError` of a stack Keras cannot build: its first inner layer that does not return sequences."""
    from explorer.config import ConfigError
    from explorer.i18n import Message
    from explorer.model import STACK_FIX

    k = cfg.broken_links[0]
    return ConfigError(Message(STACK_FIX, name=f"lstm_{k + 1}", units=cfg.units[k]), field="return_sequences")


def real_model_of(cfg: LSTMConfig) -> RealModel:
    """The sliders' real model, read like an uploaded one: every LSTM traced from its input, checked against Keras.

    Raises:
        ConfigError: where Keras cannot stack a layer (an inner layer without ``return_sequences``).
    """
    if not cfg.is_buildable:
        raise broken_stack_error(cfg)
    model = build_real_model(cfg)
    name = "sliders"
    return read_real_model(model, name=name, data=hashlib.sha256(repr(cfg).encode()).digest())
