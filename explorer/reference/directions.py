"""Which way each layer of a stack walks the data's time axis (``go_backwards`` alternates down a stack)."""

from __future__ import annotations


def reads_data_backwards(go_backwards) -> list[bool]:
    """Per layer of a stack, first to last: does it walk the *data's* time axis from the end to the start?

    ``go_backwards`` reverses a layer's reading of its input *and* leaves its output reversed (Keras
    returns the sequence in processing order), so down a stack of ``go_backwards`` layers the
    direction alternates.

    Args:
        go_backwards: each layer's ``go_backwards`` flag, first to last.
    """
    backwards, out = False, []
    for flag in go_backwards:
        backwards = backwards != bool(flag)
        out.append(backwards)
    return out


def processes_backwards(cfg) -> list[bool]:
    """`reads_data_backwards` for an `explorer.config.LSTMConfig` (one ``go_backwards`` for every layer)."""
    return reads_data_backwards([cfg.go_backwards] * cfg.n_layers)
