"""Training jobs on a bounded pool of background workers: a queue with positions, stop, resume, a time cap.

One `TrainingPool` serves every session of a server: at most ``workers`` jobs train at
once (one per core), the others wait in a FIFO queue and know their place. A job trains in
short compiled chunks (`explorer.training.loop`), and between chunks it checks whether it
was stopped, whether its page still wants it (``is_wanted``; a closed tab's job stops) and
its time cap. A finished run goes into `RunCache`, shared by every session and bounded by
bytes: training is deterministic, so the next learner who asks for the same spec gets the
result at once, and a queued job whose spec is being trained by another job waits for that
result instead of training it twice.
"""

from __future__ import annotations

import enum
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explorer.activity import seconds_waiting_for_quiet
from explorer.budget import memory_budget, training_job_mb
from explorer.i18n import Message
from explorer.keras_lock import KERAS_LOCK, TRAINING
from explorer.os_priority import lower_tensorflow_threads, lower_this_thread
from explorer.training.snapshots import Snapshot, SnapshotLog
from explorer.training.spec import TrainingSpec

TIME_CAP_S = float(os.environ.get("LSTM_EXPLORER_TRAIN_CAP_S", "120"))
YIELD_S = 0.5  # before each chunk a job waits at most this long for a moment when no page is being drawn
FIRST_YIELD_S = 2.0  # before its build and first chunk (tracing the training step holds the GIL for ~1 s): this long
CHUNK_SECONDS = 0.15  # one compiled call takes about this long: stop answers and clears find gaps within it
RUN_CACHE_BYTES = memory_budget().run_cache_bytes  # finished runs shared by every session (56 MB by default)


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    STOPPED = "stopped"  # by its learner, its time cap or a closed page: can resume
    DONE = "done"
    FAILED = "failed"  # diverged (NaN / inf loss) or an error: cannot resume


@dataclass(frozen=True)
class RunResult:
    """A finished run: every snapshot kept and the training loss of every step."""

    snapshots: tuple[Snapshot, ...]
    train_losses: np.ndarray  # (steps,) float32, read-only
    seconds: float

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in self.snapshots) + self.train_losses.nbytes


@dataclass(frozen=True)
class Progress:
    """What a job has done so far (an immutable copy, safe to read from any thread).

    Attributes:
        state: the `JobState`.
        position: 1-based place in the queue while queued, else ``None``.
        step, total_steps: steps taken and wanted.
        snapshots: the snapshots kept so far, in step order.
        train_losses: (step,) float32 the training loss of every step.
        seconds: time spent training (first chunk's compile included).
        message: why it stopped or failed, or what it waits for.
        from_cache: the result came from a run another session (or this one) finished before.
    """

    state: JobState
    position: int | None
    step: int
    total_steps: int
    snapshots: tuple[Snapshot, ...]
    train_losses: np.ndarray
    seconds: float
    message: str | Message | None
    from_cache: bool

    @property
    def active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)


