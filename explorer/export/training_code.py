"""Runnable code that builds the model and trains it on its task, as the app does."""

from __future__ import annotations

from explorer.codegen import keras3_code
from explorer.training.spec import SAMPLES, TrainingSpec
from explorer.training.tasks import TASKS


def training_code(spec: TrainingSpec) -> str:
    """Keras 3 code: the model (`keras3_code`), the task's data from the engine, ``compile`` and ``fit``.

    The app trains with a compiled loop of its own (faster, step by step for the live curve); this is
    the plain ``fit`` equivalent: same model, data, loss, optimizer, batch size and epochs.
    """
    task = TASKS[spec.task]
    model = keras3_code(spec.model).replace("model.summary()", "model.summary()\n")
    metric, _ = task.metric
    keras_metric = '["accuracy"]' if metric == "accuracy" else "[]"
    return "\n".join(
        [
            f"# {task.title}: {task.teaches}",
            "# Needs this project's engine: pip install -e . (from the project's folder)",
            "import numpy as np",
            "from explorer.training.tasks import TASKS",
            "",
            model,
            f'task = TASKS["{spec.task}"]',
            f"data = task.generate({SAMPLES}, {spec.model.timesteps}, seed={spec.seed})"
            f"  # x {(SAMPLES, spec.model.timesteps, task.features)}",
            f'model.compile(optimizer=keras.optimizers.Adam({spec.learning_rate}), loss="{task.loss}", metrics={keras_metric})',
            f"history = model.fit(data.x, data.y, batch_size={spec.batch_size}, epochs={spec.epochs}, shuffle=True, verbose=2)",
            f"held_out = task.generate(256, {spec.model.timesteps}, seed={spec.seed + 1})",
            "predictions = model.predict(held_out.x, verbose=0)",
            f'print("{metric}:", task.score(held_out, predictions), "(threshold: {task.threshold_text})")',
        ]
    )
