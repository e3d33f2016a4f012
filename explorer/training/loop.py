"""The fit loop: a session's own Keras copy of the model, trained in compiled chunks of steps.

Measured here (benchmarks/bench_training.py): a ``tf.function`` that runs several optimizer
steps in one call is ~2.5× faster than ``model.fit`` or ``train_on_batch`` at the default
size (Python and dispatch overhead per step dominate for small LSTMs), and compiles faster;
``jit_compile`` (XLA) was slower on this CPU. Each call takes a chunk of batches, so a job
can stop, snapshot and let Streamlit's ``clear_session`` in between chunks.

Determinism: the initial weights come from the config's seeded initializers; the training
set and the batch order of epoch ``e`` come from ``spec.seed`` and ``e``; nothing else is
random. Step ``s`` always sees the same batch, so stopping and resuming gives the same
weights as training straight through.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from explorer._keras import keras, tf
from explorer.config import LSTMConfig
from explorer.model import build_model
from explorer.realmodel.built import build_real_model
from explorer.reference import trace
from explorer.reference.real_forward import real_forward
from explorer.training.shells import MAX_SHELL_PARAMETERS, Shell, give_back, take_shell
from explorer.training.snapshots import Snapshot, frozen_arrays, model_weights
from explorer.training.spec import SAMPLES, TrainingSpec
from explorer.training.tasks import TASKS, Task, TaskData
from explorer.whygates.compare import build_recurrent
from explorer.whygates.gradients import stack_from_arrays, stack_output

EVAL_SAMPLES = 256  # held-out samples per snapshot (fewer for big models, see `evaluation_samples`)
EVAL_MIN_SAMPLES = 32
EVAL_FLOPS = 2e9  # one evaluation's NumPy work at most (~0.2 s here); the largest model gets 32 samples
EVAL_BATCH = 32  # evaluated this many at a time: a trace keeps every gate, 6 × B × T × U floats per layer
EVAL_SEED_OFFSET = 1_000_003  # the evaluation set is drawn apart from the training set


def evaluation_samples(spec: TrainingSpec) -> int:
    """How many held-out samples score each snapshot: 256, fewer for big models (a function of the spec)."""
    cfg = spec.model
    per_sample = (
        2 * cfg.timesteps * sum((cfg.layer_input_features(k) + u) * 4 * u for k, u in enumerate(cfg.units))
    )  # multiply-adds of one forward pass
    return int(min(EVAL_SAMPLES, max(EVAL_MIN_SAMPLES, EVAL_FLOPS // per_sample)))


def evaluation_set(spec: TrainingSpec, task: Task | None = None) -> TaskData:
    """The held-out samples every snapshot is scored on."""
    return (task or TASKS[spec.task]).held_out(evaluation_samples(spec), spec.model.timesteps, spec.seed + EVAL_SEED_OFFSET)


def task_loss(task: Task, data: TaskData, predictions: np.ndarray) -> float:
    """The task's Keras loss, computed in NumPy (mean over the batch)."""
    if task.classification:  # y: (N,) one class per sample, or (N, T) one per step
        p = np.clip(np.take_along_axis(predictions, data.y[..., None], axis=-1), 1e-7, 1.0)
        return float(-np.mean(np.log(p)))
    return float(np.mean((predictions.reshape(data.y.shape) - data.y) ** 2))


