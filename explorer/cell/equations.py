"""The cell's equations with one step's numbers filled in, as learners write them.

    f = σ(W_f·xₜ + U_f·hₜ₋₁ + b_f) = σ(0.120 + (−0.400) + 1.000) = σ(0.720) = 0.673
    cₜ = f·cₜ₋₁ + i·g = 0.930 × 0.410 + 0.120 × (−0.550) = 0.315
    hₜ = o·tanh(cₜ) = 0.700 × tanh(0.315) = 0.213

Plain Unicode (subscripts included), so the same lines read in a chart, in
Markdown and in a notebook. Every number is a `CellStep` field.
"""

from __future__ import annotations

from explorer.cell.anatomy import CellStep, GateStep

SYMBOLS = {"sigmoid": "σ", "hard_sigmoid": "hard_σ", "tanh": "tanh", "relu": "relu", "linear": ""}


def number(value: float, digits: int = 3, *, bracket: bool = False) -> str:
    """``0.315``, ``−0.550`` with a true minus sign; ``bracket``: ``(−0.550)``, so a sum or product reads unambiguously."""
    text = f"{abs(value):.{digits}f}"
    if value >= 0 or float(text) == 0:
        return text
    return f"(−{text})" if bracket else f"−{text}"


def apply(activation: str, argument: str) -> str:
    """``σ(z)``; the linear activation writes the bare argument."""
    symbol = SYMBOLS[activation]
    return f"{symbol}({argument})" if symbol else argument


def gate_equation(gate: GateStep, *, use_bias: bool, symbolic: bool = True) -> str:
    """``f = σ(W_f·xₜ + U_f·hₜ₋₁ + b_f) = σ(0.120 + (−0.400) + 1.000) = σ(0.720) = 0.673``
    (without ``symbolic``: ``f = σ(0.120 + (−0.400) + 1.000) = σ(0.720) = 0.673``)."""
    n = gate.name
    terms = [f"W_{n}·xₜ", f"U_{n}·hₜ₋₁"] + ([f"b_{n}"] if use_bias else [])
    shares = [gate.from_x, gate.from_h] + ([gate.bias] if use_bias else [])
    formula = apply(gate.activation, " + ".join(terms))
    numeric = apply(gate.activation, " + ".join(number(v, bracket=True) for v in shares))
    tail = f"{numeric} = {apply(gate.activation, number(gate.z))} = {number(gate.value)}"
    return f"{n} = {formula} = {tail}" if symbolic else f"{n} = {tail}"


def cell_equation(step: CellStep) -> str:
    """``cₜ = f·cₜ₋₁ + i·g = 0.930 × 0.410 + 0.120 × (−0.550) = 0.315``."""
    g = step.gates
    return (
        f"cₜ = f·cₜ₋₁ + i·g = {number(g['f'].value)} × {number(step.c_prev_unit, bracket=True)} + "
        f"{number(g['i'].value)} × {number(g['g'].value, bracket=True)} = {number(step.c)}"
    )


def hidden_equation(step: CellStep) -> str:
    """``hₜ = o·tanh(cₜ) = 0.700 × tanh(0.315) = 0.700 × 0.305 = 0.213``."""
    o = step.gates["o"].value
    squash = apply(step.activation, "cₜ")
    return (
        f"hₜ = o·{squash} = {number(o)} × {apply(step.activation, number(step.c))} = "
        f"{number(o)} × {number(step.squashed_c, bracket=True)} = {number(step.h)}"
    )


def gate_form(step: CellStep) -> str:
    """The gates' shared form, written once: ``gate = σ(W·xₜ + U·hₜ₋₁ + b)`` (``tanh`` for g; no ``b`` without bias)."""
    inner = "W·xₜ + U·hₜ₋₁" + (" + b" if step.use_bias else "")
    return f"f, i, o = {apply(step.gates['f'].activation, inner)};  g = {apply(step.gates['g'].activation, inner)}"


def equations(step: CellStep, *, symbolic: bool = True) -> list[str]:
    """All six lines for the focused unit: the four gates (``f, i, g, o``, the order they act in), ``cₜ``, ``hₜ``.

    ``symbolic=False`` leaves each gate's ``W_f·xₜ + …`` out (`gate_form` writes it once).
    """
    lines = [gate_equation(step.gates[n], use_bias=step.use_bias, symbolic=symbolic) for n in ("f", "i", "g", "o")]
    return [*lines, cell_equation(step), hidden_equation(step)]
