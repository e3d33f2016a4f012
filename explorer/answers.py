"""Numbers that answer the learners' questions, computed from the live model (never typed in).

Each function takes the config (and model or data) and returns plain data; the
figures and the UI only show them. Keras is run where the answer is about
Keras itself (``return_state`` outputs, ``stateful`` carrying, ``unroll``,
dropout at inference); everything else comes from the NumPy trace.
"""

from __future__ import annotations

import inspect
import statistics
import time
from dataclasses import dataclass

import numpy as np

from explorer._keras import keras
from explorer.config import LSTMConfig
from explorer.i18n import N_, _
from explorer.model import build_model
from explorer.reference import ModelWeights, Trace, extract_weights, trace

PARAM_LENGTHS = (1, 5, 10, 25, 50, 100, 200)


def units_places(cfg: LSTMConfig, layer: int = 0) -> list[tuple[str, str]]:
    """Every place ``units`` of one layer shows up, with its live shape (in the current language).

    Returns:
        ``[(what, shape text), ...]`` for h, c, each gate, the weights, the output and what follows.
    """
    U, F, T = cfg.units[layer], cfg.layer_input_features(layer), cfg.timesteps
    name = cfg.layer_names[layer]
    places = [
        (_("hidden state h_t of {layer}").format(layer=name), f"(None, {U})"),
        (_("cell state c_t of {layer}").format(layer=name), f"(None, {U})"),
        (_("each gate i_t, f_t, o_t and the candidate g_t"), _("{shape} each").format(shape=f"(None, {U})")),
        (_("kernel: inputs → the four gates"), f"({F}, 4·{U}) = ({F}, {4 * U})"),
        (_("recurrent_kernel: h_(t-1) → the four gates"), f"({U}, 4·{U}) = ({U}, {4 * U})"),
        ("bias", f"(4·{U},) = ({4 * U},)"),
    ]
    out = f"(None, {T}, {U})" if cfg.return_sequences[layer] else f"(None, {U})"
    rs = cfg.return_sequences[layer]
    places.append((_("output of {layer} (return_sequences={rs})").format(layer=name, rs=rs), out))
    if layer < cfg.n_layers - 1:
        receives = _("what {layer} receives per step").format(layer=cfg.layer_names[layer + 1])
        places.append((receives, _("{shape}: its 'features'").format(shape=f"(None, {U})")))
    elif cfg.head_units:
        if cfg.return_sequences[layer]:
            seen = _("{shape} — one Dense per step").format(shape=f"(None, {T}, {U})")
        else:
            seen = _("{shape}: only the last h").format(shape=f"(None, {U})")
        places.append((_("what Dense({units}) sees").format(units=cfg.head_units), seen))
        places.append((_("Dense kernel"), f"({U}, {cfg.head_units})"))
    return places


def params_vs_timesteps(cfg: LSTMConfig, lengths: tuple[int, ...] = PARAM_LENGTHS) -> list[tuple[int, int]]:
    """``count_params()`` of real Keras models built from ``cfg`` at several sequence lengths."""
    return [(T, int(build_model(cfg.replace(timesteps=T)).count_params())) for T in lengths]


@dataclass(frozen=True)
class ReturnStateDemo:
    """Keras's own three outputs of the last LSTM with ``return_state=True`` (sample 0)."""

    output_shape: tuple
    h_shape: tuple
    c_shape: tuple
    output_last: np.ndarray  # (U,) output at the last step (or the output itself)
    h: np.ndarray  # (U,)
    c: np.ndarray  # (U,)
    max_output_minus_h: float


def return_state_demo(cfg: LSTMConfig, x: np.ndarray, weights: tuple[np.ndarray, ...] | None = None) -> ReturnStateDemo:
    """Run Keras on the LSTM layers of ``cfg`` with ``return_state=True`` and compare ``output`` with ``h``.

    ``weights``: the whole model's arrays (``get_weights()`` order, e.g. a training snapshot); ``None``: initial.
    """
    probe_cfg = cfg.replace(return_state=True, head_units=0)
    model = build_model(probe_cfg)
    if weights is not None:  # the LSTM layers' arrays come first; the head's are left out with the head
        model.set_weights(list(weights[: cfg.n_layers * (3 if cfg.use_bias else 2)]))
    output, h, c = (np.asarray(a) for a in model.predict_on_batch(x))
    last = output[:, -1] if output.ndim == 3 else output  # with return_sequences: the last step's h
    return ReturnStateDemo(
        (None, *output.shape[1:]),
        (None, *h.shape[1:]),
        (None, *c.shape[1:]),
        last[0],
        h[0],
        c[0],
        float(np.max(np.abs(last - h))),
    )


