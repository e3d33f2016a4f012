"""File names that say what a download holds: the model's shape, the task and the snapshot."""

from __future__ import annotations

from explorer.config import LSTMConfig


def file_stem(cfg: LSTMConfig, *, task: str = "", step: int | None = None) -> str:
    """``lstm-16-8_T12_F3`` (+ ``_brackets_step96``): safe in every file system, readable in a folder. A real model:
    ``lstm-bi16-8_T31_V25E16`` (a Bidirectional layer's units marked ``bi``; token ids: vocabulary and Embedding width)."""
    units = "-".join(("bi" if cfg.is_bidirectional(k) else "") + str(u) for k, u in enumerate(cfg.units))
    width = f"V{cfg.vocab}E{cfg.embed_dim}" if cfg.input_kind == "tokens" else f"F{cfg.features}"
    stem = f"lstm-{units}_T{cfg.timesteps}_{width}"
    if task:
        stem += f"_{task}"
    if step is not None:
        stem += f"_step{step}"
    return stem
