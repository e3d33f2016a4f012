"""Streamlit's own store of uploaded files, kept small: at most `KEEP_PER_SESSION` files per live session.

Streamlit keeps every uploaded file's bytes in memory until the browser deletes it, and takes a file for a live
session without any rerun of its page (an HTTP PUT), so a script that uploads without deleting grows the server by
up to 40 MB a file (25 MB then): 1,404 uploads from three sessions took it from 0.8 to 1.9 GB (``bench_abuse --uploaders``).
A browser keeps one file per uploader; the page has two uploaders (a model, the data shaper's CSV), so a sweeper
thread keeps each session's newest two files and drops the files of sessions that have ended.

Uses Streamlit's in-memory file manager as pinned in requirements.txt (``file_storage`` and its lock); with
another manager it does nothing.
"""

from __future__ import annotations

import threading
import time

KEEP_PER_SESSION = 2  # the page's uploaders: the model file and the shaper's CSV
SWEEP_S = 0.25  # between sweeps; a sweep of a class's sessions takes microseconds

_STARTED = threading.Event()


def trim_uploads(manager, is_active, keep: int = KEEP_PER_SESSION) -> int:
    """Drop every session's files but its newest ``keep``, and all files of sessions ``is_active`` denies.

    Args:
        manager: Streamlit's ``MemoryUploadedFileManager``.
        is_active: ``session_id → bool``.
        keep: files kept per live session.

    Returns:
        How many files were dropped.
    """
    storage, lock = getattr(manager, "file_storage", None), getattr(manager, "_lock", None)
    if storage is None or lock is None:
        return 0
    with lock:
        sessions = {session: list(files) for session, files in storage.items()}  # files in upload order
    dropped = 0
    for session, file_ids in sessions.items():
        if not is_active(session):
            manager.remove_session_files(session)
            dropped += len(file_ids)
            continue
        for file_id in file_ids[: max(len(file_ids) - keep, 0)]:
            manager.remove_file(session, file_id)
            dropped += 1
    return dropped


def start_upload_sweeper() -> None:
    """Start the sweeper once per server process (a daemon thread); without a running server, do nothing."""
    from streamlit.runtime import Runtime

    if _STARTED.is_set() or not Runtime.exists():
        return
    _STARTED.set()
    runtime = Runtime.instance()

    def sweep() -> None:
        while True:
            time.sleep(SWEEP_S)
            try:
                trim_uploads(runtime.uploaded_file_mgr, runtime.is_active_session)
            except Exception:  # a changed Streamlit internal must not end the thread's loop with a traceback
                time.sleep(5)

    threading.Thread(target=sweep, daemon=True, name="upload-sweeper").start()
