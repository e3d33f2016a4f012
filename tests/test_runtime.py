"""The cheap per-rerun Keras clear must not break cached models; the first paint must not need TensorFlow."""

import importlib
import subprocess
import sys
import threading
from collections import OrderedDict
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
    for _ in range(2):  # the second check compiles (the first runs eagerly): compile it before the clear
        keras_check(model, x, trace(model, x))
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


def test_builds_run_side_by_side_and_give_the_same_models():
    """No session's build waits for another's: two threads are inside KERAS_LOCK at once, and concurrent builds
    give exactly the weights and names a build alone gives."""
    inside, both = threading.Barrier(2, timeout=5), []

    def hold():
        with KERAS_LOCK:
            inside.wait()  # breaks (raises) unless the other thread is inside at the same time
            both.append(True)

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert both == [True, True]

    configs = [LSTMConfig(timesteps=5, features=2, units=(4, 3), return_sequences=(True, False), seed=s) for s in range(4)]
    alone = [[w.copy() for w in build_model(cfg).get_weights()] for cfg in configs]
    built: dict[int, list] = {}

    def build(k: int):
        with KERAS_LOCK:
            model = build_model(configs[k])
            built[k] = ([layer.name for layer in model.layers], model.get_weights())

    threads = [threading.Thread(target=build, args=(k,)) for k in range(len(configs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, weights in enumerate(alone):
        names, got = built[k]
        assert names == ["input", "lstm_1", "lstm_2"]
        for a, b in zip(weights, got, strict=True):
            np.testing.assert_array_equal(a, b)


def test_keras_check_runs_eagerly_first_and_compiled_after_and_both_agree(monkeypatch):
    """A small structure's first check at an input shape runs eagerly (tracing would cost more than it saves),
    its second compiled; both measure the same differences, and a large model compiles at once."""
    from explorer import check

    monkeypatch.setattr(check, "_PROBES", OrderedDict())  # no probe from an earlier test
    cfg = LSTMConfig(timesteps=5, features=2, units=(4, 3), return_sequences=(True, False))
    model = build_model(cfg)
    x = make_sequence("sine", timesteps=5, features=2, batch_size=2, seed=1)
    tr = trace(model, x)
    eager = check.keras_differences(model, x, tr)
    run = check._probe_for(model).run
    assert run.experimental_get_tracing_count() == 0  # nothing traced by the first check
    compiled = check.keras_differences(model, x, tr)
    assert run.experimental_get_tracing_count() == 1
    assert eager.keys() == compiled.keys()
    for name in eager:
        assert eager[name] < 1e-5 and compiled[name] < 1e-5
        assert abs(eager[name] - compiled[name]) < 1e-6
    long_cfg = LSTMConfig(timesteps=check.EAGER_MAX_STEPS + 1, features=1, units=(2,), return_sequences=(False,))
    long_model = build_model(long_cfg)
    x_long = make_sequence("sine", timesteps=long_cfg.timesteps, features=1, batch_size=1, seed=0)
    assert check.keras_check(long_model, x_long, trace(long_model, x_long)) < 1e-5
    assert check._probe_for(long_model).run.experimental_get_tracing_count() == 1


def test_models_of_one_structure_share_a_probe_and_each_is_checked_with_its_own_weights(monkeypatch):
    """Another timesteps or seed is the same structure: one probe, traced once; each model's own weights are
    copied in before its run, so a trace of the wrong weights still fails. Another size is another probe."""
    from explorer import check

    monkeypatch.setattr(check, "_PROBES", OrderedDict())
    cfg = LSTMConfig(timesteps=5, features=2, units=(4, 3), return_sequences=(True, False), head_units=2)
    model = build_model(cfg)
    probe = check._probe_for(model)
    for other_cfg in (cfg.replace(timesteps=9), cfg.replace(seed=7), cfg.replace(timesteps=3, seed=3)):
        other = build_model(other_cfg)
        assert check._probe_for(other) is probe
        x = make_sequence("random_walk", timesteps=other_cfg.timesteps, features=2, batch_size=3, seed=2)
        for _ in range(2):  # eager, then compiled
            assert check.keras_check(other, x, trace(other, x)) < 1e-5
            if other_cfg.seed != cfg.seed:  # the first model's weights (the same for the same seed): caught
                assert check.keras_check(other, x, trace(model, x)) > 1e-3
    assert probe.run.experimental_get_tracing_count() == 1  # one trace for every timesteps and batch
    assert check._probe_for(build_model(cfg.replace(units=(5, 3)))) is not probe
    assert check._probe_for(build_model(cfg.replace(return_sequences=(True, True)))) is not probe


def test_checks_from_two_threads_each_use_their_own_models_weights():
    """Two models of one structure share a probe; checked at once from two threads, each is still checked with its own
    weights (the probe takes one model's weights at a time)."""
    from explorer import check

    cfg = LSTMConfig(timesteps=4, features=2, units=(3,), return_sequences=(False,))
    models = [build_model(cfg.replace(seed=s)) for s in (1, 2)]
    assert check._probe_for(models[0]) is check._probe_for(models[1])
    x = make_sequence("sine", timesteps=4, features=2, batch_size=2, seed=0)
    traces = [trace(m, x) for m in models]
    errors: list[float] = []

    def check_many(k: int) -> None:
        errors.extend(keras_check(models[k], x, traces[k]) for _ in range(15))

    threads = [threading.Thread(target=check_many, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 30 and max(errors) < 1e-5
