"""The UI's caches, keyed on frozen configs and bounded, one concern per module:

- `models`: the Keras models (built once per config and weights, within a parameter budget);
- `prefetch`: the model one key press away, built ahead on a background thread;
- `traces`: the sample data and the NumPy traces every view draws (within a byte budget, read-only);
- `checks`: the badge's check against Keras, on its own background thread;
- `figures`: each figure, cached on exactly its inputs;
- `answers`: the learners' questions and the training tab's numbers;
- `workers`: the background threads, shut down with the process.

Keras runs only when the model config changes; everything a slider can change without touching the model
(focus, colour, data) is NumPy and cached separately. Cached objects are shared by every session and never
mutated. The page uses these names as ``cache.<name>``.
"""

import warnings

from explorer.ui.cache.answers import (
    activation_curves,
    argument_rows,
    broken_stack_message,
    dropout_numbers,
    findings,
    halves,
    params_points,
    return_state_numbers,
    task_baseline,
    task_predictions,
    units_places,
    unroll_numbers,
)
from explorer.ui.cache.checks import CHECK_DELAY_S, StaleCheck, keras_check_future
from explorer.ui.cache.figures import (
    bidirectional_figure,
    gates_figure,
    shapes_figure,
    state_space_3d,
    trajectory_figures,
    unrolled_figure,
)
from explorer.ui.cache.models import (
    MODEL_PARAMS_BUDGET,
    MODELS,
    SHAPES,
    ModelBundle,
    ModelShapes,
    model_bundle,
    model_shapes,
    model_summary,
    traced_weights,
)
from explorer.ui.cache.prefetch import PREFETCH_DELAY_S, PREFETCH_MAX_PARAMS, prefetch_next
from explorer.ui.cache.real import REAL_MODELS, BuiltReal, built_real
from explorer.ui.cache.traces import TRACE_BYTES_BUDGET, TRACES, sample_batch, step_labels, task_samples, view_trace
from explorer.ui.cache.workers import shut_down_background_work

# The page explains Dense(1, softmax) itself (LSTMConfig.head_advice); Keras's console warning would only repeat
# it in the server log from every background check of such a model.
warnings.filterwarnings("ignore", message="You are using a softmax over axis -1 of a tensor of shape", category=UserWarning)

__all__ = [
    "CHECK_DELAY_S",
    "MODELS",
    "MODEL_PARAMS_BUDGET",
    "PREFETCH_DELAY_S",
    "PREFETCH_MAX_PARAMS",
    "REAL_MODELS",
    "SHAPES",
    "TRACES",
    "TRACE_BYTES_BUDGET",
    "BuiltReal",
    "ModelBundle",
    "ModelShapes",
    "StaleCheck",
    "activation_curves",
    "argument_rows",
    "bidirectional_figure",
    "broken_stack_message",
    "built_real",
    "dropout_numbers",
    "findings",
    "gates_figure",
    "halves",
    "keras_check_future",
    "model_bundle",
    "model_shapes",
    "model_summary",
    "params_points",
    "prefetch_next",
    "return_state_numbers",
    "sample_batch",
    "shapes_figure",
    "shut_down_background_work",
    "state_space_3d",
    "step_labels",
    "task_baseline",
    "task_predictions",
    "task_samples",
    "traced_weights",
    "trajectory_figures",
    "units_places",
    "unroll_numbers",
    "unrolled_figure",
    "view_trace",
]
