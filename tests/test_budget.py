"""The memory budget (LSTM_EXPLORER_MEMORY_MB) sizes the stores and the training pool, and takes effect."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer import LSTMConfig, build_model
from explorer.budget import DEFAULT_MB, MIN_MB, memory_budget, training_job_mb
from explorer.training.jobs import JobTooLarge, TrainingJob, TrainingPool
from explorer.training.spec import TrainingSpec
from explorer.training.tasks import TASKS

ROOT = Path(__file__).resolve().parents[1]


def test_a_bigger_budget_gives_every_store_more_and_bad_values_fall_back():
    small, default, large = (memory_budget({"LSTM_EXPLORER_MEMORY_MB": str(mb)}, cores=2) for mb in (800, DEFAULT_MB, 4000))
    for field in ("model_params", "trace_bytes", "run_cache_bytes", "training_job_mb"):
        assert getattr(small, field) < getattr(default, field) < getattr(large, field), field
    assert small.training_workers == default.training_workers == 1 and large.training_workers == 2  # never past the cores
    assert memory_budget({}, cores=2) == default
    assert memory_budget({"LSTM_EXPLORER_MEMORY_MB": "lots"}, cores=2) == default  # a typo must not stop the app
    assert memory_budget({"LSTM_EXPLORER_MEMORY_MB": "100"}, cores=2).total_mb == MIN_MB


def test_the_budget_takes_effect_in_a_fresh_server_process():
    probe = (
        "import json; from explorer.ui import cache; from explorer.ui.training import training_pool;"
        "from explorer.training import jobs, snapshots; p = training_pool.__wrapped__();"
        "print(json.dumps([cache.MODELS._max_cost, cache.TRACES._max_cost, jobs.RUN_CACHE_BYTES,"
        " snapshots.SNAPSHOT_BYTES_BUDGET, p.workers, p.job_mb]))"
    )
    seen = {}
    for mb in ("800", "4000"):
        env = {**os.environ, "LSTM_EXPLORER_MEMORY_MB": mb, "TF_CPP_MIN_LOG_LEVEL": "3"}
        out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        seen[mb] = json.loads(out.stdout.strip().splitlines()[-1])
        budget = memory_budget({"LSTM_EXPLORER_MEMORY_MB": mb})
        expected = [budget.model_params, budget.trace_bytes, budget.run_cache_bytes, budget.snapshot_bytes,
                    budget.training_workers, budget.training_job_mb]  # fmt: skip
        assert seen[mb] == expected
    assert seen["800"][:4] < seen["4000"][:4]


def test_the_job_estimate_follows_the_measurements():
    assert 50 < training_job_mb(32, 100, (64,), 0) < 70  # measured +58 MB
    assert 250 < training_job_mb(32, 100, (256,) * 4, 1_900_000) < 320  # measured +266 MB
    for task in TASKS.values():  # every task's default trains at the smallest budget
        spec = TrainingSpec(task.key, task.default_config())
        needed = training_job_mb(spec.batch_size, spec.model.timesteps, spec.model.units, spec.parameters)
        assert needed <= memory_budget({"LSTM_EXPLORER_MEMORY_MB": str(MIN_MB)}).training_job_mb


@pytest.mark.parametrize("units", [(8,), (5, 7), (256, 256, 256, 256)])
def test_spec_parameters_equal_keras(units):
    cfg = TASKS["adding"].fit_config(LSTMConfig(timesteps=4, units=units, return_sequences=(True,) * len(units)))
    cfg = cfg.replace(return_sequences=(*cfg.return_sequences[:-1], False))
    assert TrainingSpec("adding", cfg).parameters == build_model(cfg).count_params()
    assert (
        TrainingSpec("adding", cfg.replace(use_bias=False)).parameters == build_model(cfg.replace(use_bias=False)).count_params()
    )


def test_a_model_too_large_for_the_budget_is_refused_with_the_reason():
    pool = TrainingPool(workers=1, job_mb=150)
    try:
        big = TASKS["adding"].fit_config(LSTMConfig(timesteps=100, units=(256,) * 4, return_sequences=(True, True, True, False)))
        with pytest.raises(JobTooLarge, match=r"needs about \d+ MB and this server allows 150 MB"):
            pool.submit(TrainingJob(TrainingSpec("adding", big)))
        smaller = TrainingSpec("adding", big, batch_size=8)  # the message's own advice: a smaller batch fits
        needed = training_job_mb(8, 100, big.units, smaller.parameters)
        assert needed < 150
    finally:
        pool.shutdown()
