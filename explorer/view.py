"""The whole view in one frozen object, and its round trip through URL query parameters.

`ViewConfig` = the model (`LSTMConfig`) + the sample data + what the detail
charts focus on. One table, `QUERY_FIELDS`, drives both directions of the URL
round trip (as TensorFlow Playground's ``State.PROPS`` does): unknown keys and
bad values fall back to defaults and are reported as short notices, never raised.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from explorer.config import ConfigError, LSTMConfig
from explorer.i18n import LANGUAGES, N_, Message
from explorer.lesson.steps import LESSON
from explorer.sequences import SEQUENCES
from explorer.training.spec import BATCH_SIZES, EPOCHS_RANGE, LEARNING_RATES, TrainingSpec
from explorer.training.tasks import TASKS
from explorer.yourdata.options import is_series_key
from explorer.yourdata.text import is_text_key

BATCH_RANGE = (1, 8)
COLOUR_BY = {  # unrolled-graph cell colour: key -> label
    "h_norm": "‖h_t‖",
    "c_norm": "‖c_t‖",
    "f": N_("mean forget gate f"),
    "i": N_("mean input gate i"),
    "o": N_("mean output gate o"),
}
PANELS = {  # the views: key -> tab label (a message: translate with `_` when shown)
    "graph": N_("Unrolled graph"),
    "cell": N_("Inside a cell"),
    "shapes": N_("Tensor shapes"),
    "gates": N_("Gate activations"),
    "trajectories": N_("Hidden-state trajectories"),
    "training": N_("Training"),
    "why": N_("Why gates"),
    "questions": N_("Questions"),
}
QUESTIONS = {  # the questions learners ask about Keras LSTMs: key -> short title (a message)
    "units": N_("What are units, timesteps, features?"),
    "code": N_("Keras code: input_shape, input_dim, input_length"),
    "timesteps": N_("Are timesteps neurons?"),
    "stacking": N_("Why return_sequences for stacking?"),
    "return_state": N_("What does return_state return?"),
    "state": N_("State across calls (stateful)"),
    "data": N_("My data → (samples, timesteps, features)"),
    "arguments": N_("Every LSTM argument"),
}


@dataclass(frozen=True)
class ViewConfig:
    """Everything on screen: the model, the sample batch and the focus of the detail charts."""

    model: LSTMConfig = field(default_factory=LSTMConfig)
    sequence: str = "sine"  # a key of SEQUENCES
    batch_size: int = 4  # samples in the batch, 1–8
    data_seed: int = 0
    sample: int = 0  # focused sample, 0 … batch_size-1
    layer: int = 0  # focused layer, 0 … n_layers-1
    unit: int = 0  # focused unit of that layer
    step: int = 1  # focused input step t, 1 … timesteps (the column x_t of the unrolled graph)
    colour_by: str = "h_norm"  # a key of COLOUR_BY
    panel: str = "graph"  # the open view, a key of PANELS
    question: str = "units"  # the open question in the Questions view, a key of QUESTIONS
    task: str = ""  # "" = untrained model on the sample sequences; else a key of TASKS or a learner's series key
    epochs: int = 0  # training length; 0 = the task's default
    learning_rate: float = 0.0  # Adam's step size; 0 = the task's default
    train_batch: int = 32  # samples per training step
    train_seed: int = 0  # the training data's seed
    snapshot: int = -1  # which weights the views show: the snapshot at this training step; -1 = the latest
    lecture: bool = False  # lecture mode: sidebar collapsed, large chart text, thick lines (same model and view)
    lesson: int = 0  # the guided lesson's step, 1 … len(LESSON); 0 = no lesson
    lang: str = "en"  # the page's language, a key of LANGUAGES (same model and view in every language)

    def __post_init__(self) -> None:
        if self.sequence not in SEQUENCES:
            raise ConfigError(_unknown("sequence", self.sequence, SEQUENCES), field="sequence")
        if not BATCH_RANGE[0] <= self.batch_size <= BATCH_RANGE[1]:
            raise ConfigError(_between("batch_size", self.batch_size, *BATCH_RANGE), field="batch_size")
        if not 0 <= self.data_seed < 2**31:
            raise ConfigError(_between("data_seed", self.data_seed, 0, "2^31 - 1"), field="data_seed")
        if self.colour_by not in COLOUR_BY:
            raise ConfigError(_unknown("colour_by", self.colour_by, COLOUR_BY), field="colour_by")
        if self.panel not in PANELS:
            raise ConfigError(_unknown("panel", self.panel, PANELS), field="panel")
        if self.question not in QUESTIONS:
            raise ConfigError(_unknown("question", self.question, QUESTIONS), field="question")
        if self.task and self.task not in TASKS and not is_series_key(self.task) and not is_text_key(self.task):
            raise ConfigError(_unknown("task", self.task, TASKS), field="task")
        if self.lang not in LANGUAGES:
            raise ConfigError(_unknown("lang", self.lang, LANGUAGES), field="lang")
        if self.epochs and not EPOCHS_RANGE[0] <= self.epochs <= EPOCHS_RANGE[1]:
            raise ConfigError(_between("epochs", self.epochs, *EPOCHS_RANGE), field="epochs")
        if self.learning_rate and self.learning_rate not in LEARNING_RATES:
            raise ConfigError(_unknown("lr", self.learning_rate, LEARNING_RATES), field="learning_rate")
        if self.train_batch not in BATCH_SIZES:
            raise ConfigError(_unknown("train_batch", self.train_batch, BATCH_SIZES), field="train_batch")
        if not 0 <= self.lesson <= len(LESSON):
            raise ConfigError(
                Message("`lesson` = {value}: the lesson has steps 1–{n} (0 = none).", value=self.lesson, n=len(LESSON)),
                field="lesson",
            )
        if not 0 <= self.train_seed < 2**31 or self.snapshot < -1:
            raise ConfigError(Message("the training seed and the snapshot step must not be negative."), field="train_seed")
        # Focus indices follow the model: clamp rather than fail when the model shrinks.
        object.__setattr__(self, "sample", min(max(self.sample, 0), self.batch_size - 1))
        object.__setattr__(self, "layer", min(max(self.layer, 0), self.model.n_layers - 1))
        object.__setattr__(self, "unit", min(max(self.unit, 0), self.model.units[self.layer] - 1))
        object.__setattr__(self, "step", min(max(self.step, 1), self.model.timesteps))

    @property
    def task_fits(self) -> bool:
        """A task is chosen and the model can learn it (the data are then the task's samples)."""
        model = self.model
        return self.task in TASKS and not TASKS[self.task].problems(model) and model.is_buildable

    @property
    def data_key(self) -> tuple:
        """What the sample batch depends on: ``(source, T, F, batch, seed)``; source ``task:<key>`` or a sequence."""
        source = f"task:{self.task}" if self.task_fits else self.sequence
        return (source, self.model.timesteps, self.model.features, self.batch_size, self.data_seed)

    def training_spec(self) -> TrainingSpec | None:
        """The run the training settings describe, or ``None`` when no task fits the model."""
        if not self.task_fits:
            return None
        task = TASKS[self.task]
        return TrainingSpec(
            self.task,
            self.model,
            learning_rate=self.learning_rate or task.learning_rate,
            batch_size=self.train_batch,
            epochs=self.epochs or task.epochs,
            seed=self.train_seed,
        )

    def replace(self, **changes) -> ViewConfig:
        """A copy with view fields and/or model fields (by their `LSTMConfig` names) changed."""
        model_fields = {k: changes.pop(k) for k in list(changes) if k in LSTMConfig.__dataclass_fields__}
        model = changes.pop("model", self.model)
        model = model.replace(**model_fields) if model_fields else model
        return dataclasses.replace(self, model=model, **changes)

    def to_query_params(self) -> dict[str, str]:
        """The fields that differ from the defaults, as URL query parameters."""
        default = ViewConfig()
        return {q.key: q.dump(q.get(self)) for q in QUERY_FIELDS if q.dump(q.get(self)) != q.dump(q.get(default))}

    @classmethod
    def from_query_params(cls, params: dict[str, str | list[str]]) -> tuple[ViewConfig, list[Message]]:
        """Parse URL query parameters, forgivingly.

        Args:
            params: ``{key: value}`` as in ``st.query_params`` (lists: the last value counts).

        Returns:
            ``(view, notices)``: the view, and one short notice per ignored key or value (a `Message`,
            translated when shown).
        """
        notices: list[Message] = []
        known = {q.key: q for q in QUERY_FIELDS}
        values: dict[str, object] = {}
        for key, raw in params.items():
            raw = raw[-1] if isinstance(raw, list) else raw
            if key not in known:
                notices.append(Message("Ignored unknown URL parameter `{key}`.", key=key))
                continue
            try:
                values[known[key].name] = known[key].load(str(raw))
            except (ValueError, TypeError):
                notices.append(Message("Ignored `{key}={raw}`: not a valid value; using the default.", key=key, raw=raw))
        view = cls()
        # Apply model fields first (units before return_sequences), then the view fields, one at a time,
        # so that one bad value only loses itself.
        for q in QUERY_FIELDS:
            if q.name not in values:
                continue
            try:
                view = _apply(view, q.name, values[q.name])
            except ConfigError as err:
                notices.append(Message("Ignored `{key}`: {reason}", key=q.key, reason=err))
        return view, notices


def _unknown(key: str, value: object, choices) -> Message:
    return Message(
        "`{key}` = {value} is unknown; choose one of {choices}.",
        key=key,
        value=repr(value),
        choices=", ".join(f"`{c}`" for c in choices),
    )


def _between(key: str, value: object, lo: object, hi: object) -> Message:
    return Message("`{key}` = {value} must be between {lo} and {hi}.", key=key, value=value, lo=lo, hi=hi)


def _apply(view: ViewConfig, name: str, value) -> ViewConfig:
    if name == "units":  # resize return_sequences with it: True for inner layers, keep the last choice
        units = tuple(value)
        rs = tuple(view.model.return_sequences[k] if k < view.model.n_layers - 1 else True for k in range(len(units) - 1))
        return view.replace(units=units, return_sequences=(*rs, view.model.return_sequences[-1]))
    return view.replace(**{name: value})


@dataclass(frozen=True)
class QueryField:
    """One row of the URL table: query key, config field name, and how to read/write it."""

    key: str
    name: str
    load: Callable[[str], object]
    dump: Callable[[object], str] = str

    def get(self, view: ViewConfig):
        return getattr(view.model, self.name) if self.name in LSTMConfig.__dataclass_fields__ else getattr(view, self.name)


def _int(text: str) -> int:
    return int(text.strip())


def _bool(text: str) -> bool:
    t = text.strip().lower()
    if t in ("1", "true", "yes", "on"):
        return True
    if t in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def _ints(text: str) -> tuple[int, ...]:
    return tuple(_int(t) for t in text.split(",") if t.strip())


def _bools(text: str) -> tuple[bool, ...]:
    return tuple(_bool(t) for t in text.split(",") if t.strip())


def _dump_bool(value: bool) -> str:
    return "1" if value else "0"


def _dump_seq(values) -> str:
    return ",".join(_dump_bool(v) if isinstance(v, bool) else str(v) for v in values)


QUERY_FIELDS: tuple[QueryField, ...] = (
    QueryField("units", "units", _ints, _dump_seq),
    QueryField("return_sequences", "return_sequences", _bools, _dump_seq),
    QueryField("timesteps", "timesteps", _int),
    QueryField("features", "features", _int),
    QueryField("return_state", "return_state", _bool, _dump_bool),
    QueryField("go_backwards", "go_backwards", _bool, _dump_bool),
    QueryField("activation", "activation", str),
    QueryField("recurrent_activation", "recurrent_activation", str),
    QueryField("use_bias", "use_bias", _bool, _dump_bool),
    QueryField("unit_forget_bias", "unit_forget_bias", _bool, _dump_bool),
    QueryField("head_units", "head_units", _int),
    QueryField("head_activation", "head_activation", str),
    QueryField("seed", "seed", _int),
    QueryField("input", "input_kind", str),
    QueryField("vocab", "vocab", _int),
    QueryField("embed_dim", "embed_dim", _int),  # not `embed`: Streamlit keeps that URL key for itself
    QueryField("mask_zero", "mask_zero", _bool, _dump_bool),
    QueryField("bidirectional", "bidirectional", _bools, _dump_seq),
    QueryField("merge", "merge_mode", str),
    QueryField("sequence", "sequence", str),
    QueryField("batch", "batch_size", _int),
    QueryField("data_seed", "data_seed", _int),
    QueryField("sample", "sample", _int),
    QueryField("layer", "layer", _int),
    QueryField("unit", "unit", _int),
    QueryField("step", "step", _int),
    QueryField("colour", "colour_by", str),
    QueryField("view", "panel", str),
    QueryField("q", "question", str),
    QueryField("task", "task", str),
    QueryField("epochs", "epochs", _int),
    QueryField("lr", "learning_rate", float),
    QueryField("train_batch", "train_batch", _int),
    QueryField("train_seed", "train_seed", _int),
    QueryField("snap", "snapshot", _int),
    QueryField("lecture", "lecture", _bool, _dump_bool),
    QueryField("lesson", "lesson", _int),
    QueryField("lang", "lang", str),
)
