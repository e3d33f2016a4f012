"""Read an uploaded model's LSTM stack into the app's `LSTMConfig` and weights, or say what stands in the way.

What the views can trace: an input of shape ``(T, F)``, one to four ``LSTM`` layers sharing
``go_backwards``, the activations and ``use_bias``, and an optional ``Dense`` head; ``Dropout`` and
``InputLayer`` are allowed (identity when the model is used). Anything else — ``GRU``, ``SimpleRNN``,
``Bidirectional``, ``ConvLSTM``, ``Masking``, ``Embedding``, branches — is named in the message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from explorer.config import (
    ACTIVATIONS,
    FEATURES_RANGE,
    HEAD_ACTIVATIONS,
    LAYERS_RANGE,
    RECURRENT_ACTIVATIONS,
    TIMESTEPS_RANGE,
    UNITS_RANGE,
    ConfigError,
    LSTMConfig,
)
from explorer.i18n import Message
from explorer.upload.errors import UploadError

PASS_THROUGH = {"InputLayer", "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "ActivityRegularization"}
DEFAULT_TIMESTEPS = 12  # for a model whose input takes sequences of any length


@dataclass(frozen=True)
class UploadedModel:
    """A learner's model as the app shows it.

    Attributes:
        name: the uploaded file's name.
        digest: SHA-256 of the file (the weights' identity in the shared caches).
        cfg: the equivalent `LSTMConfig` (``build_model(cfg)`` has the same layers and weight shapes).
        arrays: the model's weights in ``build_model(cfg).get_weights()`` order.
        notes: what the page should say about it (a free sequence length, dropout ignored, …).
    """

    name: str
    digest: str
    cfg: LSTMConfig
    arrays: tuple[np.ndarray, ...]
    notes: tuple[str, ...]


def _act(fn) -> str:
    return fn if isinstance(fn, str) else getattr(fn, "__name__", str(fn))


def _unwrap(layer, keras):
    """``TimeDistributed(Dense)`` is the per-step ``Dense`` itself: the same weights, the same numbers."""
    if isinstance(layer, keras.layers.TimeDistributed) and isinstance(layer.layer, keras.layers.Dense):
        return layer.layer
    return layer


def read_stack(model, *, name: str, data: bytes) -> UploadedModel:
    """The `UploadedModel` of a loaded Keras model, or `UploadError` naming what cannot be traced.

    Args:
        model: a loaded ``keras.Model``.
        name: the file name (for messages and file names).
        data: the file's bytes (hashed: the weights' identity).
    """
    from explorer._keras import keras

    layers = [_unwrap(layer, keras) for layer in model.layers if type(layer).__name__ not in PASS_THROUGH]
    kinds = [type(layer).__name__ for layer in layers]
    lstms = [layer for layer in layers if isinstance(layer, keras.layers.LSTM)]
    unsupported = [k for k in kinds if k not in ("LSTM", "Dense")]
    recurrent_like = [k for k in unsupported if any(word in k for word in ("RNN", "GRU", "LSTM", "Bidirectional"))]
    if not lstms and not recurrent_like:
        found = ", ".join(dict.fromkeys(kinds)) or "—"
        raise UploadError(Message("No `LSTM` layer in this model (found: {found}). This app explores LSTM stacks.", found=found))
    if unsupported:
        found = ", ".join(f"`{k}`" for k in dict.fromkeys(unsupported))
        raise UploadError(
            Message(
                "This model has layers the app does not trace: {found}. It shows stacks of plain `LSTM` layers with an "
                "optional `Dense` head (a `Bidirectional` LSTM, `GRU`, `ConvLSTM`, `Masking` or `Embedding` are not drawn).",
                found=found,
            )
        )
    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) > 1 or (dense and layers[-1] is not dense[0]):
        raise UploadError(
            Message("The app traces one `Dense` layer, after the last LSTM; this model has its Dense layers elsewhere.")
        )
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise UploadError(Message("The app traces models with one input and one output; this one has more."))
    if len(lstms) > LAYERS_RANGE[1]:
        raise UploadError(
            Message("This model stacks {n} LSTM layers; the app draws up to {most}.", n=len(lstms), most=LAYERS_RANGE[1])
        )
    shape = tuple(model.inputs[0].shape)  # (None, T, F)
    notes = []
    if len(shape) != 3:
        raise UploadError(
            Message("The model's input has shape {shape}; an LSTM stack reads `(batch, timesteps, features)`.", shape=shape)
        )
    T, F = shape[1], shape[2]
    if T is None:
        T = DEFAULT_TIMESTEPS
        notes.append(
            Message("Your model takes sequences of any length; the views use {T} timesteps (change them in the sidebar).", T=T)
        )
    first = lstms[0]
    for field, value in (
        ("go_backwards", {layer.go_backwards for layer in lstms}),
        ("activation", {_act(layer.cell.activation) for layer in lstms}),
        ("recurrent_activation", {_act(layer.cell.recurrent_activation) for layer in lstms}),
        ("use_bias", {layer.use_bias for layer in lstms}),
    ):
        if len(value) > 1:
            raise UploadError(
                Message(
                    "The LSTM layers differ in `{field}` ({values}); the app draws one setting.",
                    field=field,
                    values=", ".join(map(str, value)),
                )
            )
    act, rec = _act(first.cell.activation), _act(first.cell.recurrent_activation)
    if act not in ACTIVATIONS or rec not in RECURRENT_ACTIVATIONS:
        raise UploadError(
            Message(
                "The LSTM uses activation `{act}` / recurrent activation `{rec}`, which the app does not trace.", act=act, rec=rec
            )
        )
    head_act = _act(dense[0].activation) if dense else "linear"
    if dense and head_act not in HEAD_ACTIVATIONS:
        raise UploadError(
            Message(
                "The Dense head's activation `{act}` is not one the app traces ({choices}).",
                act=head_act,
                choices=", ".join(HEAD_ACTIVATIONS),
            )
        )
    if any(layer.dropout or layer.recurrent_dropout for layer in lstms):
        notes.append(Message("Its LSTM dropout acts only in training; the views show the model as used for prediction."))
    if any(layer.stateful for layer in lstms):
        notes.append(Message("It is `stateful`: the views start every sequence from zero state, as after `reset_states()`."))
    if any(layer.return_state for layer in lstms):
        notes.append(Message("A layer returns its states inside your model; the views show its outputs."))
    sizes = (("timesteps", T, TIMESTEPS_RANGE), ("features", F, FEATURES_RANGE))
    sizes += tuple((Message("units of {layer}", layer=layer.name), layer.units, UNITS_RANGE) for layer in lstms)
    for what, value, (lo, hi) in sizes:
        if not lo <= value <= hi:
            raise UploadError(
                Message("Its {what} = {value} is outside what the app draws ({lo}–{hi}).", what=what, value=value, lo=lo, hi=hi)
            )
    try:
        cfg = LSTMConfig(
            timesteps=int(T),
            features=int(F),
            units=tuple(int(layer.units) for layer in lstms),
            return_sequences=tuple(bool(layer.return_sequences) for layer in lstms),
            go_backwards=bool(first.go_backwards),
            activation=act,
            recurrent_activation=rec,
            use_bias=bool(first.use_bias),
            unit_forget_bias=bool(first.unit_forget_bias),
            head_units=int(dense[0].units) if dense else 0,
            head_activation=head_act,
        )
    except ConfigError as err:
        raise UploadError(Message("This stack does not fit the app: {reason}", reason=err)) from err
    if not cfg.is_buildable:
        raise UploadError(Message("An inner LSTM layer of this model does not return sequences, so the stack cannot run."))
    arrays = [np.asarray(w, np.float32) for layer in lstms for w in layer.get_weights()]
    if dense:  # the app's head always has a bias: zeros stand in for Dense(use_bias=False)
        head = dense[0].get_weights()
        bias = head[1] if len(head) > 1 else np.zeros(dense[0].units)
        arrays += [np.asarray(head[0], np.float32), np.asarray(bias, np.float32)]
    arrays = tuple(arrays)
    from explorer.training.snapshots import model_weights
    from explorer.upload.legacy import hard_sigmoid_note, saved_by_keras

    if note := hard_sigmoid_note(cfg, model_weights(cfg, arrays), saved_by_keras(data)):
        notes.append(note)
    uploaded = UploadedModel(name, hashlib.sha256(data).hexdigest(), cfg, arrays, tuple(notes))
    _check_reproduced(model, uploaded)
    return uploaded


def _check_reproduced(model, uploaded: UploadedModel) -> None:
    """The app's reading must give the uploaded model's own outputs (a branch or an odd wiring would not)."""
    from explorer.reference import trace
    from explorer.training.snapshots import model_weights

    cfg = uploaded.cfg
    batch = model.inputs[0].shape[0] or 2  # a stateful model takes only its own batch size
    x = np.random.default_rng(0).normal(size=(batch, cfg.timesteps, cfg.features)).astype(np.float32)  # (batch, T, F)
    try:
        ours = trace(model_weights(cfg, uploaded.arrays), x).output
        theirs = np.asarray(model(x, training=False), np.float32)
    except Exception as err:  # shapes that do not line up: the reading was wrong
        raise UploadError(
            Message("The app could not reproduce this model's computation ({error}).", error=type(err).__name__)
        ) from err
    if theirs.shape != ours.shape or not np.allclose(theirs, ours, atol=1e-4):
        raise UploadError(Message("The app's reading of this model does not reproduce its outputs, so it is not shown."))