@dataclass(frozen=True)
class HalvesDemo:
    """A long sequence fed whole, and in two calls with the state reset or carried over."""

    half: int
    whole: Trace
    reset: Trace  # second half, starting from zero state
    carried: Trace  # second half, starting from the first half's final (h, c)
    max_diff_carried: float  # |carried − whole's second half|, all layers' h
    max_diff_reset: float


def state_across_calls(weights: ModelWeights, x: np.ndarray) -> HalvesDemo:
    """Feed ``x`` (B, T, F) whole, and in two halves with state reset or carried (what stateful=True does)."""
    T = x.shape[1]
    half = max(T // 2, 1)
    whole = trace(weights, x)
    first = trace(weights, x[:, :half])
    reset = trace(weights, x[:, half:])
    carried = trace(weights, x[:, half:], initial_state=[(lt.final_h, lt.final_c) for lt in first.layers])

    def diff(second: Trace) -> float:
        return max(float(np.max(np.abs(s.h - w.h[:, half:]))) for s, w in zip(second.layers, whole.layers, strict=True))

    return HalvesDemo(half, whole, reset, carried, diff(carried), diff(reset))


def keras_stateful_halves(cfg: LSTMConfig, model, x: np.ndarray) -> np.ndarray:
    """Keras itself with ``stateful=True``: feed two halves in two calls; returns the second call's output.

    Builds the stateful twin ``keras.Input(batch_shape=(B, T/2, F))`` with the same weights.
    """
    B, T, F = x.shape
    half = max(T // 2, 1)
    inputs = keras.Input(batch_shape=(B, half, F))
    h = inputs
    for k in range(cfg.n_layers):
        layer = model.get_layer(cfg.layer_names[k])
        twin = keras.layers.LSTM.from_config(dict(layer.get_config(), stateful=True, return_state=False, name=f"stateful_{k}"))
        h = twin(h)
        twin.set_weights(layer.get_weights())
    stateful = keras.Model(inputs, h)
    stateful.predict_on_batch(x[:, :half])
    return np.asarray(stateful.predict_on_batch(x[:, half : 2 * half]))


def generation_loop() -> str:
    """The sliding-window generation loop (Python), its comments in the current language."""
    return GENERATION_LOOP.format(
        intro=_("The other answer to “does it keep the state between calls?”: slide a window and feed predictions back in."),
        known=_("the last T steps we know"),
        fresh=_("a fresh call, state starts at zero"),
        slide=_("drop the oldest step, append the prediction"),
    )


GENERATION_LOOP = """# {intro}
window = seed_sequence[-T:]                       # (T, F), {known}
generated = []
for _ in range(n_steps):
    y = model.predict(window[None], verbose=0)[0]  # (F,): {fresh}
    generated.append(y)
    window = np.concatenate([window[1:], y[None]])  # {slide}"""


# What each LSTM argument does (Keras 3); the defaults are read from Keras itself, not typed here.
ARGUMENT_NOTES = {
    "units": N_("size of h, c and of every gate; the layer's output size."),
    "activation": N_("squashes the candidate g and c in h = o · activation(c). Try relu or linear in Advanced."),
    "recurrent_activation": N_("squashes the gates i, f, o into [0, 1]. Keras 3: sigmoid; Keras 1/2 defaulted to hard_sigmoid."),
    "use_bias": N_("adds the bias (4·units numbers). Off: the bias row disappears from the Tensor shapes view."),
    "kernel_initializer": N_("how the input weights start (the explorer seeds glorot_uniform)."),
    "recurrent_initializer": N_("how the recurrent weights start (orthogonal keeps h stable over long sequences)."),
    "bias_initializer": N_("how the bias starts (zeros)."),
    "unit_forget_bias": N_(
        "adds 1 to the forget-gate bias at start, so f ≈ 0.73: the cell remembers by default. "
        "Visible as the darker f slice of the bias."
    ),
    "kernel_regularizer": N_("penalty on the weights during training only; no effect on a forward pass."),
    "recurrent_regularizer": N_("as above, for the recurrent weights."),
    "bias_regularizer": N_("as above, for the bias."),
    "activity_regularizer": N_("penalty on the layer's output during training only."),
    "kernel_constraint": N_("clips or normalises weights after each training step; no effect here."),
    "recurrent_constraint": N_("as above, for the recurrent weights."),
    "bias_constraint": N_("as above, for the bias."),
    "dropout": N_("drops inputs x_t during training only: inference (predict) is unaffected — measured below."),
    "recurrent_dropout": N_("drops h_(t-1) during training only."),
    "seed": N_("seed for the dropout masks."),
    "return_sequences": N_("output every h_t (batch, T, units) instead of the last (batch, units). Needed for stacking."),
    "return_state": N_("also return the final h and c: [output, h, c]."),
    "go_backwards": N_("read the sequence from the last step to the first (and return it reversed)."),
    "stateful": N_(
        "keep h and c between calls: sample i of the next batch continues where sample i of the last one stopped; "
        "needs a fixed batch size."
    ),
    "unroll": N_("unroll the loop into the graph: faster for short sequences, more memory; same values — measured below."),
    "use_cudnn": N_("use the fused cuDNN kernel on a GPU when the options allow; same values."),
}


def argument_reference() -> list[dict]:
    """``keras.layers.LSTM``'s constructor arguments with Keras 3's own defaults and what each changes (current language)."""
    rows = []
    for name, param in inspect.signature(keras.layers.LSTM.__init__).parameters.items():
        if name in ("self", "kwargs"):
            continue
        default = _("required") if param.default is inspect.Parameter.empty else repr(param.default)
        note = _(ARGUMENT_NOTES[name]) if name in ARGUMENT_NOTES else ""
        rows.append({_("argument"): name, _("Keras 3 default"): default, _("what it does"): note})
    return rows


def activation_curves(z: np.ndarray) -> dict[str, np.ndarray]:
    """sigmoid (Keras 3 default), Keras 3's hard_sigmoid, and old Keras's hard_sigmoid, computed by Keras on ``z``.

    The keys are messages (curve names): translate them with ``_`` where they are shown.
    """
    ops = keras.ops
    return {
        N_("sigmoid (Keras 3 default)"): np.asarray(ops.sigmoid(z)),
        N_("hard_sigmoid, Keras 3: relu6(z + 3) / 6"): np.asarray(keras.activations.hard_sigmoid(z)),
        N_("hard_sigmoid, Keras 1/2 default: clip(0.2 z + 0.5, 0, 1)"): np.clip(0.2 * z + 0.5, 0, 1),
    }


def _median_ms(fn, repeats: int = 7) -> float:
    fn()  # warm-up (traces the predict function)
    times = []
    for _repeat in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def _twin(cfg: LSTMConfig, model, **changes):
    """The same LSTM stack with some constructor arguments changed, sharing ``model``'s weights."""
    inputs = keras.Input(shape=(cfg.timesteps, cfg.features))
    h = inputs
    for k in range(cfg.n_layers):
        layer = model.get_layer(cfg.layer_names[k])
        twin = keras.layers.LSTM.from_config(dict(layer.get_config(), return_state=False, name=f"twin_{k}", **changes))
        h = twin(h)
        twin.set_weights(layer.get_weights())
    return keras.Model(inputs, h)


def measure_unroll(cfg: LSTMConfig, model, x: np.ndarray) -> dict[str, float]:
    """``unroll=False`` vs ``unroll=True`` on the same weights: median predict time and max |Δ| of outputs."""
    rolled, unrolled = _twin(cfg, model, unroll=False), _twin(cfg, model, unroll=True)
    a, b = np.asarray(rolled.predict_on_batch(x)), np.asarray(unrolled.predict_on_batch(x))
    return {
        "rolled_ms": _median_ms(lambda: rolled.predict_on_batch(x)),
        "unrolled_ms": _median_ms(lambda: unrolled.predict_on_batch(x)),
        "max_diff": float(np.max(np.abs(a - b))),
    }


def measure_dropout(cfg: LSTMConfig, model, x: np.ndarray, rate: float = 0.5) -> dict[str, float]:
    """Dropout acts only in training: differences between two calls, at inference and with training=True."""
    dropped = _twin(cfg, model, dropout=rate, recurrent_dropout=rate / 2)
    plain = np.asarray(model.get_layer(cfg.layer_names[0]).get_weights()[0])  # weights untouched
    inf1, inf2 = (np.asarray(dropped(x, training=False)) for _ in range(2))
    tr1, tr2 = (np.asarray(dropped(x, training=True)) for _ in range(2))
    reference = trace(extract_weights(_twin(cfg, model)), x).layers[-1].output
    return {
        "inference_vs_inference": float(np.max(np.abs(inf1 - inf2))),
        "inference_vs_no_dropout": float(np.max(np.abs(inf1 - reference))),
        "training_vs_training": float(np.max(np.abs(tr1 - tr2))),
        "weights_changed": float(np.max(np.abs(plain - model.get_layer(cfg.layer_names[0]).get_weights()[0]))),
    }
