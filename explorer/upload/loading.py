"""Open an uploaded Keras file safely, or say plainly why not.

Two stages, each refusing with an `UploadError` whose message names what was found:

1. `precheck_upload`, in the server, pure Python, before anything is inflated: the size, the kind (by the
   first bytes), a ``.keras`` archive's directory (`explorer.upload.archive`), its ``config.json`` (bounded
   and measured before parsing) and the weights the config declares against the parameter limit.
2. `load_uploaded_model`, meant for the fenced loader process (`explorer.upload.fence`): the same, then the
   HDF5 headers (`explorer.upload.hdf5`: no links to other files, datasets' declared sizes), the config
   matched against the weight file's own shapes (`explorer.upload.matching`), and only then Keras, with
   ``safe_mode=True`` (no ``Lambda`` code runs; only Keras's own layers are known, so a custom layer is refused),
   from a private temporary file that is always removed.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile

from explorer.i18n import Message
from explorer.keras_lock import KERAS_LOCK
from explorer.upload.archive import WEIGHTS_H5, check_archive
from explorer.upload.config_json import declared_layers, parse_config
from explorer.upload.declared import check_declared
from explorer.upload.errors import UploadError
from explorer.upload.limits import MAX_BYTES, mb
from explorer.upload.matching import match_keras3, match_legacy
from explorer.upload.old_keras import translated_h5

__all__ = ["MAX_BYTES", "UploadError", "file_kind", "load_uploaded_model", "precheck_upload"]
ZIP_MAGIC, HDF5_MAGIC = b"PK\x03\x04", b"\x89HDF\r\n\x1a\n"


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


def precheck_upload(data: bytes) -> str:
    """The file's kind if nothing it declares is too large, else `UploadError`. Pure Python, safe in the server.

    Reads only the zip's directory and ``config.json`` (at most 1 MB); an HDF5 file's headers are read by
    `load_uploaded_model` in the fenced process.
    """
    _check_size(data)
    return _checked(data)[0]


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise UploadError(
            Message(
                "The file is {size} MB; models up to {limit} MB open here. A trained model saved with its optimizer holds "
                "two more copies of every weight (Adam's moments); without them it is a third of the size: "
                "`keras.saving.load_model(path, compile=False).save('small.keras')` (an `.h5`: "
                "`model.save('small.h5', include_optimizer=False)`).",
                size=mb(len(data)),
                limit=MAX_BYTES // 2**20,
            )
        )
    if not data:
        raise UploadError(Message("The file is empty."))


def _checked(data: bytes):
    """``(kind, archive contents, declared model)``: the server's checks, once (``None``s for an HDF5 file)."""
    kind = file_kind(data)
    if kind != "keras":
        return kind, None, None
    contents = check_archive(data)
    return kind, contents, check_declared(parse_config(contents.config_text))


def inspect_weights(data: bytes, kind: str, contents=None, declared=None) -> None:
    """The HDF5 headers and the config matched against them (`UploadError` otherwise); reads no weight data.

    ``contents``, ``declared``: a ``.keras`` file's checked archive and declared model, when already at hand.
    """
    from explorer.upload.hdf5 import dataset_shapes

    if kind == "keras":
        if contents is None or declared is None:
            kind, contents, declared = _checked(data)
        if contents.weights_member != WEIGHTS_H5:
            return  # an .npz weights member: numpy reads its headers lazily, and Keras matches them
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            weights = archive.read(WEIGHTS_H5)  # at most its declared size, checked by check_archive
        shapes, _attrs = dataset_shapes(weights)
        match_keras3(declared.weights, bool(declared.unknown), shapes)
        return
    shapes, attrs = dataset_shapes(data)
    if "model_config" not in attrs:
        raise UploadError(
            Message("This HDF5 file holds no model config (it may hold weights only): save the whole model with `model.save(…)`.")
        )
    config = parse_config(attrs["model_config"])
    declared_layers(config)  # the layer count and the declared input sizes
    match_legacy(config, shapes)


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
    if isinstance(err, MemoryError) or "OOM" in text or "memory" in text.lower():
        return Message("Building this model needs more memory than the loader may use, so it is not opened.")
    if any(s in text for s in ("zip", "truncated", "EOF", "signature", "Unable to", "unable to", "corrupt", "bad")):
        return Message("The file is damaged or incomplete (it could not be read as a Keras model). Save it again and re-upload.")
    said = (text.splitlines()[0][:300] if text else type(err).__name__).replace("`", "'")
    return Message("Keras could not load this file. Keras said: `{keras}`", keras=said)


def load_uploaded_model(data: bytes):
    """A ``keras.Model`` from an uploaded file's bytes, or `UploadError` with the reason.

    Meant for the fenced loader process: HDF5 is parsed and Keras builds the model here.

    Args:
        data: the file's contents.

    Returns:
        The model, loaded with ``safe_mode=True`` and ``compile=False`` (its optimizer is not needed).
    """
    _check_size(data)
    kind, contents, declared = _checked(data)  # the archive and config checked once …
    inspect_weights(data, kind, contents, declared)  # … then the HDF5 headers
    from explorer._keras import keras

    handle, path = tempfile.mkstemp(prefix="lstm-explorer-upload-", suffix=f".{kind}")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        if kind == "h5":
            translated_h5(path)  # a Keras 2 file's config, in the terms Keras 3 reads
        with KERAS_LOCK:
            try:
                return keras.saving.load_model(path, compile=False, safe_mode=True)
            except Exception as err:  # Keras raises many types for bad files; each becomes a plain message
                raise UploadError(_explain(err)) from err
    finally:
        os.remove(path)  # always: a private file, never left behind
