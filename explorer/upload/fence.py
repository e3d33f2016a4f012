"""Open an untrusted model file in a separate, capped process, so that no file can take the server down.

`FencedLoader` keeps one warm worker process (`explorer.upload.fence_worker`), started at the first
upload and retired after `IDLE_S` without one. Each load runs there under a memory cap and a time cap
(`TIME_LIMIT_S`); the server waits for the reply on a background thread, never on a page's script
thread, and gets back only a config and arrays (`explorer.upload.wire`). A worker that runs over its
time is killed, a worker that dies is replaced, and its private temporary folder is removed either way.

`submit` queues a load on the server's one loader: at most `MAX_WAITING` files wait at once, so fifty
files uploaded together get a "busy" answer at once instead of a queue minutes long.
"""

from __future__ import annotations

import atexit
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from explorer.i18n import Message
from explorer.upload.errors import UploadError
from explorer.upload.fence_worker import FRAME, READY
from explorer.upload.stack import UploadedModel
from explorer.upload.wire import decode

ROOT = Path(__file__).resolve().parents[2]
TIME_LIMIT_S = float(os.environ.get("LSTM_EXPLORER_FENCE_SECONDS", "20"))  # one load; a real model takes 0.05–2 s
START_LIMIT_S = 90.0  # the worker's start: importing TensorFlow takes ~3 s, longer on a busy server
IDLE_S = 600.0  # a worker unused this long exits (it holds ~225 MB of its own)
MAX_WAITING = 4  # files waiting for the loader at once; more are told the server is busy
LOADS_PER_WORKER = 100  # then a fresh worker: whatever a load left behind goes with the old one


class FencedLoader:
    """One worker process at a time, used by one thread at a time (`submit` serialises the calls)."""

    def __init__(self, *, time_limit_s: float = TIME_LIMIT_S, memory_mb: int | None = None):
        self.time_limit_s = time_limit_s
        self.memory_mb = memory_mb
        self._proc: subprocess.Popen | None = None
        self._tmp: str | None = None
        self._loads = 0
        self._lock = threading.Lock()
        self.started = 0  # workers started, for tests and benchmarks
        self.last_used = time.monotonic()

    @property
    def pid(self) -> int | None:
        """The worker's process id while one runs."""
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def _start(self) -> None:
        self._tmp = tempfile.mkdtemp(prefix="lstm-explorer-fence-")
        env = {
            **os.environ,
            "TMPDIR": self._tmp,  # the worker's copies of uploads; removed with the worker
            "LSTM_EXPLORER_FENCE_TMP": self._tmp,
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        if self.memory_mb:
            env["LSTM_EXPLORER_FENCE_MB"] = str(self.memory_mb)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "explorer.upload.fence_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=self._tmp, env=env,
        )  # fmt: skip
        self.started += 1
        self._loads = 0
        if self._read(START_LIMIT_S) != READY:
            self.stop()
            raise UploadError(Message("The model loader could not start; try again in a moment."))

    def _read(self, seconds: float) -> bytes | None:
        """One reply frame within ``seconds``, or ``None`` (time out, or the worker ended)."""
        deadline = time.monotonic() + seconds
        out = self._proc.stdout
        chunks, need, header = [], FRAME.size, None
        fd = out.fileno()
        while need:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, min(need, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            need -= len(chunk)
            if need == 0 and header is None:
                header = b"".join(chunks)
                (need,) = FRAME.unpack(header)
                chunks = []
        return b"".join(chunks)

    def stop(self) -> None:
        """End the worker (killed if it does not exit) and remove its temporary folder."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream:
                    stream.close()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def load(self, data: bytes, name: str) -> UploadedModel:
        """The opened model, or `UploadError`: refused by the checks, by Keras, or stopped by a cap."""
        with self._lock:
            self.last_used = time.monotonic()
            try:
                return self._load(data, name)
            finally:
                self.last_used = time.monotonic()

    def _load(self, data: bytes, name: str) -> UploadedModel:
        if self._proc is None or self._proc.poll() is not None or self._loads >= LOADS_PER_WORKER:
            self.stop()
            self._start()
        self._loads += 1
        encoded = name.encode("utf-8")[:500]
        request = len(encoded).to_bytes(2, "little") + encoded + data
        try:
            self._proc.stdin.write(FRAME.pack(len(request)) + request)
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.stop()
            raise UploadError(Message("The model loader stopped; try again.")) from None
        reply = self._read(self.time_limit_s)
        if reply is None:
            ended = self._proc.poll() is not None
            self.stop()
            if ended:
                raise UploadError(
                    Message(
                        "Opening this file stopped the loader (it needed more memory than the loader may use, or the "
                        "file broke a reader). The server is fine; nothing was opened."
                    )
                )
            raise UploadError(
                Message("Opening this file took longer than {seconds} s, so it was stopped.", seconds=f"{self.time_limit_s:.0f}")
            )
        return decode(reply)

    def retire_if_idle(self, idle_s: float = IDLE_S) -> bool:
        """Stop the worker when unused for ``idle_s``; returns whether it did."""
        if self._proc is None or time.monotonic() - self.last_used < idle_s or not self._lock.acquire(blocking=False):
            return False
        try:
            self.stop()
            return True
        finally:
            self._lock.release()


class LoaderQueue:
    """The server's loader behind a short queue: `submit` answers with a future, or at once when too many wait."""

    def __init__(self, loader: FencedLoader | None = None, max_waiting: int = MAX_WAITING):
        self.loader = loader or FencedLoader()
        self.max_waiting = max_waiting
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="upload-fence")
        self._waiting = 0
        self._count = threading.Lock()
        self._reaper = threading.Thread(target=self._reap, daemon=True, name="upload-fence-idle")
        self._reaper.start()
        atexit.register(self.loader.stop)

    def _reap(self) -> None:
        while True:
            time.sleep(min(IDLE_S / 4, 30))
            self.loader.retire_if_idle()

    def submit(self, data: bytes, name: str) -> Future:
        """A future of the `UploadedModel` (its exception an `UploadError`); `UploadError` now when the queue is full."""
        with self._count:
            if self._waiting >= self.max_waiting:
                raise UploadError(
                    Message(
                        "The server is opening {n} other files right now; upload yours again in a few seconds.",
                        n=self._waiting,
                    )
                )
            self._waiting += 1

        def run() -> UploadedModel:
            try:
                return self.loader.load(data, name)
            finally:
                with self._count:
                    self._waiting -= 1

        return self._executor.submit(run)

    @property
    def waiting(self) -> int:
        """Files queued or being opened now."""
        with self._count:
            return self._waiting


_QUEUE: LoaderQueue | None = None
_QUEUE_LOCK = threading.Lock()


def loader_queue() -> LoaderQueue:
    """The process's one `LoaderQueue` (its worker starts at the first upload)."""
    global _QUEUE
    with _QUEUE_LOCK:
        if _QUEUE is None:
            _QUEUE = LoaderQueue()
        return _QUEUE


def open_upload(data: bytes, name: str, timeout: float | None = None) -> UploadedModel:
    """Check ``data`` in this process, then open it in the fence, waiting for the answer (for notebooks and tests).

    Raises:
        UploadError: with the message that names what was refused.
    """
    from explorer.upload.loading import precheck_upload

    precheck_upload(data)
    return loader_queue().submit(data, name).result(timeout)
