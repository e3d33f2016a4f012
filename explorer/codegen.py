"""Keras code for a config: modern Keras 3, and the legacy Keras 1/2 spellings learners meet in old answers.

`keras3_code` is runnable (a test executes it and compares shapes and
``count_params()`` with `build_model`). `legacy_code` is shown, not run: Keras 3
removed ``input_dim``/``input_length``/``input_shape`` from layers; `LEGACY_NOTES`
says what each spelling meant.
"""

from __future__ import annotations

from explorer.config import LSTMConfig
from explorer.i18n import N_

DEFAULTS = LSTMConfig()  # keyword arguments equal to Keras's defaults are left out of the code


def _lstm_kwargs(cfg: LSTMConfig, k: int) -> list[str]:
    args = [str(cfg.units[k])]
    if cfg.return_sequences[k]:
        args.append("return_sequences=True")
    if cfg.return_state and k == cfg.n_layers - 1:
        args.append("return_state=True")
    if cfg.go_backwards:
        args.append("go_backwards=True")
    if cfg.activation != "tanh":
        args.append(f'activation="{cfg.activation}"')
    if cfg.recurrent_activation != "sigmoid":
        args.append(f'recurrent_activation="{cfg.recurrent_activation}"')
    if not cfg.use_bias:
        args.append("use_bias=False")
    if not cfg.unit_forget_bias:
        args.append("unit_forget_bias=False")
    return args


def keras3_code(cfg: LSTMConfig) -> str:
    """Runnable Keras 3 (functional API) code that builds the same architecture as `build_model`."""
    T, F = cfg.timesteps, cfg.features
    lines = ["import keras", "", f"inputs = keras.Input(shape=({T}, {F}))  # (timesteps, features); batch = None"]
    x = "inputs"
    for k in range(cfg.n_layers):
        call = f"keras.layers.LSTM({', '.join(_lstm_kwargs(cfg, k))})({x})"
        out_shape = f"(None, {T}, {cfg.units[k]})" if cfg.return_sequences[k] else f"(None, {cfg.units[k]})"
        if cfg.return_state and k == cfg.n_layers - 1:
            lines.append(f"x, state_h, state_c = {call}  # {out_shape}, (None, {cfg.units[k]}) × 2")
        else:
            lines.append(f"x = {call}  # {out_shape}")
        x = "x"
    if cfg.head_units:
        act = f', activation="{cfg.head_activation}"' if cfg.head_activation != "linear" else ""
        lines.append(f"x = keras.layers.Dense({cfg.head_units}{act})(x)")
    outputs = "[x, state_h, state_c]" if cfg.return_state else "x"
    lines += [f"model = keras.Model(inputs, {outputs})", "model.summary()"]
    return "\n".join(lines)


def legacy_code(cfg: LSTMConfig) -> str:
    """The same model in Keras 1/2 ``Sequential`` spellings (three equivalent first lines)."""
    T, F = cfg.timesteps, cfg.features
    first = ", ".join(_lstm_kwargs(cfg, 0))
    lines = [
        "# Keras 1/2 (does not run on Keras 3): three ways to give the first layer its input shape",
        "from keras.models import Sequential",
        "from keras.layers import LSTM, Dense",
        "model = Sequential()",
        f"model.add(LSTM({first}, input_shape=({T}, {F})))            # (timesteps, features)",
        f"# model.add(LSTM({first}, input_dim={F}, input_length={T}))  # the same, Keras 1 spelling",
        f"# model.add(LSTM({first}, batch_input_shape=(32, {T}, {F})))  # fixes the batch too (needed for stateful)",
    ]
    for k in range(1, cfg.n_layers):
        lines.append(f"model.add(LSTM({', '.join(_lstm_kwargs(cfg, k))}))  # only the first layer needs a shape")
    if cfg.head_units:
        act = f", activation='{cfg.head_activation}'" if cfg.head_activation != "linear" else ""
        lines.append(f"model.add(Dense({cfg.head_units}{act}))")
    return "\n".join(lines)


LEGACY_NOTES = {  # spelling -> what it means (a message)
    "input_shape=(T, F)": N_("shape of ONE sample: timesteps × features; the batch is left out (Keras shows None)."),
    "input_dim=F": N_("Keras 1: the number of features per timestep (the last axis)."),
    "input_length=T": N_("Keras 1: the number of timesteps (the middle axis)."),
    "batch_input_shape=(B, T, F)": N_("also fixes the batch size B; required for stateful=True."),
    "keras.Input(shape=(T, F))": N_("Keras 3: the only spelling; layers no longer take input shapes."),
}
