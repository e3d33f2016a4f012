"""The fenced loader process: reads an uploaded file, builds it with Keras, and answers with data only.

Started by `explorer.upload.fence` as ``python -m explorer.upload.fence_worker``. It imports Keras once
(a warm worker answers in tens of ms), then caps its own address space (``RLIMIT_AS``: what it has after a
first load, plus ``LSTM_EXPLORER_FENCE_MB``) and the size of any file it writes (``RLIMIT_FSIZE``), and
serves requests one at a time on stdin / stdout: a request is the file's name and bytes, a reply is
`explorer.upload.wire`'s encoding. If a file still makes it allocate past its cap, Keras fails with an
out-of-memory error, or the process dies; either way the server only sees a refusal.
"""

from __future__ import annotations

import gc
import os
import resource
import select
import shutil
import signal
import struct
import sys

FRAME = struct.Struct("<Q")
READY = b"ready"
CLEAN_AFTER_S = 1.0  # idle this long after a reply, the worker forgets the last model (a full collection: ~0.3 s)
FSIZE_LIMIT = 64 * 2**20  # the upload's private copy is at most 40 MB; Keras extracting more is refused


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> bytes | None:
    """One length-prefixed frame from a file descriptor, or ``None`` at the end of the stream."""
    head = _read_exactly(fd, FRAME.size)
    if head is None:
        return None
    return _read_exactly(fd, FRAME.unpack(head)[0])


def write_frame(stream, body: bytes) -> None:
    stream.write(FRAME.pack(len(body)) + body)
    stream.flush()


def vm_size_bytes() -> int:
    """This process's address space now (``VmSize``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def cap_memory(extra_mb: int) -> int:
    """Cap the address space at what it is now plus ``extra_mb``; returns the cap in bytes."""
    cap = vm_size_bytes() + extra_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the file cap fails (EFBIG) instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, FSIZE_LIMIT))
    return cap


class TooManyParameters(MemoryError):
    """A variable Keras was about to allocate would take the load past the parameter limit."""


_ALLOCATED = [0]  # parameters of the variables made during the current load


def guard_variables(limit: int) -> None:
    """Check every Keras variable's shape before it is allocated, whatever layer asks for it.

    The checks before Keras size the layers they know; this sizes all the others (an ``EinsumDense`` declaring a
    billion weights) at the moment Keras asks, instead of letting the allocator fail (TensorFlow retries a failed
    allocation for ~10 s before it gives up).
    """
    from keras.src.backend.common.variables import Variable

    validate = Variable._validate_shape

    def checked(self, shape):
        shape = validate(self, shape)
        n = 1
        for d in shape:
            n *= int(d)
        _ALLOCATED[0] += n
        if _ALLOCATED[0] > limit:
            raise TooManyParameters(f"declared variables exceed {limit} parameters (memory limit)")
        return shape

    Variable._validate_shape = checked


def handle(request: bytes) -> bytes:
    """Open one upload: ``request`` is ``name length (2 bytes) | name | file bytes``."""
    from explorer.i18n import Message
    from explorer.upload.errors import UploadError
    from explorer.upload.loading import load_uploaded_model
    from explorer.upload.stack import read_stack
    from explorer.upload.wire import encode_real, encode_refusal, encode_uploaded

    n = int.from_bytes(request[:2], "little")
    name, data = request[2 : 2 + n].decode("utf-8", "replace"), request[2 + n :]
    _ALLOCATED[0] = 0
    try:
        model = load_uploaded_model(data)
        try:
            return encode_uploaded(read_stack(model, name=name, data=data))
        except UploadError:  # not a plain stack: every LSTM inside the real model, or why not
            from explorer.realmodel.reading import read_real_model

            return encode_real(read_real_model(model, name=name, data=data))
    except UploadError as err:
        return encode_refusal(err.args[0] if err.args else str(err))
    except MemoryError:
        return encode_refusal(Message("Building this model needs more memory than the loader may use, so it is not opened."))
    except Exception as err:  # a bug of ours, or a file Keras chokes on: a message, never a traceback
        return encode_refusal(Message("The file could not be opened ({error}).", error=type(err).__name__))


def clean_up() -> None:
    """Forget the last loads' models: Keras's session and a full collection (~0.3 s with TensorFlow loaded)."""
    from explorer._keras import keras

    keras.backend.clear_session()
    gc.collect()


def warm_up() -> None:
    """Import Keras and run one small model, so the cap is set after TensorFlow's threads and pools exist."""
    import numpy as np

    from explorer._keras import keras

    model = keras.Sequential([keras.Input((2, 1)), keras.layers.LSTM(1)])
    model(np.zeros((1, 2, 1), np.float32))
    keras.backend.clear_session()
    gc.collect()


def main() -> None:
    replies = os.fdopen(os.dup(1), "wb")  # the protocol's own channel; stray prints go to stderr
    os.dup2(2, 1)
    requests = sys.stdin.fileno()
    from explorer.upload.limits import parameter_limit

    warm_up()
    guard_variables(parameter_limit())
    cap_memory(int(os.environ.get("LSTM_EXPLORER_FENCE_MB", "1024")))
    write_frame(replies, READY)
    dirty = False
    while True:
        if dirty and not select.select([requests], [], [], CLEAN_AFTER_S)[0]:
            clean_up()  # idle: now the collection costs no one a wait
            dirty = False
        request = read_frame(requests)
        if request is None:
            break
        write_frame(replies, handle(request))
        dirty = True
    # The server closed the pipe (it stopped, or retired this worker): leave no uploads' copies behind.
    shutil.rmtree(os.environ.get("LSTM_EXPLORER_FENCE_TMP", ""), ignore_errors=True)


if __name__ == "__main__":
    main()
