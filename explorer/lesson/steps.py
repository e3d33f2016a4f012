"""The lesson: one table. Each step is a URL query (the model, the view and its focus) and a note whose
``{placeholders}`` are filled from that step's live model (`explorer.lesson.facts`), never typed.

A teacher adds a step by adding a row: any URL the app understands, and a note using the facts listed in
`explorer.lesson.facts.FACTS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.i18n import N_


@dataclass(frozen=True)
class LessonStep:
    """One step: what to show (URL query parameters, applied to the defaults) and what to look at."""

    title: str  # a message (translated where shown, like the note)
    query: dict[str, str]
    note: str


LESSON: tuple[LessonStep, ...] = (
    LessonStep(
        N_("Timesteps, features, units"),
        {"units": "8", "return_sequences": "0", "timesteps": "6", "features": "3", "view": "graph", "colour": "h_norm"},
        N_(
            "The data is `(samples, timesteps, features)` = `{data_shape}`: each column is one **timestep** (T = {T}), "
            "each `x_t` holds **{F} features**. `units` = **{U1}**: the hidden state `h` and the cell state `c` each hold "
            "{U1} numbers — the output is `{output_shape}`, one `h` of {U1} numbers per sample."
        ),
    ),
    LessonStep(
        N_("One cell, the same weights at every step"),
        {"units": "8", "return_sequences": "0", "timesteps": "6", "features": "3", "view": "cell", "step": "3", "unit": "2"},
        N_(
            "Every column of the graph is this **one cell**, with the same {params1} weights at all {T} steps: "
            "`4 × (units × (features + units) + units)` = 4 × ({U1} × ({F} + {U1}) + {U1}). At step 3, unit 2's forget gate "
            "f = **{f}** keeps that share of cₜ₋₁ = {c_prev}; the input gate i = {i} lets in the candidate g = {g}."
        ),
    ),
    LessonStep(
        N_("Gates over time"),
        {"units": "8", "return_sequences": "0", "timesteps": "20", "features": "3", "sequence": "step", "view": "gates"},
        N_(
            "Each row is a unit, each column a step. Watch the input gate **i** and the cell state **c** when the input "
            "jumps: the gates are sigmoids in [0, 1], the candidate g and the states are signed. This untrained lstm_1 has "
            "mean forget gate {mean_f} over all {U1} units and {T} steps."
        ),
    ),
    LessonStep(
        N_("Stacking: return_sequences=True"),
        {"units": "8,4", "return_sequences": "1,0", "timesteps": "6", "features": "3", "view": "graph"},
        N_(
            "lstm_1 has `return_sequences=True`: it passes **all {T} hidden states** up, `{out1}`, so lstm_2 gets one input "
            "per step. lstm_2 keeps the default `return_sequences=False`: only its last `h` leaves, `{output_shape}`."
        ),
    ),
    LessonStep(
        N_("…and what breaks without it"),
        {"units": "8,4", "return_sequences": "0,0", "timesteps": "6", "features": "3", "view": "questions", "q": "stacking"},
        N_(
            "With `return_sequences=False` on lstm_1 it returns one vector per sample, `(None, {U1})`, but an LSTM reads "
            "`(batch, timesteps, features)`: Keras refuses to build lstm_2 (its own error is below). The fix is one flag."
        ),
    ),
    LessonStep(
        N_("Parameters do not depend on T"),
        {"units": "32", "return_sequences": "0", "timesteps": "100", "features": "5", "view": "shapes"},
        N_(
            "`count_params()` = **{params}** at T = {T}. Built again at T = 10 the same layers have **{params_T10}** weights: "
            "timesteps are not neurons, they are how many times the same cell runs."
        ),
    ),
    LessonStep(
        N_("return_state: output, h and c"),
        {
            "units": "10",
            "return_sequences": "0",
            "timesteps": "6",
            "features": "3",
            "return_state": "1",
            "view": "questions",
            "q": "return_state",
        },
        N_(
            "With `return_state=True` Keras returns `[output, h, c]`, each `(None, {U1})` here: `output` *is* the last `h` "
            "(return_sequences=False), and `c` is the cell state it carried."
        ),
    ),
    LessonStep(
        N_("State across calls"),
        {"units": "10", "return_sequences": "0", "timesteps": "12", "features": "3", "view": "questions", "q": "state"},
        N_(
            "Feed the {T} steps in two calls of {half}: with the state carried over (`stateful=True`, or passing "
            "`initial_state`) the result equals one call over all {T}; reset in between and it does not."
        ),
    ),
    LessonStep(
        N_("Text: token ids through an Embedding"),
        {
            "input": "tokens",
            "vocab": "25",
            "embed_dim": "16",
            "units": "32",
            "return_sequences": "0",
            "timesteps": "31",
            "head_units": "25",
            "head_activation": "softmax",
            "view": "shapes",
        },
        N_(
            "Text arrives as integer ids, `(samples, timesteps)` = `{ids_shape}`: no features axis. "
            "`Embedding(input_dim={vocab}, output_dim={D})` looks each id up as a row of its {vocab} × {D} table "
            "({params_embedding} parameters), so lstm_1 reads `{lstm_input}`: its features are the {D} numbers of each "
            "token. (Keras 1/2 gave this layer `input_length={T}`.)"
        ),
    ),
    LessonStep(
        N_("Bidirectional: one LSTM each way"),
        {
            "input": "tokens",
            "vocab": "25",
            "embed_dim": "8",
            "units": "8",
            "return_sequences": "1",
            "timesteps": "10",
            "bidirectional": "1",
            "view": "graph",
            "colour": "h_norm",
        },
        N_(
            "`Bidirectional(LSTM({U1}))` is two LSTMs with weights of their own: the forward one reads steps 1 → {T}, "
            "the backward one {T} → 1. Together {params_bi} parameters, twice one LSTM's. `merge_mode='{merge}'` joins "
            "their h at every step: `{out_bi}`. Pick the backward direction above the graph to see its own gates."
        ),
    ),
    LessonStep(
        N_("Why gates: the gradient through time"),
        {"task": "first", "timesteps": "30", "units": "16", "return_sequences": "0", "features": "3", "view": "why"},
        N_(
            "To learn remember-the-first, the loss at step {T} must reach step 1. Each step back multiplies the gradient "
            "by that step's Jacobian, and the top chart shows what is left at every step, on a log axis. Along the LSTM's "
            "cell state the factor is only its forget gate (the lower chart): kept near 1, the gradient is carried. "
            "Press **Train the three** and watch which of the LSTM, the GRU and the SimpleRNN solves it."
        ),
    ),
    LessonStep(
        N_("An LSTM that counts"),
        {"task": "brackets", "epochs": "4", "snap": "256", "view": "cell", "step": "10"},
        N_(
            "Trained for {steps} steps on bracket depth (held-out exact depth {metric}). {counting} "
            "Open that unit in the cell view (the button below) and press ▶: step by step it follows the depth, "
            "one way at `(`, the other at `)` — the model learned to count."
        ),
    ),
)
