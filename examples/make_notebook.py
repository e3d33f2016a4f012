"""Write examples/engine_tour.ipynb from the cells below (run: python examples/make_notebook.py).

The notebook is generated so its code is reviewed as code; the test suite executes it (tests/test_notebook.py).
"""

from pathlib import Path

import nbformat

CELLS = [
    (
        "markdown",
        """# LSTM Explorer's engine, without Streamlit

Everything the app shows comes from these functions: a config builds a real Keras model, a NumPy trace
recomputes every gate (checked against Keras), pure functions draw the figures, a task trains the model, and
the cell view's numbers come from one step of the trace. Install the engine with `pip install -e .`
from the project's folder.""",
    ),
    (
        "code",
        """from explorer import LSTMConfig, build_model, shape_table, trace, keras_check, make_sequence

cfg = LSTMConfig(timesteps=10, features=3, units=(16, 8), return_sequences=(True, False))
model = build_model(cfg)  # a keras.Model: Input(shape=(10, 3)) -> lstm_1 -> lstm_2
for row in shape_table(cfg, model):
    print(row.name, row.input_shape, "->", row.output_shape, row.params, "params:", row.formula)
print("count_params():", model.count_params(), "(the same at any number of timesteps)")""",
    ),
    (
        "code",
        """x = make_sequence("sine", timesteps=10, features=3, batch_size=4, seed=0)  # (samples, timesteps, features)
tr = trace(model, x)  # NumPy: tr.layers[k].i / .f / .g / .o / .c / .h, each (batch, T, units)
print("forget gate of lstm_1:", tr.layers[0].f.shape)
print("largest difference from Keras itself:", keras_check(model, x, tr))""",
    ),
    (
        "code",
        """from explorer.figures import make_unrolled_figure, make_gates_figure, make_trajectory_figure

graph = make_unrolled_figure(cfg, tr, colour_by="f", focus=(0, 4))  # the unrolled graph, step 4 marked, with a player
gates = make_gates_figure(tr.layers[0], sample=0, unit=2)
traj = make_trajectory_figure(tr, layer=1)
print(graph.layout.title.text, "|", gates.layout.title.text, "|", traj.layout.title.text)
# graph.show() draws it in Jupyter""",
    ),
    (
        "code",
        """from explorer import extract_weights
from explorer.cell.anatomy import cell_step
from explorer.cell.equations import equations
from explorer.figures.cell import make_cell_figure

weights = extract_weights(model)
steps = [cell_step(weights.lstm[0], tr, layer=0, sample=0, step=t, unit=2) for t in range(1, 11)]
print("\\n".join(equations(steps[4])))  # unit 2 of lstm_1 at step 5, numbers filled in
cell = make_cell_figure(steps[4], steps)  # the textbook diagram with a player over all ten steps""",
    ),
    (
        "markdown",
        """## Train it on a task that needs memory

Bracket depth: the answer at each step is how many brackets are open. A unit's cell state learns to count.""",
    ),
    (
        "code",
        """from explorer.training.tasks import TASKS
from explorer.training.spec import TrainingSpec
from explorer.training.loop import Trainer, evaluation_set
from explorer.training.probes import find_units
from explorer.training.snapshots import model_weights

task = TASKS["brackets"]
spec = TrainingSpec("brackets", task.default_config(), epochs=4)
trainer = Trainer(spec)
while trainer.step < spec.total_steps:
    trainer.train(16)
snap = trainer.snapshot()
print(f"after {snap.step} steps: held-out loss {snap.loss:.4f}, {task.metric[0]} {snap.metric:.3f} ({task.threshold_text})")
probe_data = task.generate(64, spec.model.timesteps, seed=123)
for finding in find_units(spec.model, model_weights(spec.model, snap.arrays), probe_data):
    print(finding.describe(spec.model.layer_names[finding.layer]))""",
    ),
    (
        "code",
        """import io
import numpy as np
from explorer.export.activations import npz_bytes
from explorer.export.model_file import keras_file_bytes

trained_file = keras_file_bytes(spec.model, snap.arrays)  # the bytes of a .keras file
print(f".keras file: {len(trained_file) / 1e3:.0f} kB")
with np.load(io.BytesIO(npz_bytes(tr))) as saved:
    print(sorted(saved.files)[:6], saved["layer0_f"].shape)""",
    ),
]


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, text in CELLS:
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(text))
    path = Path(__file__).with_name("engine_tour.ipynb")
    nbformat.write(nb, path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
