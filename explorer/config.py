"""The frozen model configuration: every field typed, defaulted and range-checked.

`LSTMConfig` describes the Keras model (what `build_model` builds). It is
hashable, so the UI can cache models and traces keyed on it. Invalid values
raise `ConfigError` with a message a learner understands and that names the
field. A stack whose inner layer does not return sequences is *not* rejected
here: a learner must be able to try it, and `build_model` then explains
Keras's own error (see `LSTMConfig.broken_links`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from explorer.i18n import Message

# Ranges a classroom needs (inclusive).
TIMESTEPS_RANGE = (1, 200)
FEATURES_RANGE = (1, 64)  # the slider's range
FEATURES_LIMIT = 1024  # what a config takes: an LSTM inside a learner's model may read wider steps (an Embedding's 128)
LAYERS_RANGE = (1, 4)
UNITS_RANGE = (1, 256)
HEAD_UNITS_RANGE = (0, 256)  # 0 = no Dense head
SEED_RANGE = (0, 2**31 - 1)
VOCAB_RANGE = (2, 20_000)  # token ids 0 … vocab-1 (an IMDB model keeps 20,000 words)
EMBED_RANGE = (1, 256)  # numbers per token the Embedding hands the first LSTM
INPUT_KINDS = ("numbers", "tokens")  # (T, F) numbers per step, or (T,) token ids looked up by an Embedding
MERGE_MODES = ("concat", "sum", "mul", "ave")  # how a Bidirectional layer merges its two directions

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
RECURRENT_ACTIVATIONS = ("sigmoid", "hard_sigmoid")
HEAD_ACTIVATIONS = ("linear", "softmax", "sigmoid", "tanh", "relu")


class ConfigError(ValueError):
    """A configuration a learner chose that Keras cannot build, explained.

    Attributes:
        field: name of the offending field (e.g. ``"units"``), or ``None``.
        keras_message: Keras's own error text when Keras raised it, else ``None``.
    """

    def __init__(self, message: str | Message, *, field: str | None = None, keras_message: str | None = None):
        super().__init__(message)
        self.field = field
        self.keras_message = keras_message


def _check_int(name: str, value: object, lo: int, hi: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(
            Message("`{name}` must be a whole number ({what}), got {value}.", name=name, what=what, value=repr(value)),
            field=name,
        )
    if not lo <= value <= hi:
        raise ConfigError(
            Message(
                "`{name}` = {value} is out of range: {what} must be between {lo} and {hi}.",
                name=name,
                value=value,
                what=what,
                lo=lo,
                hi=hi,
            ),
            field=name,
        )


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(
            Message(
                "`{name}` = {value} is not supported; choose one of {choices}.",
                name=name,
                value=repr(value),
                choices=", ".join(choices),
            ),
            field=name,
        )


@dataclass(frozen=True)
class LSTMConfig:
    """A stack of Keras LSTM layers (plus an optional Dense head) on one input shape.

    The model is ``keras.Input(shape=(timesteps, features))`` → ``lstm_1`` → … →
    ``lstm_L`` → optional ``head = Dense(head_units)``. The batch dimension is not
    part of the config: Keras shows it as ``None``.
    """

    timesteps: int = 12  # T, 1–200: length of each input sequence
    features: int = 3  # F, 1–64 on the slider (up to 1024 in a learner's model): numbers per timestep (`input_dim`)
    units: tuple[int, ...] = (16, 8)  # U per layer, 1–256; 1–4 layers
    return_sequences: tuple[bool, ...] = (True, False)  # per layer: output every h_t, or only the last
    return_state: bool = False  # last LSTM also returns its final [h, c]
    go_backwards: bool = False  # every layer reads its input from the last step to the first
    activation: str = "tanh"  # for the candidate g and for h = o * activation(c)
    recurrent_activation: str = "sigmoid"  # for the gates i, f, o
    use_bias: bool = True
    unit_forget_bias: bool = True  # forget-gate bias starts at 1 (Jozefowicz et al., 2015)
    head_units: int = 0  # 0 = no head; else Dense(head_units) after the last LSTM
    head_activation: str = "linear"
    seed: int = 0  # weight initialisation seed: same seed, same weights
    input_kind: str = "numbers"  # "tokens": the input is (T,) token ids and an Embedding hands lstm_1 (T, embed_dim)
    vocab: int = 25  # with tokens: Embedding(input_dim=vocab): ids 0 … vocab-1
    embed_dim: int = 16  # with tokens: Embedding(output_dim=embed_dim): numbers per token
    mask_zero: bool = False  # with tokens: id 0 is padding, and every LSTM skips it (keeps h and c)
    bidirectional: tuple[bool, ...] = ()  # per layer: wrap it in Bidirectional (empty = none)
    merge_mode: str = "concat"  # how every Bidirectional layer merges its forward and backward outputs

    def __post_init__(self) -> None:
        # Accept lists (from JSON, notebooks) but store tuples so the config stays hashable.
        object.__setattr__(self, "units", tuple(self.units))
        object.__setattr__(self, "return_sequences", tuple(bool(r) for r in self.return_sequences))
        wrapped = tuple(bool(b) for b in self.bidirectional)
        object.__setattr__(self, "bidirectional", wrapped if any(wrapped) else ())  # all False is the plain stack
        _check_int("timesteps", self.timesteps, *TIMESTEPS_RANGE, Message("timesteps (sequence length)"))
        _check_int("features", self.features, FEATURES_RANGE[0], FEATURES_LIMIT, Message("features (numbers per timestep)"))
        n = len(self.units)
        if not LAYERS_RANGE[0] <= n <= LAYERS_RANGE[1]:
            raise ConfigError(
                Message(
                    "`units` lists {n} layers; the explorer stacks between {lo} and {hi} LSTM layers.",
                    n=n,
                    lo=LAYERS_RANGE[0],
                    hi=LAYERS_RANGE[1],
                ),
                field="units",
            )
        for k, u in enumerate(self.units):
            _check_int("units", u, *UNITS_RANGE, Message("units of layer {k} (size of h and c)", k=k + 1))
        if len(self.return_sequences) != n:
            raise ConfigError(
                Message(
                    "`return_sequences` has {given} entries but `units` has {n}: give one per layer.",
                    given=len(self.return_sequences),
                    n=n,
                ),
                field="return_sequences",
            )
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("recurrent_activation", self.recurrent_activation, RECURRENT_ACTIVATIONS)
        _check_int("head_units", self.head_units, *HEAD_UNITS_RANGE, Message("units of the Dense head (0 = no head)"))
        _check_choice("head_activation", self.head_activation, HEAD_ACTIVATIONS)
        _check_int("seed", self.seed, *SEED_RANGE, Message("the weight seed"))
        _check_choice("input_kind", self.input_kind, INPUT_KINDS)
        _check_int("vocab", self.vocab, *VOCAB_RANGE, Message("the vocabulary size (token ids 0 … vocab-1)"))
        _check_int("embed_dim", self.embed_dim, *EMBED_RANGE, Message("numbers per token (the Embedding's output_dim)"))
        _check_choice("merge_mode", self.merge_mode, MERGE_MODES)
        if self.bidirectional and len(self.bidirectional) != n:
            raise ConfigError(
                Message(
                    "`bidirectional` has {given} entries but `units` has {n}: give one per layer.",
                    given=len(self.bidirectional),
                    n=n,
                ),
                field="bidirectional",
            )
        if self.mask_zero and self.input_kind != "tokens":
            raise ConfigError(Message("`mask_zero` belongs to an Embedding: choose token ids as the input."), field="mask_zero")
        for name in ("return_state", "go_backwards", "use_bias", "unit_forget_bias", "mask_zero"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(
                    Message("`{name}` must be True or False, got {value}.", name=name, value=repr(getattr(self, name))),
                    field=name,
                )

    @property
    def is_real(self) -> bool:
        """An Embedding in front or a Bidirectional layer: the model is read as a real model (`explorer.realmodel`),
        every LSTM and direction shown on its own."""
        return self.input_kind == "tokens" or bool(self.bidirectional)

    def is_bidirectional(self, k: int) -> bool:
        """Whether layer ``k`` is wrapped in ``Bidirectional``."""
        return bool(self.bidirectional) and self.bidirectional[k]

    @property
    def n_layers(self) -> int:
        """Number of stacked LSTM layers."""
        return len(self.units)

    @property
    def layer_names(self) -> tuple[str, ...]:
        """Keras names of the LSTM layers: ``lstm_1``, ``lstm_2``, …"""
        return tuple(f"lstm_{k + 1}" for k in range(self.n_layers))

    def layer_input_features(self, k: int) -> int:
        """Size of one timestep of layer ``k``'s input: F (or the Embedding's width) for the first, the previous
        layer's output width otherwise (2U after a Bidirectional that concatenates)."""
        if k == 0:
            return self.embed_dim if self.input_kind == "tokens" else self.features
        return self.layer_output_width(k - 1)

    def layer_output_width(self, k: int) -> int:
        """Numbers per step that layer ``k`` hands on: U, or 2U from a Bidirectional that concatenates."""
        return 2 * self.units[k] if self.is_bidirectional(k) and self.merge_mode == "concat" else self.units[k]

    @property
    def broken_links(self) -> tuple[int, ...]:
        """Indices ``k`` of layers that feed another LSTM but return only their last ``h``.

        Keras cannot build such a stack: layer ``k + 1`` receives ``(batch, units)``
        where an LSTM needs ``(batch, timesteps, features)``.
        """
        return tuple(k for k in range(self.n_layers - 1) if not self.return_sequences[k])

    @property
    def is_buildable(self) -> bool:
        """True when every layer that feeds another LSTM returns sequences."""
        return not self.broken_links

    def buildable_prefix(self) -> LSTMConfig:
        """The longest front part of the stack Keras can build (for showing what still works).

        Layers after the first broken link are dropped, and so is the head.
        """
        if self.is_buildable:
            return self
        n = self.broken_links[0] + 1
        return self.replace(units=self.units[:n], return_sequences=self.return_sequences[:n], head_units=0)

    def with_fixed_stack(self) -> LSTMConfig:
        """The same config with ``return_sequences=True`` on every layer that feeds another LSTM."""
        fixed = tuple(True if k < self.n_layers - 1 else r for k, r in enumerate(self.return_sequences))
        return self.replace(return_sequences=fixed)

    @property
    def head_advice(self) -> Message | None:
        """A plain warning when the Dense head builds but cannot do what its user likely wants, else ``None``.

        Today one case: softmax over a single output is ``exp(z) / exp(z) = 1`` for every input
        (Keras warns about it too). The app lets a learner make the mistake and says why.
        """
        if self.head_units == 1 and self.head_activation == "softmax":
            return Message(
                "Dense(1, softmax) always outputs 1.0: softmax normalises over the outputs, and with one "
                "output exp(z) / exp(z) = 1. For one yes/no output use sigmoid; for k classes use Dense(k ≥ 2, softmax)."
            )
        return None

    def replace(self, **changes) -> LSTMConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)
