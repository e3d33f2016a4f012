"""The cheap per-rerun Keras clear: it must not break cached models."""

import threading

import numpy as np

from explorer import LSTMConfig, build_model, extract_weights, keras_check, make_sequence, trace
from explorer._keras import keras
from explorer.ui.runtime import KERAS_LOCK, install_cheap_keras_clear


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
