"""What a training run is: the task, the model as trained, and the hyperparameters. Frozen and hashable.

Training is deterministic: the same `TrainingSpec` always trains the same weights (seeded
initial weights from ``model.seed``, a data set and batch order drawn from ``seed``, and no
other randomness), so a spec is the key of a finished run shared by every session, and a
URL that carries it reproduces the trained model.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from explorer.config import ConfigError, LSTMConfig
from explorer.i18n import Joined, Message
from explorer.training.tasks import TASKS
from explorer.whygates.cells import KINDS as CELL_KINDS
from explorer.whygates.compare import matched_units, recurrent_params

SAMPLES = 2048  # training samples per epoch (divisible by every batch size below)
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1)
BATCH_SIZES = (8, 16, 32, 64, 128)
EPOCHS_RANGE = (1, 50)
FORGET_BIASES = (0.0, 1.0, 3.0)  # a comparison LSTM's forget-gate bias at the start: f ≈ 0.5, 0.73, 0.95
SNAPSHOTS_PER_EPOCH = 4


@dataclass(frozen=True)
class TrainingSpec:
    """One deterministic training run.

    Attributes:
        task: a key of `TASKS`.
        model: the model as trained (``return_state`` off: the loss needs one output;
            the weights are the same either way).
        learning_rate: Adam's step size.
        batch_size: samples per step.
        epochs: the training length (passes over the `SAMPLES` training samples).
        seed: the training data's seed (the weights' seed is ``model.seed``).
        cell: ``"LSTM"``, or ``"GRU"`` / ``"SimpleRNN"``: then one layer of that kind, sized to the nearest parameter
            count of the model's first LSTM layer, takes the LSTM's place (the Why gates comparison).
        forget_bias: ``None``: the LSTM starts as ``model`` says (``unit_forget_bias``); a number from
            `FORGET_BIASES`: a one-layer LSTM whose forget-gate bias starts there (3: f ≈ 0.95 at first).
    """

    task: str
    model: LSTMConfig
    learning_rate: float = 0.01
    batch_size: int = 32
    epochs: int = 4
    seed: int = 0
    cell: str = "LSTM"
    forget_bias: float | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            choices = ", ".join(TASKS)
            raise ConfigError(
                Message("`task` = {value} is unknown; choose one of {choices}.", value=repr(self.task), choices=choices),
                field="task",
            )
        object.__setattr__(self, "model", self.model.replace(return_state=False))
        if self.learning_rate not in LEARNING_RATES:
            raise ConfigError(
                Message("learning rate {value} is not one of {choices}.", value=self.learning_rate, choices=LEARNING_RATES),
                field="lr",
            )
        if self.batch_size not in BATCH_SIZES:
            raise ConfigError(
                Message("batch size {value} is not one of {choices}.", value=self.batch_size, choices=BATCH_SIZES),
                field="train_batch",
            )
        lo, hi = EPOCHS_RANGE
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or not lo <= self.epochs <= hi:
            raise ConfigError(
                Message("epochs must be a whole number from {lo} to {hi}, got {value}.", lo=lo, hi=hi, value=repr(self.epochs)),
                field="epochs",
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed < 2**31:
            raise ConfigError(
                Message("the training seed must be from 0 to 2^31 - 1, got {value}.", value=repr(self.seed)), field="train_seed"
            )
        if problems := TASKS[self.task].problems(self.model):
            raise ConfigError(
                Message(
                    "This model cannot learn {task}: {problems}.",
                    task=Message(TASKS[self.task].title),
                    problems=Joined("; ", problems),
                ),
                field="task",
            )
        if self.cell not in CELL_KINDS:
            raise ConfigError(Message("`cell` must be one of {choices}.", choices=", ".join(CELL_KINDS)), field="cell")
        if self.forget_bias is not None and (self.forget_bias not in FORGET_BIASES or self.cell != "LSTM"):
            raise ConfigError(Message("an LSTM's forget bias starts at one of {choices}.", choices=FORGET_BIASES), field="cell")
        if self.is_comparison and (self.model.n_layers != 1 or self.model.is_real):
            raise ConfigError(Message("A GRU, a SimpleRNN or an LSTM with a chosen forget bias is one layer."), field="cell")
        if not self.model.is_buildable:
            raise ConfigError(Message("This stack cannot be built, so it cannot be trained."), field="return_sequences")

    @property
    def steps_per_epoch(self) -> int:
        return SAMPLES // self.batch_size

    @property
    def total_steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    @property
    def snapshot_every(self) -> int:
        """Steps between weight snapshots (a quarter epoch)."""
        return max(1, self.steps_per_epoch // SNAPSHOTS_PER_EPOCH)

    @property
    def is_comparison(self) -> bool:
        """One layer of the Why gates comparison (a GRU, a SimpleRNN, or an LSTM with its forget bias chosen)."""
        return self.cell != "LSTM" or self.forget_bias is not None

    @property
    def cell_units(self) -> int:
        """The recurrent layer's units: the LSTM's own, or the GRU's or SimpleRNN's sized to match it."""
        cfg = self.model
        return cfg.units[0] if self.cell == "LSTM" else matched_units(self.cell, cfg.units[0], cfg.features)

    @property
    def parameters(self) -> int:
        """The model's trainable numbers (the formula Keras's ``count_params()`` follows; tested against it)."""
        cfg = self.model
        if self.cell != "LSTM":
            head = cfg.head_units * (self.cell_units + 1)
            return recurrent_params(self.cell, self.cell_units, cfg.features) + head
        bias = 1 if cfg.use_bias else 0
        lstm = sum(
            (2 if cfg.is_bidirectional(k) else 1) * 4 * u * (cfg.layer_input_features(k) + u + bias)
            for k, u in enumerate(cfg.units)
        )
        embedding = cfg.vocab * cfg.embed_dim if cfg.input_kind == "tokens" else 0
        head = cfg.head_units * (cfg.layer_output_width(cfg.n_layers - 1) + 1) if cfg.head_units else 0
        return embedding + lstm + head

    def replace(self, **changes) -> TrainingSpec:
        return dataclasses.replace(self, **changes)
