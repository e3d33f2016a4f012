"""What it learned: find the units that do a task's job, measured on the weights, and name them.

Each task's data carries *probes*: quantities a memory must keep, e.g. the bracket depth
at every step, the marked sum so far, whether the sine is rising (``slope``), or the first
symbol. For every unit of every layer we measure how well its cell state ``c_t`` (and its
hidden state ``h_t``) follows each probe over many samples:

- a per-step quantity: Pearson's r between the unit's ``c_t`` and the quantity over all
  samples and steps;
- a per-sample class (the first symbol): the correlation ratio η² of the unit's final
  ``c`` with the class (the share of its variance the class explains), and the unit's mean
  forget gate after the first step (how much of ``c`` it keeps per step).

A finding is *clear* past `CLEAR_R` (or `CLEAR_ETA2`); otherwise the page says that no
single unit does the job clearly and gives the best one. Nothing here is typed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.config import LSTMConfig
from explorer.i18n import N_, _
from explorer.realmodel.structure import RealModel
from explorer.realmodel.tracing import site_trace
from explorer.reference import ModelWeights, Trace, processes_backwards, trace
from explorer.training.tasks import TaskData

CLEAR_R = 0.9
CLEAR_ETA2 = 0.8
PROBE_SAMPLES = 128
PROBE_SEED = 7_000_001
PROBE_TEXT = {  # messages
    "depth": N_("the bracket depth"),
    "marked sum": N_("the sum of the marked values so far"),
    "slope": N_("whether the sine rises or falls (its slope)"),
    "first": N_("the first symbol"),
    "quoted": N_("whether the text is inside quotes"),
    "bracketed": N_("whether the text is inside brackets"),
    "column": N_("the position in the line"),
    "vowel": N_("whether the character is a vowel"),
}


@dataclass(frozen=True)
class Finding:
    """The unit that best follows one probe.

    Attributes:
        probe: the probe's name (``"depth"``, ``"first"``, …).
        layer, unit: where the unit is (layer index from 0).
        state: ``"c"`` or ``"h"``: which of the unit's states follows it best.
        score: |r| for a per-step probe, η² for a class.
        signed: r itself (its sign), or η² again.
        clear: ``score`` passes `CLEAR_R` / `CLEAR_ETA2`.
        forget: the unit's mean forget gate after the first step.
        steps: timesteps the unit was measured over.
    """

    probe: str
    layer: int
    unit: int
    state: str
    score: float
    signed: float
    clear: bool
    forget: float
    steps: int

    def describe(self, layer_name: str, untrained: Finding | None = None) -> str:
        """One sentence with the numbers (current language), e.g. ``lstm_1 unit 3: c_t follows the bracket depth (r = +0.98)``."""
        what = _(PROBE_TEXT.get(self.probe, self.probe))
        if self.probe == "first":
            text = _(
                "{layer} unit {unit}: its final {state} tells {what} apart (η² = {score}); "
                "its forget gate averages {forget} over {steps} steps — it holds what it saw"
            ).format(
                layer=layer_name,
                unit=self.unit,
                state=self.state,
                what=what,
                score=f"{self.score:.2f}",
                forget=f"{self.forget:.2f}",
                steps=self.steps - 1,
            )
        else:
            text = _("{layer} unit {unit}: {state}_t follows {what} (r = {r})").format(
                layer=layer_name, unit=self.unit, state=self.state, what=what, r=f"{self.signed:+.2f}"
            )
        if untrained is not None:
            text += _("; untrained, the best unit scored {score}").format(score=f"{untrained.score:.2f}")
        return text


def probe_data_time(tr: Trace, cfg: LSTMConfig, layer: int, state: str) -> np.ndarray:
    """(N, T, U) one layer's state in the *data's* time order (undoes go_backwards' reversed processing)."""
    values = tr.layers[layer].gate(state)
    return values[:, ::-1] if processes_backwards(cfg)[layer] else values


def _pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """r between each column of a (M, U) and b (M,): (U,), 0 where either is constant."""
    a = a - a.mean(axis=0)
    b = b - b.mean()
    denom = np.sqrt((a**2).sum(axis=0) * (b**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 1e-12, (a * b[:, None]).sum(axis=0) / denom, 0.0)


def _eta_squared(values: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Share of each column's variance explained by the class: (U,) from values (N, U), classes (N,)."""
    total = ((values - values.mean(axis=0)) ** 2).sum(axis=0)
    between = sum(
        (classes == k).sum() * (values[classes == k].mean(axis=0) - values.mean(axis=0)) ** 2 for k in np.unique(classes)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 1e-12, between / total, 0.0)


@dataclass(frozen=True)
class Candidate:
    """One LSTM whose units may follow a probe: its states in the data's time order.

    Attributes:
        index: where it is (a stack's layer index, or a real model's site index).
        c, h: (N, T, U) its cell and hidden states over the samples.
        forget: (U,) each unit's mean forget gate after the first step.
    """

    index: int
    c: np.ndarray
    h: np.ndarray
    forget: np.ndarray


def _best_unit(name: str, target: np.ndarray, candidates: list[Candidate]) -> Finding:
    """The unit (of any candidate, ``c`` or ``h``) that follows ``target`` best."""
    best: Finding | None = None
    for candidate in candidates:
        for state in ("c", "h"):
            values = getattr(candidate, state)  # (N, T, U)
            if target.ndim == 1:  # a class per sample: read at the last step
                scores = _eta_squared(values[:, -1], target)
                signed = scores
                limit = CLEAR_ETA2
            else:
                signed = _pearson(values.reshape(-1, values.shape[-1]), target.reshape(-1))
                scores = np.abs(signed)
                limit = CLEAR_R
            u = int(np.argmax(scores))
            if best is None or scores[u] > best.score + 1e-9:
                best = Finding(
                    name, candidate.index, u, state, float(scores[u]), float(signed[u]), bool(scores[u] >= limit),
                    float(candidate.forget[u]), values.shape[1],
                )  # fmt: skip
    return best


def find_units(cfg: LSTMConfig, weights: ModelWeights, data: TaskData) -> list[Finding]:
    """For each probe of the task, the unit (any layer, ``c`` or ``h``) that follows it best.

    Args:
        cfg: the model's configuration.
        weights: its weights (a snapshot's, or the untrained ones).
        data: task samples with ``probes`` (`TaskData`).

    Returns:
        One `Finding` per probe, in the data's probe order.
    """
    tr = trace(weights, data.x)
    candidates = [
        Candidate(
            layer,
            probe_data_time(tr, cfg, layer, "c"),
            probe_data_time(tr, cfg, layer, "h"),
            probe_data_time(tr, cfg, layer, "f")[:, 1:].mean(axis=(0, 1)),
        )
        for layer in range(cfg.n_layers)
    ]
    return [_best_unit(name, target, candidates) for name, target in data.probes.items()]


def find_units_in_sites(real: RealModel, data: TaskData) -> list[Finding]:
    """`find_units` over every LSTM and direction of a real model (its sites), each traced from the tensor that
    reached it (``real`` traced on ``data.x``); a `Finding`'s ``layer`` is the site's index.

    A direction that walks the data from the end (a ``Bidirectional``'s backward LSTM, or ``go_backwards``) is put
    back in the data's time order before it is compared with the probes.
    """
    reversed_input: dict[str, bool] = {}  # per layer: does the tensor reaching it run from the last step?
    flipped = False
    for site in real.sites:  # in layer order; a Bidirectional's output is aligned like its forward LSTM's
        if site.layer not in reversed_input:
            reversed_input[site.layer] = flipped
            flipped = flipped != bool(site.weights.go_backwards)
    candidates = []
    for index, site in enumerate(real.sites):
        lt = site_trace(real, index)
        backwards = reversed_input[site.layer] != bool(site.weights.go_backwards)
        order = slice(None, None, -1) if backwards else slice(None)
        c, h = lt.gate("c")[:, order], lt.gate("h")[:, order]  # (N, T, U) in the data's time order
        forget = lt.gate("f")[:, 1:].mean(axis=(0, 1))  # after the unit's own first step, in the order it read
        candidates.append(Candidate(index, c, h, forget))
    return [_best_unit(name, target, candidates) for name, target in data.probes.items()]
