"""One-click presets that reproduce the models in the questions learners ask about Keras LSTMs."""

from __future__ import annotations

from dataclasses import dataclass

from explorer.config import LSTMConfig
from explorer.i18n import N_


@dataclass(frozen=True)
class Preset:
    """A model from a learner's question, and the question it answers."""

    key: str
    label: str
    question: str
    model: LSTMConfig
    question_key: str = "units"  # the Questions tab's answer that goes with it
    compare_timesteps: int | None = None  # show the same layer at another length beside it


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "input_shape_lstm32",
            N_("LSTM(32) on (10, 64) + Dense(2)"),
            N_("What are input_shape, input_dim and input_length?"),
            LSTMConfig(timesteps=10, features=64, units=(32,), return_sequences=(False,), head_units=2),
            question_key="code",
        ),
        Preset(
            "lstm10_state",
            N_("LSTM(10) on (1, 1) + Dense(1)"),
            N_("What is the 10 in LSTM(10, input_shape=(1, 1))? Does it use the state?"),
            LSTMConfig(timesteps=1, features=1, units=(10,), return_sequences=(False,), head_units=1),
            question_key="units",
        ),
        Preset(
            "docs_stacked",
            N_("Keras docs: 3 × LSTM(32) on (8, 16) + Dense(10, softmax)"),
            N_("The Keras docs' stacked classifier"),
            LSTMConfig(
                timesteps=8,
                features=16,
                units=(32, 32, 32),
                return_sequences=(True, True, False),
                head_units=10,
                head_activation="softmax",
            ),
            question_key="data",
        ),
        Preset(
            "stack_64_32_10",
            N_("LSTM(64) → LSTM(32) → LSTM(10) on (10, 64)"),
            N_("Why must stacked layers return sequences?"),
            LSTMConfig(timesteps=10, features=64, units=(64, 32, 10), return_sequences=(True, True, False)),
            question_key="stacking",
        ),
        Preset(
            "timesteps_13_vs_100",
            N_("LSTM(10) on (13, 5) beside (100, 5)"),
            N_("Are timesteps neurons? Same parameters at any length"),
            LSTMConfig(timesteps=13, features=5, units=(10,), return_sequences=(False,)),
            question_key="timesteps",
            compare_timesteps=100,
        ),
    )
}
