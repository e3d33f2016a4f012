"""Deterministic sample sequences shaped ``(batch, timesteps, features)``.

Every generator takes ``(timesteps, features, batch_size, rng)`` and returns a
float32 array ``(batch, timesteps, features)``. With ``features > 1`` each
channel carries its own signal (another phase, frequency, period or symbol),
never a copy of channel 0; each sample of the batch differs (its own phase,
onset or text offset), all drawn from ``rng`` so a data seed reproduces them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explorer.i18n import N_

# A short text for the one-hot demo: many distinct symbols so wide inputs stay meaningful.
TEXT = (
    "The quick brown fox jumps over the lazy dog. "
    "LSTM cells carry h and c from step to step; 7 gates? No: 3 gates & 1 candidate! "
    "Pack my box with five dozen liquor jugs (2, 4, 6, 8, 9)."
)


def text_vocabulary() -> tuple[str, ...]:
    """Distinct characters of `TEXT`, most frequent first (ties alphabetical)."""
    chars, counts = np.unique(list(TEXT), return_counts=True)
    order = sorted(range(len(chars)), key=lambda i: (-counts[i], chars[i]))
    return tuple(str(chars[i]) for i in order)


def _time(timesteps: int) -> np.ndarray:
    return np.arange(timesteps, dtype=np.float64)  # (T,)


def _periods(features: int, timesteps: int) -> np.ndarray:
    # Channel j has its own period: from about one cycle over the window up to faster ones.
    base = max(timesteps, 8) / 1.5
    return base / (1.0 + 0.6 * np.arange(features))  # (F,)


def _phase_grid(timesteps, features, batch_size, rng) -> np.ndarray:
    """Cycle position (in cycles) per sample, step and channel: (B, T, F)."""
    t = _time(timesteps)[None, :, None]  # (1, T, 1)
    periods = _periods(features, timesteps)[None, None, :]  # (1, 1, F)
    offsets = rng.uniform(0.0, 1.0, size=(batch_size, 1, 1))  # each sample its own phase
    channel_shift = (np.arange(features) / max(features, 1))[None, None, :]  # (1, 1, F)
    return t / periods + offsets + channel_shift


def sine(timesteps, features, batch_size, rng):
    """Sine waves; channel j has its own frequency and phase, each sample its own phase."""
    return np.sin(2 * np.pi * _phase_grid(timesteps, features, batch_size, rng))


def square(timesteps, features, batch_size, rng):
    """Square waves (±1) with the periods and phases of `sine`."""
    return np.where(np.sin(2 * np.pi * _phase_grid(timesteps, features, batch_size, rng)) >= 0, 1.0, -1.0)


def sawtooth(timesteps, features, batch_size, rng):
    """Sawtooth ramps from -1 to 1, channel j with its own period and phase."""
    return 2.0 * np.mod(_phase_grid(timesteps, features, batch_size, rng), 1.0) - 1.0


def noisy_sine(timesteps, features, batch_size, rng):
    """`sine` plus Gaussian noise (σ = 0.25), independent per sample, step and channel."""
    clean = sine(timesteps, features, batch_size, rng)
    return clean + rng.normal(0.0, 0.25, size=clean.shape)


def random_walk(timesteps, features, batch_size, rng):
    """Independent Gaussian random walks per sample and channel, scaled to stay near [-1, 1]."""
    steps = rng.normal(0.0, 1.0, size=(batch_size, timesteps, features))
    return np.cumsum(steps, axis=1) / np.sqrt(max(timesteps, 1))


def step(timesteps, features, batch_size, rng):
    """0 then 1 from an onset; each sample and channel has its own onset step."""
    onsets = rng.integers(0, max(timesteps, 1), size=(batch_size, 1, features))  # (B, 1, F)
    return (_time(timesteps)[None, :, None] >= onsets).astype(np.float64)


def impulse(timesteps, features, batch_size, rng):
    """A single 1 at one step, else 0; each sample and channel has its own step."""
    at = rng.integers(0, max(timesteps, 1), size=(batch_size, 1, features))
    return (_time(timesteps)[None, :, None] == at).astype(np.float64)


def text_onehot(timesteps, features, batch_size, rng):
    """One-hot characters of `TEXT` read from a random offset per sample.

    Channel j stands for the j-th most frequent character; with fewer channels
    than distinct characters the rarer ones share the last channel ("other"),
    with more, the extra channels stay 0 (vocabulary entries the text never uses).
    """
    vocab = text_vocabulary()
    index = {ch: min(j, features - 1) for j, ch in enumerate(vocab)}
    codes = np.array([index[ch] for ch in TEXT])  # (len(TEXT),)
    starts = rng.integers(0, len(TEXT), size=batch_size)
    positions = (starts[:, None] + np.arange(timesteps)[None, :]) % len(TEXT)  # (B, T)
    return np.eye(features)[codes[positions]]  # (B, T, F)


@dataclass(frozen=True)
class SequenceKind:
    """A registered sample generator, its name and a one-line description (both messages: translate when shown)."""

    generate: Callable[..., np.ndarray]
    label: str
    description: str


SEQUENCES: dict[str, SequenceKind] = {
    "sine": SequenceKind(
        sine, N_("Sine"), N_("Sine waves; channel j has its own frequency and phase, each sample its own phase.")
    ),
    "square": SequenceKind(square, N_("Square wave"), N_("Square waves (±1) with the periods and phases of the sine.")),
    "sawtooth": SequenceKind(
        sawtooth, N_("Sawtooth"), N_("Sawtooth ramps from -1 to 1, channel j with its own period and phase.")
    ),
    "noisy_sine": SequenceKind(
        noisy_sine, N_("Noisy sine"), N_("The sine plus Gaussian noise (σ = 0.25), independent per sample, step and channel.")
    ),
    "random_walk": SequenceKind(
        random_walk,
        N_("Random walk"),
        N_("Independent Gaussian random walks per sample and channel, scaled to stay near [-1, 1]."),
    ),
    "step": SequenceKind(step, N_("Step"), N_("0 then 1 from an onset; each sample and channel has its own onset step.")),
    "impulse": SequenceKind(
        impulse, N_("Impulse"), N_("A single 1 at one step, else 0; each sample and channel has its own step.")
    ),
    "text": SequenceKind(
        text_onehot, N_("One-hot text"), N_("One-hot characters of a pangram, read from a random offset per sample.")
    ),
}


def make_sequence(kind: str, *, timesteps: int, features: int, batch_size: int = 1, seed: int = 0) -> np.ndarray:
    """Generate a deterministic sample batch.

    Args:
        kind: a key of `SEQUENCES` (``"sine"``, ``"square"``, …).
        timesteps: T, steps per sequence (≥ 1).
        features: F, numbers per step (≥ 1).
        batch_size: B, number of samples (≥ 1).
        seed: data seed; the same arguments give the same array.

    Returns:
        float32 array of shape ``(batch_size, timesteps, features)``.

    Raises:
        ValueError: for an unknown kind or non-positive sizes.
    """
    if kind not in SEQUENCES:
        raise ValueError(f"Unknown sample sequence {kind!r}; choose one of {', '.join(SEQUENCES)}.")
    for name, value in (("timesteps", timesteps), ("features", features), ("batch_size", batch_size)):
        if int(value) < 1:
            raise ValueError(f"`{name}` must be at least 1, got {value}.")
    rng = np.random.default_rng(seed)
    x = SEQUENCES[kind].generate(int(timesteps), int(features), int(batch_size), rng)
    return np.ascontiguousarray(x, dtype=np.float32)
