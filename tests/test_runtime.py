"""The cheap per-rerun Keras clear must not break cached models; the first paint must not need TensorFlow."""

import importlib
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from explorer import LSTMConfig, build_model, extract_weights, keras_check, make_sequence, trace
from explorer._keras import keras
from explorer.ui.runtime import KERAS_LOCK, install_cheap_keras_clear

ROOT = Path(__file__).resolve().parents[1]


def test_cached_model_still_works_after_streamlits_clear_session():
    install_cheap_keras_clear()
    install_cheap_keras_clear()  # idempotent
    assert keras.backend.clear_session._explorer_cheap
    cfg = LSTMConfig(timesteps=4, features=2, units=(3, 2), return_sequences=(True, False), head_units=2)
    model = build_model(cfg)
    x = make_sequence("sine", timesteps=4, features=2, batch_size=2, seed=0)
    before = model.predict_on_batch(x)
    keras_check(model, x, trace(model, x))  # compile the check before the clear
    for _ in range(3):
        keras.backend.clear_session()  # what Streamlit calls after every rerun
    np.testing.assert_array_equal(model.predict_on_batch(x), before)
    tr = trace(extract_weights(model), x)
    assert keras_check(model, x, tr) < 1e-5
    # A model built after the clear is still named as the config says.
    assert [layer.name for layer in build_model(cfg).layers] == ["input", "lstm_1", "lstm_2", "head"]


def test_clear_is_skipped_while_another_thread_holds_keras():
    install_cheap_keras_clear()
    holder_ready, release, holder_done = threading.Event(), threading.Event(), threading.Event()

    def hold():
        with KERAS_LOCK:
            holder_ready.set()
            release.wait(3)
        holder_done.set()

    thread = threading.Thread(target=hold)
    thread.start()
    holder_ready.wait(5)
    keras.backend.clear_session()  # must return at once, not wait for the lock
    returned_while_held = not holder_done.is_set()
    release.set()
    thread.join()
    assert returned_while_held


def test_the_first_paint_needs_no_tensorflow():
    """What app.py draws before the engine loads must not itself import TensorFlow (seconds)."""
    code = (
        "import sys; import explorer, explorer.view, explorer.figures, explorer.ui.first_paint;"
        "from explorer import LSTMConfig, ConfigError, SEQUENCES, Trace;"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False"]


def test_the_lazy_package_exports_every_public_name():
    import explorer

    assert sorted(explorer.__all__) == sorted(explorer._HOME)
    for name in explorer.__all__:
        assert getattr(explorer, name) is getattr(importlib.import_module(explorer._HOME[name]), name)
    with pytest.raises(AttributeError):
        _ = explorer.no_such_name
