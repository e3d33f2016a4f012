"""Time the engine: build_model, NumPy trace, and Keras's own paths, at the default and largest configs.

Run: ``python benchmarks/bench_engine.py`` (prints a table; nothing is asserted).
Figures are medians over repeats; `trace` is timed both from the Keras model
(reads the weights each call) and from pre-extracted weights (the app's path).
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_ms

from explorer import LSTMConfig, build_model, extract_weights, keras_check, make_sequence, trace
from explorer.check import EAGER_MAX_STEPS
from explorer.model import build_on_layers, layer_weights_keys

CONFIGS = {
    "default": LSTMConfig(),
    "largest": LSTMConfig(timesteps=200, features=64, units=(256,) * 4, return_sequences=(True, True, True, False)),
}


def bench(name: str, cfg: LSTMConfig, batch: int = 1) -> dict[str, float]:
    x = make_sequence("sine", timesteps=cfg.timesteps, features=cfg.features, batch_size=batch, seed=0)
    big = name == "largest"
    out = {"build_model": median_ms(lambda: build_model(cfg), 3 if big else 10)}
    model = build_model(cfg)
    step = cfg.replace(timesteps=cfg.timesteps - 1)  # a timesteps step: the same weights, taken from the kept model
    out["build_model (a twin's weights)"] = median_ms(
        lambda: build_model(step, initial_weights=model.get_weights()), 3 if big else 10
    )
    wider = cfg.replace(units=(cfg.units[0] - 1, *cfg.units[1:]))  # an lstm_1 units step: lstm_3 … keep their weights
    kept = {key: name for name, key in layer_weights_keys(cfg).items()}
    presets = {n: model.get_layer(kept[k]).get_weights() for n, k in layer_weights_keys(wider).items() if k in kept}
    out["build_model (lstm_1 units step)"] = median_ms(lambda: build_model(wider), 3 if big else 10)
    out[f"  same, {len(presets)} layers' weights kept"] = median_ms(
        lambda: build_model(wider, initial_weights=presets or None), 3 if big else 10
    )
    donor = build_model(cfg)  # a timesteps step built on a kept model's own layers (nothing created or initialised)
    out["build_on_layers (a timesteps step)"] = median_ms(lambda: build_on_layers(step, donor), 10 if big else 30)
    weights = extract_weights(model)
    out["extract_weights"] = median_ms(lambda: extract_weights(model), 10)
    out["trace (model)"] = median_ms(lambda: trace(model, x), 10 if big else 50)
    out["trace (weights)"] = median_ms(lambda: trace(weights, x), 10 if big else 50)
    model(x)  # first eager call builds kernels; time the steady state
    out["eager model(x)"] = median_ms(lambda: model(x), 3 if big else 10)
    model.predict(x, verbose=0)
    out["model.predict"] = median_ms(lambda: model.predict(x, verbose=0), 3 if big else 10)
    tr = trace(weights, x)
    start = time.perf_counter()
    err = keras_check(model, x, tr)
    first = "eager" if cfg.timesteps * cfg.n_layers <= EAGER_MAX_STEPS else "compiles"
    out[f"keras_check (structure's 1st, {first})"] = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    keras_check(model, x, tr)
    out["keras_check (2nd)"] = (time.perf_counter() - start) * 1000
    out["keras_check (compiled)"] = median_ms(lambda: keras_check(model, x, tr), 3 if big else 10)
    other = build_model(step)  # a new model of a checked structure: another timesteps
    x_step = make_sequence("sine", timesteps=step.timesteps, features=cfg.features, batch_size=batch, seed=0)
    tr_step = trace(extract_weights(other), x_step)
    start = time.perf_counter()
    keras_check(other, x_step, tr_step)
    out["keras_check (new T, same struct)"] = (time.perf_counter() - start) * 1000
    out["max |Δ| vs Keras"] = err
    return out


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for name, cfg in CONFIGS.items():
        print(f"\n== {name}: T={cfg.timesteps} F={cfg.features} units={cfg.units} batch=1 ==")
        res = bench(name, cfg)
        for key, value in res.items():
            unit = "" if key.startswith("max") else " ms"
            print(f"  {key:40s} {value:10.3g}{unit}")
        print(f"  {'ratio eager / trace(weights)':32s} {res['eager model(x)'] / res['trace (weights)']:10.1f}x")
        print(f"  {'ratio predict / trace(weights)':32s} {res['model.predict'] / res['trace (weights)']:10.1f}x")


if __name__ == "__main__":
    main()
