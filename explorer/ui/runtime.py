"""Keep Streamlit's per-rerun Keras clean-up cheap and safe.

After *every* rerun Streamlit calls ``keras.backend.clear_session()`` when Keras
is imported (``_clean_problem_modules`` in ``streamlit/runtime/scriptrunner/
script_runner.py``). In Keras 3 that ends with a full ``gc.collect()``: about
190 ms with TensorFlow loaded, on every slider move. Our models are cached and
shared, named explicitly, and never mutated, so the garbage collection buys
nothing. `install_cheap_keras_clear` wraps ``clear_session`` so it still resets
Keras's global state but skips the collection (``free_memory=False``), and
never runs while another thread builds or checks a model (`KERAS_LOCK`) or runs a
training chunk (`TRAINING`, see `explorer.keras_lock`).
``runner.postScriptGC = false`` in ``.streamlit/config.toml`` removes the other
full collection; `freeze_startup_objects` moves TensorFlow's hundreds of
thousands of start-up objects out of the collector's sight, so the automatic
collections that remain stay cheap.
"""

from __future__ import annotations

import gc

from explorer.keras_lock import KERAS_LOCK, TRAINING

__all__ = ["KERAS_LOCK", "freeze_startup_objects", "install_cheap_keras_clear"]
_frozen = False


def install_cheap_keras_clear() -> None:
    """Replace ``keras.backend.clear_session`` by a version without the full GC (idempotent)."""
    from explorer._keras import keras

    original = keras.backend.clear_session
    if getattr(original, "_explorer_cheap", False):
        return

    def cheap_clear_session(free_memory: bool = True) -> None:
        """Keras's clear_session without gc.collect(); skipped while a model is built or checked, or a job trains."""
        with KERAS_LOCK.try_exclusive() as no_build, TRAINING.try_exclusive() as no_chunk:
            if no_build and no_chunk:  # nobody is inside Keras (a build or chunk that starts now waits for this)
                original(free_memory=False)
            # else another thread is inside Keras: the next rerun clears

    cheap_clear_session._explorer_cheap = True  # type: ignore[attr-defined]
    cheap_clear_session.original = original  # type: ignore[attr-defined]
    keras.backend.clear_session = cheap_clear_session


def freeze_startup_objects() -> None:
    """Once per process, after TensorFlow is imported: ``gc.freeze()`` its objects."""
    global _frozen
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True
