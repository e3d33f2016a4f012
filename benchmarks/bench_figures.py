"""Time every view's figure build and its JSON size, at the default and largest configs.

Run: ``python benchmarks/bench_figures.py`` (prints a table; nothing is asserted).

The figures are built from plain dicts without Plotly's property validation
(`explorer.figures.style.unvalidated_figure`). The naive path, for the ratio, is the
same figure validated (``go.Figure(fig.to_dict())``: what building through
``go.Heatmap(...)``/``make_subplots`` costs). JSON is what ``st.plotly_chart`` sends.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import plotly.graph_objects as go
import plotly.io as pio
from timing import median_ms

from explorer import LSTMConfig, build_model, make_sequence, shape_table, trace
from explorer.figures import (
    make_gates_figure,
    make_shapes_figure,
    make_state_space_figure,
    make_trajectory_figure,
    make_unrolled_figure,
)

CONFIGS = {
    "default": LSTMConfig(),
    "largest": LSTMConfig(timesteps=200, features=64, units=(256,) * 4, return_sequences=(True, True, True, False)),
}
BATCH = 4  # the app's sample batch


def builders(cfg: LSTMConfig) -> dict:
    """Each view's figure as a zero-argument function, as the app builds it."""
    model = build_model(cfg)
    x = make_sequence("sine", timesteps=cfg.timesteps, features=cfg.features, batch_size=BATCH, seed=0)
    tr = trace(model, x)
    table = shape_table(cfg, model)
    return {
        "unrolled graph": lambda: make_unrolled_figure(cfg, tr, sample=0, colour_by="f"),
        "shapes": lambda: make_shapes_figure(table, count_params=model.count_params()),
        "gates": lambda: make_gates_figure(tr.layers[0], sample=0, unit=0),
        "trajectories": lambda: make_trajectory_figure(tr, layer=0, sample=0),
        "state space 2-D": lambda: make_state_space_figure(tr, layer=0, dims=2, sample=0),
        "state space 3-D": lambda: make_state_space_figure(tr, layer=0, dims=3, sample=0),
    }


def main() -> None:
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for name, cfg in CONFIGS.items():
        print(f"\n== {name}: T={cfg.timesteps} F={cfg.features} units={cfg.units} batch={BATCH} ==")
        print(f"  {'figure':18s} {'build ms':>9s} {'validated ms':>13s} {'ratio':>6s} {'JSON KB':>8s} {'to_json ms':>10s}")
        for view, build in builders(cfg).items():
            fig = build()
            fast = median_ms(build, 20)
            naive = median_ms(lambda fig=fig: go.Figure(fig.to_dict()), 10)
            encode = median_ms(lambda fig=fig: pio.to_json(fig, validate=False), 10)
            size = len(pio.to_json(fig, validate=False)) / 1024
            print(f"  {view:18s} {fast:9.1f} {naive:13.1f} {naive / fast:5.1f}x {size:8.0f} {encode:10.1f}")


if __name__ == "__main__":
    main()
