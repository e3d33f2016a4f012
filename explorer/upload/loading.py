"""Open an uploaded Keras file safely, or say plainly why not.

Keras 3 ``.keras`` files (a zip with ``config.json``) and legacy HDF5 ``.h5`` files, at most
`MAX_BYTES`, loaded with ``safe_mode=True`` (no ``Lambda`` code runs; only Keras's own layers
are known, so a custom layer is refused) from a private temporary file that is always removed.
Every failure becomes an `UploadError` whose message names what was found; nothing else escapes.
"""

from __future__ import annotations

import os
import re
import tempfile

from explorer.i18n import Message
from explorer.keras_lock import KERAS_LOCK

MAX_BYTES = 25 * 1024 * 1024  # .streamlit/config.toml's server.maxUploadSize matches (25 MB)
ZIP_MAGIC, HDF5_MAGIC = b"PK\x03\x04", b"\x89HDF\r\n\x1a\n"


class UploadError(ValueError):
    """A file the app will not open, with a message for the learner."""


def file_kind(data: bytes) -> str:
    """``"keras"`` (a zip: Keras 3's format) or ``"h5"`` (HDF5: Keras 2's), by the file's first bytes, not its name."""
    if data.startswith(ZIP_MAGIC):
        return "keras"
    if data.startswith(HDF5_MAGIC):
        return "h5"
    raise UploadError(
        Message(
            "This is not a Keras model file: a `.keras` file is a zip archive and an `.h5` file is HDF5, and this file "
            "starts like neither. Save your model with `model.save('my_model.keras')` and upload that file."
        )
    )


def _explain(err: Exception) -> Message:
    text = str(err)
    if "Lambda" in text or "safe_mode" in text:
        return Message(
            "Your model contains a `Lambda` layer: arbitrary Python code inside the file. Keras's safe mode refuses "
            "to run it, and so does this app. Replace the Lambda with a built-in layer to explore the model here."
        )
    unknown = re.search(r"[Cc]ould not (?:locate|deserialize) (?:class|function) '?([\w.]+)'?", text)
    if unknown or "custom" in text.lower():
        if unknown:
            return Message(
                "Your model uses `{name}`, a custom layer or function this app does not know (only Keras's own layers "
                "load, and no code from the file runs).",
                name=unknown.group(1),
            )
        return Message(
            "Your model uses a custom layer or function this app does not know (only Keras's own layers "
            "load, and no code from the file runs)."
        )
    if any(s in text for s in ("zip", "truncated", "EOF", "signature", "Unable to", "unable to", "corrupt", "bad")):
        return Message("The file is damaged or incomplete (it could not be read as a Keras model). Save it again and re-upload.")
    said = (text.splitlines()[0][:300] if text else type(err).__name__).replace("`", "'")
    return Message("Keras could not load this file. Keras said: `{keras}`", keras=said)


def load_uploaded_model(data: bytes):
    """A ``keras.Model`` from an uploaded file's bytes, or `UploadError` with the reason.

    Args:
        data: the file's contents.

    Returns:
        The model, loaded with ``safe_mode=True`` and ``compile=False`` (its optimizer is not needed).
    """
    if len(data) > MAX_BYTES:
        raise UploadError(
            Message(
                "The file is {size} MB; models up to {limit} MB open here.",
                size=f"{len(data) / 1e6:.1f}",
                limit=MAX_BYTES // (1024 * 1024),
            )
        )
    if not data:
        raise UploadError(Message("The file is empty."))
    kind = file_kind(data)
    from explorer._keras import keras

    handle, path = tempfile.mkstemp(prefix="lstm-explorer-upload-", suffix=f".{kind}")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        with KERAS_LOCK:
            try:
                return keras.saving.load_model(path, compile=False, safe_mode=True)
            except Exception as err:  # Keras raises many types for bad files; each becomes a plain message
                raise UploadError(_explain(err)) from err
    finally:
        os.remove(path)  # always: a private file, never left behind
