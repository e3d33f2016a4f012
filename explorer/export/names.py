"""File names that say what a download holds: the model's shape, the task and the snapshot."""

from __future__ import annotations

from explorer.config import LSTMConfig


def file_stem(cfg: LSTMConfig, *, task: str = "", step: int | None = None) -> str:
    """``lstm-16-8_T12_F3`` (+ ``_brackets_step96``): safe in every file system, readable in a folder."""
    stem = f"lstm-{'-'.join(map(str, cfg.units))}_T{cfg.timesteps}_F{cfg.features}"
    if task:
        stem += f"_{task}"
    if step is not None:
        stem += f"_step{step}"
    return stem