class RunCache:
    """Finished runs by spec, least recently used dropped first, within a byte budget. Thread-safe."""

    def __init__(self, max_bytes: int = RUN_CACHE_BYTES, max_entries: int = 64):
        self._items: OrderedDict[TrainingSpec, RunResult] = OrderedDict()
        self._max_bytes, self._max_entries = max_bytes, max_entries
        self._lock = threading.Lock()

    def get(self, spec: TrainingSpec) -> RunResult | None:
        with self._lock:
            result = self._items.get(spec)
            if result is not None:
                self._items.move_to_end(spec)
            return result

    def put(self, spec: TrainingSpec, result: RunResult) -> None:
        with self._lock:
            self._items[spec] = result
            self._items.move_to_end(spec)
            while len(self._items) > 1 and (
                len(self._items) > self._max_entries or sum(r.nbytes for r in self._items.values()) > self._max_bytes
            ):
                self._items.popitem(last=False)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(r.nbytes for r in self._items.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class TrainingJob:
    """One learner's training of one spec: submitted to a pool, stopped, resumed, read through `progress`."""

    def __init__(self, spec: TrainingSpec, *, is_wanted: Callable[[], bool] = lambda: True):
        self.spec = spec
        self.is_wanted = is_wanted
        self._lock = threading.Lock()
        self._state = JobState.QUEUED
        self._stop = threading.Event()
        self._trainer = None  # the session's own Keras model and optimizer, kept for Resume
        self._log = SnapshotLog()
        self._losses: list[float] = []
        self._seconds = 0.0
        self._message: str | Message | None = None
        self._from_cache = False
        self._pool: TrainingPool | None = None
        self._abandoned = False  # replaced by its session's next job: never resumed
        self._in_worker = False  # a worker is training it now

    def progress(self) -> Progress:
        with self._lock:
            state, message = self._state, self._message
            losses = np.array(self._losses, np.float32)
        losses.setflags(write=False)
        position = self._pool.position(self) if self._pool and state is JobState.QUEUED else None
        snapshots = self._log.items()
        step = self._trainer.step if self._trainer is not None else (snapshots[-1].step if snapshots else 0)
        return Progress(state, position, step, self.spec.total_steps, snapshots, losses, self._seconds, message, self._from_cache)

    def stop(self, message: str | Message | None = None) -> None:
        """Stop soon (after the running chunk); a queued job leaves the queue. Resume continues."""
        self._stop.set()
        if self._pool is not None:
            self._pool.dequeue(self, message)

    def abandon(self, message: str | Message | None = None) -> None:
        """Stop for good: its session started another run. Its compiled step goes to the next job of its shape."""
        self._abandoned = True
        self.stop(message)
        self._give_back()

    def _give_back(self) -> None:
        """Hand the trainer's shell on once the job is over (done, failed or abandoned) and no worker trains it."""
        with self._lock:
            over = self._abandoned or self._state in (JobState.DONE, JobState.FAILED)
            trainer = self._trainer if over and not self._in_worker else None
            if trainer is None or trainer.model is None:
                return
            trainer.release()

    # Called by the pool's workers only:
    def _set(self, state: JobState, message: str | Message | None = None) -> None:
        with self._lock:
            self._state, self._message = state, message

    def _finish_from(self, result: RunResult) -> None:
        for snapshot in result.snapshots:
            self._log.append(snapshot)
        with self._lock:
            self._losses = list(result.train_losses)
            self._seconds, self._from_cache = result.seconds, True
        self._set(JobState.DONE)

    def _result(self) -> RunResult:
        losses = np.array(self._losses, np.float32)
        losses.setflags(write=False)
        return RunResult(self._log.items(), losses, self._seconds)

    def _train(self, time_cap_s: float) -> None:
        from explorer.training.loop import Trainer  # imports Keras: only on a worker, when a job runs

        started, waited = time.perf_counter(), 0.0  # the time cap counts training, not the waits for a quiet moment
        if self._trainer is None:
            waited += seconds_waiting_for_quiet(FIRST_YIELD_S)
            with KERAS_LOCK:  # a model build, like every other
                self._trainer = Trainer(self.spec)
            self._log.append(self._trainer.snapshot())
        trainer, every = self._trainer, self.spec.snapshot_every
        chunk, total = 1, self.spec.total_steps  # the first chunk compiles: one step
        first = trainer.step == 0  # its first chunk traces the training step (a resumed job's is compiled)
        lowered = False
        while trainer.step < total:
            # Learners' reruns go first: a chunk holds the GIL for much of its 0.15 s, the first one (tracing) for ~1 s.
            waited += seconds_waiting_for_quiet(FIRST_YIELD_S if first else YIELD_S)
            first = False
            if self._stop.is_set():
                return self._set(JobState.STOPPED, self._message)
            if not self.is_wanted():
                self._abandoned = True  # nobody will resume it
                return self._set(JobState.STOPPED, Message("Stopped: its page was closed."))
            if time.perf_counter() - started - waited > time_cap_s:
                return self._set(
                    JobState.STOPPED,
                    Message("Stopped at the {seconds} s time cap; Resume continues.", seconds=f"{time_cap_s:.0f}"),
                )
            n = min(chunk, every - trainer.step % every, total - trainer.step)
            t0 = time.perf_counter()
            with TRAINING.shared():
                losses = trainer.train(n)
            if not lowered:  # TensorFlow has started its compute threads by now: they train at the workers' priority
                lower_tensorflow_threads()
                lowered = True
            spent = time.perf_counter() - t0
            with self._lock:
                self._losses.extend(float(v) for v in losses)
                self._seconds += spent
            if not np.all(np.isfinite(losses)):
                return self._set(
                    JobState.FAILED,
                    Message(
                        "Training diverged at step {step} (the loss became NaN or infinite). Try a smaller learning rate.",
                        step=trainer.step,
                    ),
                )
            chunk = max(1, min(every, int(CHUNK_SECONDS * len(losses) / max(spent, 1e-6))))
            if trainer.step % every == 0 or trainer.step == total:
                self._log.append(trainer.snapshot())
        self._set(JobState.DONE)


class TrainingRefused(RuntimeError):
    """A job the pool will not take; the message says why, in the learner's terms."""


class PoolFull(TrainingRefused):
    """The queue is full: too many learners are waiting already."""


class JobTooLarge(TrainingRefused):
    """Training this model would take more memory than the server allows one job."""


class TrainingPool:
    """Bounded background workers for `TrainingJob`s, with a FIFO queue. One per server process."""

    def __init__(
        self,
        workers: int | None = None,
        *,
        max_queue: int = 64,
        time_cap_s: float = TIME_CAP_S,
        cache: RunCache | None = None,
        job_mb: float | None = None,
    ):
        budget = memory_budget()
        self.workers = workers or budget.training_workers
        self.job_mb = job_mb or budget.training_job_mb  # what one job may use (LSTM_EXPLORER_MEMORY_MB)
        self.max_queue = max_queue
        self.time_cap_s = time_cap_s
        self.cache = cache if cache is not None else RunCache()
        self._cond = threading.Condition()
        self._queue: list[TrainingJob] = []
        self._running: dict[TrainingJob, TrainingSpec] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, job: TrainingJob) -> None:
        """Queue ``job`` (or resume a stopped one); a finished run of its spec completes it at once.

        Raises:
            PoolFull: when `max_queue` jobs are waiting already.
            JobTooLarge: when training the model would need more memory than one job may use.
        """
        spec = job.spec
        needed = training_job_mb(spec.batch_size, spec.model.timesteps, spec.model.units, spec.parameters)
        if needed > self.job_mb:
            raise JobTooLarge(
                Message(
                    "training this model needs about {needed} MB and this server allows {allowed} MB per "
                    "training job: use fewer units or layers, fewer timesteps, or a smaller training batch.",
                    needed=f"{needed:.0f}",
                    allowed=f"{self.job_mb:.0f}",
                )
            )
        job._pool = self
        if job._trainer is None and (result := self.cache.get(job.spec)) is not None:
            job._finish_from(result)
            return
        with self._cond:
            if self._closed:
                raise PoolFull(Message("the server is shutting down"))
            if len(self._queue) >= self.max_queue:
                raise PoolFull(Message("{n} training jobs are waiting already; try again in a minute.", n=len(self._queue)))
            job._stop.clear()
            job._set(JobState.QUEUED)
            self._queue.append(job)
            while len(self._threads) < self.workers:
                thread = threading.Thread(target=self._work, name=f"training-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
            self._cond.notify_all()

    def position(self, job: TrainingJob) -> int | None:
        with self._cond:
            return self._queue.index(job) + 1 if job in self._queue else None

    def dequeue(self, job: TrainingJob, message: str | Message | None = None) -> None:
        with self._cond:
            if job in self._queue:
                self._queue.remove(job)
                job._set(JobState.STOPPED, message)

    @property
    def queued(self) -> int:
        with self._cond:
            return len(self._queue)

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._running)

    def _next_job(self) -> TrainingJob | None:
        """The first queued job whose spec nobody is training now (those wait for that run's result)."""
        busy = set(self._running.values())
        return next((job for job in self._queue if job.spec not in busy), None)

    def _work(self) -> None:
        lower_this_thread()  # training takes the CPU the pages leave (`explorer.os_priority`)
        while True:
            with self._cond:
                while not self._closed and (job := self._next_job()) is None:
                    self._cond.wait()
                if self._closed:
                    return
                self._queue.remove(job)
                if job._trainer is None and (result := self.cache.get(job.spec)) is not None:
                    job._finish_from(result)  # another job just trained this very spec
                    continue
                self._running[job] = job.spec
                job._set(JobState.RUNNING)
                job._in_worker = True
            try:
                job._train(self.time_cap_s)
            except Exception as exc:  # a job's failure is its own: reported on its page, the worker goes on
                job._set(JobState.FAILED, Message("Training failed: {error}", error=f"{type(exc).__name__}: {exc}"))
            finally:
                if job.progress().state is JobState.DONE:
                    self.cache.put(job.spec, job._result())
                with job._lock:
                    job._in_worker = False
                job._give_back()  # done, failed or abandoned: its compiled step, for the next job of the same shape
                with self._cond:
                    self._running.pop(job, None)
                    self._cond.notify_all()

    def shutdown(self, timeout: float = 30) -> None:
        """Stop every job, end the workers (tests and process exit)."""
        with self._cond:
            self._closed = True
            jobs = [*self._queue, *self._running]
            self._queue.clear()
            self._cond.notify_all()
        for job in jobs:
            job._stop.set()
        for thread in self._threads:
            thread.join(timeout)
