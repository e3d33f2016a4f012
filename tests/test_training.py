"""Live training's engine: tasks, the deterministic fit loop, snapshots, the job pool, probes, against Keras."""

import dataclasses
import pickle
import threading
import time

import numpy as np
import pytest

from explorer import LSTMConfig, build_model, keras_check, trace
from explorer.config import ConfigError
from explorer.keras_lock import SharedLock
from explorer.reference import extract_weights
from explorer.training.jobs import JobState, RunCache, TrainingJob, TrainingPool
from explorer.training.loop import Trainer, evaluation_set
from explorer.training.probes import PROBE_SAMPLES, PROBE_SEED, find_units
from explorer.training.snapshots import Snapshot, SnapshotLog, TrainedWeights, model_weights, nearest
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS


def small_spec(task="brackets", **changes) -> TrainingSpec:
    """The task's default model (tiny: one LSTM of 8–16 units) and settings."""
    t = TASKS[task]
    return TrainingSpec(task, t.default_config(), learning_rate=t.learning_rate, epochs=t.epochs).replace(**changes)


def wait_done(job: TrainingJob, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while job.progress().active:
        assert time.time() < deadline, job.progress()
        time.sleep(0.02)


@pytest.fixture
def pool():
    p = TrainingPool(workers=1, cache=RunCache())
    yield p
    p.shutdown()


# Tasks ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(TASKS))
def test_task_data_fit_the_model_it_fixes(key):
    task = TASKS[key]
    cfg = task.default_config()
    assert task.problems(cfg) == []
    data = task.generate(5, cfg.timesteps, seed=3)
    assert data.x.shape == (5, cfg.timesteps, task.features) and data.x.dtype == np.float32
    model = build_model(cfg)
    out_shape = tuple(model.outputs[0].shape[1:])
    if task.classification:
        assert data.y.shape == (5,) and out_shape == (task.head_units,)
    else:
        assert data.y.shape[1:] == out_shape
    again = task.generate(5, cfg.timesteps, seed=3)
    assert np.array_equal(again.x, data.x) and np.array_equal(again.y, data.y)  # a pure function of the seed
    assert not np.array_equal(task.generate(5, cfg.timesteps, seed=4).x, data.x)
    if data.labels is not None:
        assert data.labels.shape == (5, cfg.timesteps)


def test_task_targets_are_what_they_say():
    first = TASKS["first"].generate(50, 9, seed=0)
    assert np.array_equal(first.y, first.x[:, 0].argmax(axis=-1))
    brackets = TASKS["brackets"].generate(50, 20, seed=0)
    steps = np.where(brackets.x[..., 0] > 0, 1, -1)  # "(" = +1, ")" = -1
    assert np.array_equal(brackets.y[..., 0], np.cumsum(steps, axis=1)) and brackets.y.min() >= 0
    assert set(np.unique(brackets.labels)) <= {"(", ")"}
    adding = TASKS["adding"].generate(50, 20, seed=0)
    assert np.all(adding.x[..., 1].sum(axis=1) == 2)
    assert np.allclose(adding.y[:, 0], (adding.x[..., 0] * adding.x[..., 1]).sum(axis=1))
    marked = adding.x[..., 1].ravel() > 0
    assert np.array_equal(np.char.startswith(adding.labels.ravel(), "▲"), marked)
    sine = TASKS["sine"].generate(50, 24, seed=0)
    assert np.array_equal(sine.y[:, :-1, 0], sine.x[:, 1:, 0])  # the target is the next step


def test_no_memory_baselines_are_measured_and_far_from_the_threshold():
    for key, task in TASKS.items():
        data = task.generate(1000, task.default_timesteps, seed=1)
        baseline = task.baseline(data)
        assert not task.solved(baseline, baseline), key
    first = TASKS["first"]
    assert abs(first.baseline(first.generate(3000, 8, seed=0)) - 1 / 3) < 0.05  # a guess among 3 symbols
    adding = TASKS["adding"]
    assert 0.12 < adding.baseline(adding.generate(3000, 20, seed=0)) < 0.2  # ≈ Var(sum of two U(0, 1)) = 1/6


def test_a_task_says_why_a_model_cannot_learn_it_and_how_to_fix_it():
    task = TASKS["brackets"]
    cfg = LSTMConfig()  # 3 features, no head, last layer returns its final h only
    problems = [str(p) for p in task.problems(cfg)]  # messages, translated when shown
    assert len(problems) == 3
    assert any("2 features" in p for p in problems) and any("return_sequences=True" in p for p in problems)
    fixed = task.fit_config(cfg)
    assert task.problems(fixed) == [] and fixed.units == cfg.units  # units and stacking stay the learner's
    assert [str(p) for p in task.problems(fixed.replace(timesteps=200))] == ["it takes 2–60 timesteps, not 200"]
    with pytest.raises(ConfigError, match="cannot learn"):
        TrainingSpec("brackets", cfg)


def test_a_task_with_numbers_refuses_token_ids_but_trains_a_bidirectional_layer():
    task = TASKS["brackets"]
    cfg = task.fit_config(LSTMConfig()).replace(input_kind="tokens", mask_zero=True, bidirectional=(True, False))
    assert [str(p) for p in task.problems(cfg)] == ["its data are numbers per step, not token ids for an Embedding"]
    fixed = task.fit_config(cfg)
    assert fixed.input_kind == "numbers" and fixed.bidirectional == (True, False) and not fixed.mask_zero
    assert task.problems(fixed) == [] and fixed.units == cfg.units


def test_a_bidirectional_model_trains_and_its_snapshots_are_scored_as_keras_computes_it():
    from explorer.realmodel.built import build_real_model
    from explorer.training.loop import predict

    task = TASKS["brackets"]
    cfg = task.fit_config(LSTMConfig(units=(6, 4), return_sequences=(True, True), bidirectional=(True, False), merge_mode="sum"))
    spec = TrainingSpec("brackets", cfg, epochs=1, batch_size=64)
    assert spec.parameters == build_real_model(cfg).count_params()
    trainer = Trainer(spec)
    first = trainer.snapshot()
    trainer.train(16)
    later = trainer.snapshot()
    assert later.loss < first.loss
    model = build_real_model(cfg)
    model.set_weights(list(later.arrays))  # a fresh copy of the model, with the trained weights
    x = trainer.eval_data.x[:32]
    np.testing.assert_allclose(predict(cfg, later.arrays, x), np.asarray(model(x)), atol=1e-5)


# The fit loop ------------------------------------------------------------------------------------------------


def test_a_tiny_model_learns_bracket_depth_past_the_threshold():
    spec = small_spec("brackets")
    trainer = Trainer(spec)
    start = trainer.snapshot()
    while trainer.step < spec.total_steps:
        trainer.train(spec.snapshot_every)
    end = trainer.snapshot()
    task, baseline = TASKS["brackets"], TASKS["brackets"].baseline(evaluation_set(spec))
    assert not task.solved(start.metric, baseline)
    assert task.solved(end.metric, baseline), (end.metric, baseline)
    assert end.loss < 0.1 * start.loss


def test_training_is_deterministic_whatever_the_chunks_and_clear_session_between_them():
    from explorer._keras import keras

    spec = small_spec("adding", epochs=1)
    straight = Trainer(spec)
    while straight.step < spec.total_steps:
        straight.train(16)
    chunked = Trainer(spec)
    while chunked.step < spec.total_steps:
        chunked.train(5)
        keras.backend.clear_session(free_memory=False)  # what Streamlit does after every rerun
    for a, b in zip(straight.weights(), chunked.weights(), strict=True):
        assert np.array_equal(a, b)
    assert not np.array_equal(straight.weights()[0], Trainer(spec).weights()[0])  # it did train


def test_a_job_on_a_shell_given_back_trains_exactly_as_on_a_fresh_one():
    """The compiled step of a finished job is reused by the next job of its shape (no build, no tracing), with every
    variable put back: the weights after training equal a fresh trainer's bit for bit, and the loss curve too."""
    from explorer.training import shells

    shells.clear_idle_shells()
    spec = small_spec("adding", epochs=1).replace(seed=11)
    fresh = Trainer(spec)
    assert not fresh.reused
    while fresh.step < spec.total_steps:
        fresh_losses = fresh.train(16)
    expected, compiled = fresh.weights(), fresh._chunk
    fresh.release()
    assert fresh.model is None and shells.idle_shells() == 1
    other = Trainer(spec.replace(seed=12, epochs=2))  # another seed and length: the same shape, the same shell
    assert other.reused and other._chunk is compiled
    assert all(np.array_equal(a, b) for a, b in zip(other.weights(), Trainer(spec.replace(seed=12)).weights(), strict=True))
    other.train(7)  # half trained, then given back: the next job must not see any of it
    other.release()
    again = Trainer(spec)
    assert again.reused and again._chunk is compiled
    while again.step < spec.total_steps:
        again_losses = again.train(16)
    assert all(np.array_equal(a, b) for a, b in zip(again.weights(), expected, strict=True))
    assert np.array_equal(again_losses, fresh_losses)
    assert not Trainer(spec.replace(batch_size=spec.batch_size // 2)).reused  # another shape: its own build
    shells.clear_idle_shells()


def test_the_pool_gives_a_finished_jobs_shell_to_the_next_job_of_its_shape():
    from explorer.training import shells

    shells.clear_idle_shells()
    pool = TrainingPool(workers=1)
    try:
        first = TrainingJob(small_spec("adding", epochs=1).replace(seed=21))
        pool.submit(first)
        wait_done(first)
        assert first.progress().state is JobState.DONE
        assert shells.idle_shells() == 1
        second = TrainingJob(first.spec.replace(seed=22))
        pool.submit(second)
        wait_done(second)
        assert second.progress().state is JobState.DONE
        assert second._trainer.reused and shells.idle_shells() == 1
    finally:
        pool.shutdown()
        shells.clear_idle_shells()


def test_a_job_replaced_by_its_sessions_next_run_gives_its_shell_to_it():
    from explorer.training import shells

    shells.clear_idle_shells()
    pool = TrainingPool(workers=1)
    try:
        first = TrainingJob(small_spec("adding", epochs=40).replace(seed=31))  # long: still training when replaced
        pool.submit(first)
        deadline = time.time() + 60
        while first.progress().step < 2:
            assert time.time() < deadline
            time.sleep(0.02)
        first.abandon()  # what a session's next press of Train does
        second = TrainingJob(first.spec.replace(seed=32, epochs=1))
        pool.submit(second)
        wait_done(second)
        assert first.progress().state is JobState.STOPPED and second.progress().state is JobState.DONE
        assert second._trainer.reused
        stopped = TrainingJob(first.spec.replace(seed=33))
        pool.submit(stopped)
        while stopped.progress().step < 2:
            time.sleep(0.02)
        stopped.stop()  # a learner's Stop: Resume continues on the same model
        wait_done(stopped)
        assert stopped._trainer.model is not None
        stopped.abandon()  # then another run: now it is handed on (by its worker, if it has not let go of it yet)
        deadline = time.time() + 10
        while stopped._trainer.model is not None:
            assert time.time() < deadline
            time.sleep(0.02)
        assert shells.idle_shells() >= 1
    finally:
        pool.shutdown()
        shells.clear_idle_shells()


def test_numpy_gates_from_trained_weights_equal_keras():
    spec = small_spec("brackets")
    trainer = Trainer(spec)
    initial = trainer.weights()
    while trainer.step < spec.total_steps:
        trainer.train(32)
    trained = trainer.weights()
    assert max(np.abs(w).max() for w in trained) > 1.2 * max(np.abs(w).max() for w in initial)  # grew in training
    view_cfg = spec.model.replace(return_state=True)  # the view may ask for the states: same weights
    model = build_model(view_cfg)
    model.set_weights(trained)
    x = TASKS["brackets"].generate(4, spec.model.timesteps, seed=9).x
    tr = trace(model_weights(view_cfg, trained), x)
    assert keras_check(model, x, tr) < 1e-5
    for a, b in zip(extract_weights(model).lstm, model_weights(view_cfg, trained).lstm, strict=True):
        assert np.array_equal(a.kernel, b.kernel)


def test_model_weights_follow_keras_order_without_bias_and_with_a_deep_stack():
    cfg = LSTMConfig(units=(3, 4, 2), return_sequences=(True, True, False), use_bias=False, head_units=2, features=2)
    model = build_model(cfg)
    ours, keras_own = model_weights(cfg, tuple(model.get_weights())), extract_weights(model)
    for a, b in zip(ours.lstm, keras_own.lstm, strict=True):
        assert np.array_equal(a.kernel, b.kernel) and np.array_equal(a.recurrent_kernel, b.recurrent_kernel)
        assert not a.bias.any()
    assert np.array_equal(ours.head.kernel, keras_own.head.kernel)
    with pytest.raises(ValueError, match="more weight arrays"):
        model_weights(cfg.replace(head_units=0), tuple(model.get_weights()))


# Snapshots -------------------------------------------------------------------------------------------------------


def _snapshot(step: int, nbytes: int = 400) -> Snapshot:
    return Snapshot(step, step / 64, (np.zeros(nbytes // 4, np.float32),), 1.0, 0.5)


def test_snapshots_thin_out_instead_of_growing():
    log = SnapshotLog(max_count=8, max_bytes=10**9)
    for step in range(0, 1000, 10):
        log.append(_snapshot(step))
    steps = [s.step for s in log.items()]
    assert len(steps) <= 8 and steps[0] == 0 and steps[-1] == 990
    assert steps == sorted(steps)
    by_bytes = SnapshotLog(max_count=100, max_bytes=3 * 400)
    for step in range(20):
        by_bytes.append(_snapshot(step))
    assert by_bytes.nbytes <= 3 * 400 and by_bytes.items()[-1].step == 19 and by_bytes.items()[0].step == 0


def test_nearest_snapshot_and_trained_weights_are_keyed_not_hashed_by_value():
    snaps = tuple(_snapshot(s) for s in (0, 16, 32))
    assert nearest(snaps, None).step == 32 and nearest(snaps, 20).step == 16 and nearest(snaps, 999).step == 32
    spec = small_spec()
    a = TrainedWeights(spec, 16, (np.ones(3, np.float32),))
    b = TrainedWeights(spec, 16, (np.zeros(3, np.float32),))
    assert a == b and hash(a) == hash(b) and a != TrainedWeights(spec, 32, a.arrays)
    assert a.__reduce__() == (TrainedWeights, (spec, 16))  # what Streamlit's cache hashes: no arrays
    import hashlib

    from streamlit.runtime.caching.hashing import update_hash

    digests = []
    for w in (a, b):
        h = hashlib.new("md5")
        update_hash(w, h, cache_type=None)
        digests.append(h.hexdigest())
    assert digests[0] == digests[1]
    pickle.dumps(spec)  # specs are plain, picklable keys


# Jobs ------------------------------------------------------------------------------------------------------------


def test_a_job_trains_on_the_pool_and_the_next_one_with_the_same_spec_comes_from_the_cache(pool):
    spec = small_spec("first")
    job = TrainingJob(spec)
    pool.submit(job)
    wait_done(job)
    progress = job.progress()
    assert progress.state is JobState.DONE and progress.step == spec.total_steps
    assert len(progress.train_losses) == spec.total_steps and progress.snapshots[0].step == 0
    assert [s.step for s in progress.snapshots][-1] == spec.total_steps
    again = TrainingJob(spec)
    pool.submit(again)  # another learner, the same lesson
    assert again.progress().state is JobState.DONE and again.progress().from_cache
    for a, b in zip(again.progress().snapshots[-1].arrays, progress.snapshots[-1].arrays, strict=True):
        assert a is b  # shared, read-only
        assert not a.flags.writeable


def test_the_second_job_waits_in_the_queue_and_a_twin_waits_for_the_first_result(pool):
    first, other, twin = small_spec("sine", epochs=8), small_spec("brackets"), small_spec("sine", epochs=8)
    jobs = [TrainingJob(s) for s in (first, other, twin)]
    for job in jobs:
        pool.submit(job)
    deadline = time.time() + 30
    while jobs[0].progress().state is not JobState.RUNNING:
        assert time.time() < deadline
        time.sleep(0.01)
    assert [j.progress().position for j in jobs[1:]] == [1, 2]
    for job in jobs:
        wait_done(job)
    assert jobs[2].progress().from_cache and not jobs[1].progress().from_cache  # the twin never trained


def test_stop_and_resume_give_the_weights_of_training_straight_through(pool):
    spec = small_spec("adding", epochs=3)
    straight = TrainingJob(spec)
    pool.submit(straight)
    wait_done(straight)
    pool.cache = RunCache()  # make the second job train again
    job = TrainingJob(spec)
    pool.submit(job)
    deadline = time.time() + 60
    while job.progress().step < 40:
        assert time.time() < deadline and job.progress().active, job.progress()  # a failed job says why, never hangs
        time.sleep(0.005)
    job.stop()
    wait_done(job)
    stopped = job.progress()
    assert stopped.state is JobState.STOPPED and 0 < stopped.step < spec.total_steps
    pool.submit(job)  # Resume
    wait_done(job)
    assert job.progress().state is JobState.DONE
    for a, b in zip(job.progress().snapshots[-1].arrays, straight.progress().snapshots[-1].arrays, strict=True):
        assert np.array_equal(a, b)


def test_a_queued_job_can_be_stopped_and_a_closed_page_or_the_time_cap_stops_a_running_one():
    capped = TrainingPool(workers=1, time_cap_s=0.0)
    try:
        job = TrainingJob(small_spec("sine"))
        capped.submit(job)
        wait_done(job)
        assert job.progress().state is JobState.STOPPED and "time cap" in str(job.progress().message)
        closed = TrainingJob(small_spec("first"), is_wanted=lambda: False)
        capped.time_cap_s = 60
        capped.submit(closed)
        wait_done(closed)
        assert closed.progress().state is JobState.STOPPED and "closed" in str(closed.progress().message)
    finally:
        capped.shutdown()


def test_diverging_training_stops_with_a_plain_message(pool, monkeypatch):
    monkeypatch.setattr(Trainer, "train", lambda self, n: np.array([np.nan], np.float32))
    job = TrainingJob(small_spec("sine"))
    pool.submit(job)
    wait_done(job)
    progress = job.progress()
    assert progress.state is JobState.FAILED and "diverged" in str(progress.message) and "learning rate" in str(progress.message)
    follow = TrainingJob(small_spec("sine", seed=1))
    monkeypatch.undo()
    pool.submit(follow)  # the worker survived
    wait_done(follow)
    assert follow.progress().state is JobState.DONE


def test_a_full_queue_refuses_with_a_message():
    from explorer.training.jobs import PoolFull

    full = TrainingPool(workers=1, max_queue=1)
    try:
        with full._cond:  # hold the pool: no worker takes the queued job meanwhile
            full._queue.append(TrainingJob(small_spec("first", seed=5)))
            with pytest.raises(PoolFull, match="waiting"):
                full.submit(TrainingJob(small_spec("first", seed=6)))
    finally:
        full.shutdown()


def test_the_shared_lock_lets_chunks_run_together_and_the_clear_only_when_none_runs():
    lock = SharedLock()
    with lock.shared(), lock.shared():
        assert lock.holders == 2
        with lock.try_exclusive() as alone:
            assert not alone
    with lock.try_exclusive() as alone:
        assert alone
        started = threading.Event()

        def chunk():
            with lock.shared():
                started.set()

        thread = threading.Thread(target=chunk)
        thread.start()
        assert not started.wait(0.1)  # a chunk waits while the clear runs
    thread.join(5)
    assert started.is_set()


# Probes ------------------------------------------------------------------------------------------------------------


def test_probes_find_the_counting_unit_after_training_and_not_before():
    spec = small_spec("brackets")
    trainer = Trainer(spec)
    data = TASKS["brackets"].generate(PROBE_SAMPLES, spec.model.timesteps, PROBE_SEED)
    before = find_units(spec.model, model_weights(spec.model, trainer.weights()), data)[0]
    while trainer.step < spec.total_steps:
        trainer.train(64)
    after = find_units(spec.model, model_weights(spec.model, trainer.weights()), data)[0]
    assert after.clear and after.score >= 0.9 and after.score > before.score
    values = trace(model_weights(spec.model, trainer.weights()), data.x).layers[0].gate(after.state)[:, :, after.unit]
    assert abs(abs(np.corrcoef(values.ravel(), data.probes["depth"].ravel())[0, 1]) - after.score) < 1e-6
    text = after.describe("lstm_1", before)
    assert f"unit {after.unit}" in text and f"{after.signed:+.2f}" in text and f"{before.score:.2f}" in text


def test_probes_find_the_unit_that_holds_the_first_symbol():
    spec = small_spec("first")
    trainer = Trainer(spec)
    while trainer.step < spec.total_steps:
        trainer.train(64)
    data = TASKS["first"].generate(PROBE_SAMPLES, spec.model.timesteps, PROBE_SEED)
    found = find_units(spec.model, model_weights(spec.model, trainer.weights()), data)[0]
    assert found.probe == "first" and found.clear and 0 <= found.forget <= 1
    assert "forget gate averages" in found.describe("lstm_1")


def _real_probed(cfg, task="brackets", arrays=None, data=None):
    """``cfg``'s real model (trained ``arrays``, else seeded) traced on the probe samples (or ``data``), and those."""
    from explorer.realmodel.built import build_real_model, numpy_real_model

    data = data or TASKS[task].generate(PROBE_SAMPLES, cfg.timesteps, PROBE_SEED)
    model = build_real_model(cfg)
    if arrays is not None:
        model.set_weights(list(arrays))
    return numpy_real_model(cfg, model, data.x), data, model


@pytest.mark.parametrize("go_backwards", [False, True])
def test_the_probes_read_both_directions_of_a_bidirectional_layer_in_the_datas_time_order(go_backwards):
    """A probe that *is* one unit of the backward LSTM (its c_t, put in the data's order) is found there with r = 1,
    and the same for the forward LSTM; read in the order the backward LSTM walked, it would not be."""
    from explorer.realmodel.tracing import site_trace
    from explorer.training.probes import find_units_in_sites

    cfg = TASKS["brackets"].fit_config(
        LSTMConfig(units=(5, 3), return_sequences=(True, True), bidirectional=(True, False), go_backwards=go_backwards)
    )
    real, data, _model = _real_probed(cfg)
    labels = [site.label for site in real.sites]
    assert labels == ["bidirectional_1 · forward", "bidirectional_1 · backward", "lstm_2"]
    for index, unit in ((1, 2), (0, 4)):
        processed = site_trace(real, index).gate("c")[:, :, unit]  # (N, T) in the order the LSTM read the steps
        backwards = real.sites[index].weights.go_backwards
        in_data_order = processed[:, ::-1] if backwards else processed
        probed = dataclasses.replace(data, probes={"made": in_data_order, "depth": data.probes["depth"]})
        found = find_units_in_sites(real, probed)
        assert (found[0].layer, found[0].unit, found[0].state) == (index, unit, "c")
        assert found[0].score == pytest.approx(1.0, abs=1e-5) and found[0].clear
        if backwards:  # the backward LSTM's own order does not follow the data's
            assert abs(np.corrcoef(processed.ravel(), in_data_order.ravel())[0, 1]) < 0.99


def test_the_probes_of_an_embedding_model_equal_those_of_its_lstms_fed_the_looked_up_vectors():
    """The sites' probes give what the stack's own probes give on the vectors the Embedding hands the LSTMs."""
    from explorer.realmodel.samples import token_samples
    from explorer.reference import embed
    from explorer.training.probes import find_units_in_sites
    from explorer.training.tasks import TaskData

    cfg = LSTMConfig(units=(6, 4), return_sequences=(True, True), timesteps=9, input_kind="tokens", vocab=12, embed_dim=5)
    ids = token_samples(64, cfg.timesteps, cfg.vocab, padded=False, seed=3)  # (64, 9) token ids
    rng = np.random.default_rng(4)
    data = TaskData(ids, np.zeros(64, np.int64), None, {"noise": rng.normal(size=ids.shape), "class": rng.integers(0, 3, 64)})
    real, data, model = _real_probed(cfg, data=data)
    arrays = [np.asarray(w, np.float32) for w in model.get_weights()]
    lstms = dataclasses.replace(cfg, input_kind="numbers", features=cfg.embed_dim, mask_zero=False)
    embedded = dataclasses.replace(data, x=embed(arrays[0], data.x))
    assert find_units_in_sites(real, data) == find_units(lstms, model_weights(lstms, arrays[1:]), embedded)


def test_training_a_bidirectional_model_names_a_unit_in_one_of_its_directions():
    from explorer.training.probes import find_units_in_sites

    cfg = TASKS["brackets"].fit_config(LSTMConfig(units=(8,), return_sequences=(True,), bidirectional=(True,)))
    spec = TrainingSpec("brackets", cfg, epochs=2, batch_size=64)
    trainer = Trainer(spec)
    before = find_units_in_sites(*_real_probed(cfg, arrays=trainer.weights())[:2])[0]
    while trainer.step < spec.total_steps:
        trainer.train(64)
    real, data, _model = _real_probed(cfg, arrays=trainer.weights())
    after = find_units_in_sites(real, data)[0]
    assert after.probe == "depth" and after.layer in (0, 1) and after.score > before.score
    assert real.sites[after.layer].label.startswith("bidirectional_1 · ")


def test_a_job_waits_for_a_quiet_moment_and_the_wait_does_not_count_against_its_time_cap(monkeypatch):
    from explorer import activity
    from explorer.training import jobs

    monkeypatch.setattr(jobs, "FIRST_YIELD_S", 30)
    monkeypatch.setattr(jobs, "YIELD_S", 30)
    spec = small_spec("first", seed=77)
    alone = TrainingJob(spec)
    timing = TrainingPool(workers=1, cache=RunCache())
    try:
        timing.submit(alone)
        wait_done(alone)
        trained_in = alone.progress().seconds  # the time its training took
        cap = 3 * trained_in + 1.0
        capped = TrainingPool(workers=1, cache=RunCache(), time_cap_s=cap)
        job = TrainingJob(spec.replace(seed=78))
        with activity.page_rerun():  # a learner's page is being drawn, longer than the cap: the job waits
            capped.submit(job)
            time.sleep(cap + 0.5)
            assert job.progress().step == 0 and not job.progress().snapshots
        wait_done(job)  # then it trains straight through: the wait did not count against the cap
        progress = job.progress()
        assert progress.state is JobState.DONE and progress.step == spec.total_steps, progress.message
        capped.shutdown()
    finally:
        timing.shutdown()