def predict(cfg: LSTMConfig, arrays: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
    """The model's output on ``x`` with the weights ``arrays``, by the NumPy reference (no Keras), in batches: only
    the outputs are kept (a whole trace of 256 samples of a 4 × 256 model is 0.6 GB)."""
    if cfg.is_real:  # an Embedding or a Bidirectional layer
        return np.concatenate([real_forward(cfg, arrays, x[k : k + EVAL_BATCH]) for k in range(0, len(x), EVAL_BATCH)])
    weights = model_weights(cfg, arrays)
    return np.concatenate([trace(weights, x[k : k + EVAL_BATCH]).output for k in range(0, len(x), EVAL_BATCH)])


def predict_spec(spec: TrainingSpec, arrays: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
    """`predict` for the model ``spec`` trains: the LSTM stack, or the one GRU or SimpleRNN layer of a comparison."""
    if spec.cell == "LSTM":
        return predict(spec.model, arrays, x)
    cfg = spec.model
    stack = stack_from_arrays(spec.cell, arrays, return_sequences=cfg.return_sequences[-1], head_activation=cfg.head_activation)
    return np.concatenate([stack_output(stack, x[k : k + EVAL_BATCH]) for k in range(0, len(x), EVAL_BATCH)])


def evaluate(spec: TrainingSpec, arrays: tuple[np.ndarray, ...], data: TaskData, task: Task | None = None) -> tuple[float, float]:
    """``(loss, metric)`` of the weights ``arrays`` on ``data``, by the NumPy reference (no Keras); ``task``: the
    spec's task when the caller holds it (a learner's data task may leave the registry while it trains)."""
    task = task or TASKS[spec.task]
    predictions = predict_spec(spec, arrays, data.x)
    return task_loss(task, data, predictions), task.score(data, predictions)


def _build(spec: TrainingSpec):
    """The Keras model ``spec`` trains, built afresh (the session's own copy)."""
    cfg = spec.model
    if spec.is_comparison:  # one layer of its kind
        head = (cfg.head_units, cfg.head_activation)
        shape = (spec.cell_units, cfg.timesteps, cfg.features, head)
        bias = 1.0 if spec.forget_bias is None else spec.forget_bias
        flags = {"per_step": cfg.return_sequences[-1], "seed": cfg.seed, "forget_bias": bias}
        return build_recurrent(spec.cell, *shape, **flags)
    return build_real_model(cfg) if cfg.is_real else build_model(cfg)


def _compiled_steps(model, optimizer, loss, signature) -> Callable:
    """One compiled call that runs ``len(xs)`` optimizer steps of ``model``; it returns each step's loss."""

    def steps(xs, ys):
        variables = model.trainable_variables
        losses = tf.TensorArray(tf.float32, size=tf.shape(xs)[0])
        for k in tf.range(tf.shape(xs)[0]):
            with tf.GradientTape() as tape:
                value = tf.reduce_mean(loss(ys[k], model(xs[k], training=True)))
            optimizer.apply(tape.gradient(value, variables), variables)
            losses = losses.write(k, value)
        return losses.stack()

    return tf.function(steps, input_signature=signature)


class Trainer:
    """Trains one `TrainingSpec` step by step on its own Keras model (never a cached, shared one).

    Build it, then call `train` with a number of steps as often as wanted; `step` counts
    the steps taken; `release` when done hands the model and its compiled step to the next job of the same shape
    (`explorer.training.shells`). Not thread-safe: one job's worker drives it.
    """

    def __init__(self, spec: TrainingSpec):
        self.spec = spec
        self.task = TASKS[spec.task]
        self.data = self.task.generate(SAMPLES, spec.model.timesteps, spec.seed)
        self.eval_data = evaluation_set(spec, self.task)
        self.step = 0
        self._order: tuple[int, np.ndarray] | None = None  # (epoch, permutation)
        shell = take_shell(spec)
        self.reused = shell is not None  # a shell given back by an earlier job: no build, no tracing
        self._shell = shell or self._new_shell()
        self.model, self.optimizer, self.loss = self._shell.model, self._shell.optimizer, self._shell.loss
        self._chunk = self._shell.chunk

    def _new_shell(self) -> Shell:
        spec = self.spec
        model = _build(spec)
        optimizer = keras.optimizers.Adam(spec.learning_rate)
        optimizer.build(model.trainable_variables)
        loss = keras.losses.get(self.task.loss)
        x, y = self.data.x, self.data.y
        signature = [
            tf.TensorSpec((None, spec.batch_size, *x.shape[1:]), tf.as_dtype(x.dtype)),  # (chunk, B, T, F) or token ids
            tf.TensorSpec((None, spec.batch_size, *y.shape[1:]), tf.as_dtype(y.dtype)),  # (chunk, B, …)
        ]
        variables = [*model.variables, *optimizer.variables]
        keep = spec.parameters <= MAX_SHELL_PARAMETERS  # (a bigger model's shell is not kept: no copy of its start)
        start = [np.array(v.numpy(), copy=True) for v in variables] if keep else []
        return Shell(model, optimizer, loss, _compiled_steps(model, optimizer, loss, signature), variables, start)

    def release(self) -> None:
        """Hand the model, optimizer and compiled step to the next job of this shape (the job is over: done or
        failed). The trainer keeps its `step`; it trains no more."""
        if self._shell is not None and self._shell.start:
            give_back(self.spec, self._shell)
        self._shell = self.model = self.optimizer = None

    def _batch_indices(self, step: int, n: int) -> np.ndarray:
        """(n, B) sample indices of steps ``step … step + n - 1`` (all in one epoch)."""
        per_epoch = self.spec.steps_per_epoch
        epoch, first = divmod(step, per_epoch)
        if self._order is None or self._order[0] != epoch:
            rng = np.random.default_rng([self.spec.seed, epoch])
            self._order = (epoch, rng.permutation(SAMPLES))
        b = self.spec.batch_size
        return self._order[1][first * b : (first + n) * b].reshape(n, b)

    def steps_to_epoch_end(self) -> int:
        return self.spec.steps_per_epoch - self.step % self.spec.steps_per_epoch

    def train(self, n: int) -> np.ndarray:
        """Take ``n`` steps (within the current epoch); returns their training losses, (n,) float32."""
        n = min(n, self.steps_to_epoch_end())
        idx = self._batch_indices(self.step, n)
        losses = self._chunk(tf.constant(self.data.x[idx]), tf.constant(self.data.y[idx]))
        self.step += n
        return np.asarray(losses, np.float32)

    def weights(self) -> tuple[np.ndarray, ...]:
        """A read-only copy of the current weights (``model.get_weights()`` order)."""
        return frozen_arrays(self.model.get_weights())

    def snapshot(self) -> Snapshot:
        """The current weights, scored on the evaluation set."""
        arrays = self.weights()
        loss, metric = evaluate(self.spec, arrays, self.eval_data, self.task)
        return Snapshot(self.step, self.step / self.spec.steps_per_epoch, arrays, loss, metric)
