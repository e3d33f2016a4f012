"""Keras code for a config: modern Keras 3, and the legacy Keras 1/2 spellings learners meet in old answers.

`keras3_code` is runnable (a test executes it and compares shapes and
``count_params()`` with `build_model`). `legacy_code` is shown, not run: Keras 3
removed ``input_dim``/``input_length``/``input_shape`` from layers; `LEGACY_NOTES`
says what each spelling meant.
"""

from __future__ import annotations

from explorer.config import LSTMConfig
from explorer.i18n import N_, _

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


def _layer_shape(cfg: LSTMConfig, k: int) -> str:
    """What layer ``k`` hands on, as Keras prints it: ``(None, T, width)`` or ``(None, width)``."""
    width = cfg.layer_output_width(k)
    return f"(None, {cfg.timesteps}, {width})" if cfg.return_sequences[k] else f"(None, {width})"


def _merge_kwarg(cfg: LSTMConfig) -> str:
    return "" if cfg.merge_mode == "concat" else f', merge_mode="{cfg.merge_mode}"'


def keras3_code(cfg: LSTMConfig) -> str:
    """Runnable Keras 3 (functional API) code that builds the same architecture as `build_model` (and, for a real
    config, as `explorer.realmodel.built.build_real_model`: an Embedding in front, Bidirectional layers)."""
    T, F = cfg.timesteps, cfg.features
    lines = ["import keras", ""]
    if cfg.input_kind == "tokens":
        mask = ", mask_zero=True" if cfg.mask_zero else ""
        lines += [
            f'inputs = keras.Input(shape=({T},), dtype="int32")  # (timesteps,): ' + _("one token id per step; batch = None"),
            f"x = keras.layers.Embedding({cfg.vocab}, {cfg.embed_dim}{mask})(inputs)  # (None, {T}, {cfg.embed_dim}): "
            + _("ids 0 … {last}, {d} numbers each").format(last=cfg.vocab - 1, d=cfg.embed_dim),
        ]
        x = "x"
    else:
        lines.append(f"inputs = keras.Input(shape=({T}, {F}))  # (timesteps, features); " + _("batch = None"))
        x = "inputs"
    for k in range(cfg.n_layers):
        last_with_state = cfg.return_state and k == cfg.n_layers - 1
        call = f"keras.layers.LSTM({', '.join(_lstm_kwargs(cfg, k))})"
        if cfg.is_bidirectional(k) and cfg.go_backwards:  # Keras 3 wants the backward layer spelt out then
            backward = ", ".join(a for a in _lstm_kwargs(cfg, k) if a != "go_backwards=True")
            call = f"keras.layers.Bidirectional({call}, backward_layer=keras.layers.LSTM({backward}){_merge_kwarg(cfg)})"
        elif cfg.is_bidirectional(k):
            call = f"keras.layers.Bidirectional({call}{_merge_kwarg(cfg)})"
        call += f"({x})"
        out_shape = _layer_shape(cfg, k)
        if last_with_state and cfg.is_bidirectional(k):
            lines.append(f"x, h_fw, c_fw, h_bw, c_bw = {call}  # {out_shape}, (None, {cfg.units[k]}) × 4")
        elif last_with_state:
            lines.append(f"x, state_h, state_c = {call}  # {out_shape}, (None, {cfg.units[k]}) × 2")
        else:
            lines.append(f"x = {call}  # {out_shape}")
        x = "x"
    if cfg.head_units:
        act = f', activation="{cfg.head_activation}"' if cfg.head_activation != "linear" else ""
        lines.append(f"x = keras.layers.Dense({cfg.head_units}{act})(x)")
    outputs = "x"
    if cfg.return_state:
        outputs = "[x, h_fw, c_fw, h_bw, c_bw]" if cfg.is_bidirectional(cfg.n_layers - 1) else "[x, state_h, state_c]"
    lines += [f"model = keras.Model(inputs, {outputs})", "model.summary()"]
    return "\n".join(lines)


def legacy_code(cfg: LSTMConfig) -> str:
    """The same model in Keras 1/2 ``Sequential`` spellings (three equivalent first lines)."""
    T, F = cfg.timesteps, cfg.features

    def lstm(k: int, *shape: str) -> str:  # a Bidirectional wrapper takes the input shape itself
        if not cfg.is_bidirectional(k):
            return f"LSTM({', '.join([*_lstm_kwargs(cfg, k), *shape])})"
        inner = "LSTM(" + ", ".join(_lstm_kwargs(cfg, k)) + ")"
        return f"Bidirectional({', '.join([inner, *shape])}{_merge_kwarg(cfg)})"

    wrappers = ", Bidirectional" if cfg.bidirectional else ""
    if cfg.input_kind == "tokens":
        mask = ", mask_zero=True" if cfg.mask_zero else ""
        lines = [
            "# " + _("Keras 1/2 (does not run on Keras 3): the Embedding is told the sequence length with input_length"),
            "from keras.models import Sequential",
            f"from keras.layers import Embedding, LSTM, Dense{wrappers}",
            "model = Sequential()",
            f"model.add(Embedding({cfg.vocab}, {cfg.embed_dim}, input_length={T}{mask}))"
            + "  # "
            + _("input_dim = vocab size, output_dim = numbers per token"),
            f"model.add({lstm(0)})  # " + _("after an Embedding, no LSTM needs a shape"),
        ]
    else:
        lines = [
            "# " + _("Keras 1/2 (does not run on Keras 3): three ways to give the first layer its input shape"),
            "from keras.models import Sequential",
            f"from keras.layers import LSTM, Dense{wrappers}",
            "model = Sequential()",
            f"model.add({lstm(0, f'input_shape=({T}, {F})')})            # (timesteps, features)",
            f"# model.add({lstm(0, f'input_dim={F}', f'input_length={T}')})  # " + _("the same, Keras 1 spelling"),
            f"# model.add({lstm(0, f'batch_input_shape=(32, {T}, {F})')})  # " + _("fixes the batch too (needed for stateful)"),
        ]
    for k in range(1, cfg.n_layers):
        lines.append(f"model.add({lstm(k)})  # " + _("only the first layer needs a shape"))
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
