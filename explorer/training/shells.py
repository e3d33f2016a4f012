"""Compiled training steps kept for the next job of the same shape: a Keras model, its optimizer and the traced step.

Tracing a job's training step holds the server's interpreter for ~0.5–1 s (TensorFlow builds the graph in Python),
and every job traced its own: a class pressing *Train* on one task, or a tab pressing it again, paid it each time
while every other page waited (measured beside abusers: most of the learners' slowest slider moves). A job that ends
gives its shell back; the next job whose spec differs only in what the traced step does not capture (the data's
seed, the number of epochs) takes it, with every variable put back to the value it had when the shell was built.
A job trains on a shell no one else holds, so shared things stay unshared.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explorer.training.spec import TrainingSpec

MAX_IDLE_SHELLS = 6  # shells waiting for a job, all shapes together (least recently returned dropped first)
MAX_SHELL_PARAMETERS = 300_000  # a bigger model's shell is not kept: Adam holds three copies of its weights


def shell_key(spec: TrainingSpec) -> TrainingSpec:
    """What a shell is shared by: everything of ``spec`` but the data's seed and the length of training."""
    return spec.replace(seed=0, epochs=1)


@dataclass(eq=False)
class Shell:
    """A model, its optimizer and loss, the compiled chunk of steps, and every variable's starting value."""

    model: object
    optimizer: object
    loss: object
    chunk: Callable
    variables: list  # the model's and the optimizer's variables …
    start: list[np.ndarray]  # … and their values when built

    def reset(self) -> None:
        """Every variable back to its value when the shell was built: the seeded weights, a fresh optimizer."""
        for variable, value in zip(self.variables, self.start, strict=True):
            variable.assign(value)


_IDLE: OrderedDict[Shell, TrainingSpec] = OrderedDict()  # idle shell → its key, in the order they came back
_LOCK = threading.Lock()


def take_shell(spec: TrainingSpec) -> Shell | None:
    """An idle shell for ``spec``, reset and now the caller's alone, or ``None``."""
    key = shell_key(spec)
    with _LOCK:
        shell = next((s for s, k in reversed(_IDLE.items()) if k == key), None)
        if shell is None:
            return None
        del _IDLE[shell]
    shell.reset()
    return shell


def give_back(spec: TrainingSpec, shell: Shell) -> None:
    """``shell`` (trained for ``spec``) is free for the next job of its shape; kept within `MAX_IDLE_SHELLS`."""
    if spec.parameters > MAX_SHELL_PARAMETERS:
        return
    with _LOCK:
        _IDLE[shell] = shell_key(spec)
        while len(_IDLE) > MAX_IDLE_SHELLS:
            _IDLE.popitem(last=False)


def idle_shells() -> int:
    """How many shells wait for a job."""
    with _LOCK:
        return len(_IDLE)


def clear_idle_shells() -> None:
    """Drop every idle shell (tests)."""
    with _LOCK:
        _IDLE.clear()
