"""What the fenced loader hands back, as data only: a JSON header and the weights as ``.npz`` (never pickle).

The loader process parses untrusted files; whatever it returns is decoded here with ``json`` and
``numpy.load(allow_pickle=False)``, so not even a loader gone wrong could make the server run code.
A reply is an `UploadedModel` (a plain stack: its config, arrays and notes), a real model
(`explorer.realmodel.wire`: every LSTM in it, with the tensors that reached it) or a refusal's `Message`.
"""

from __future__ import annotations

import dataclasses
import io
import json
import struct

import numpy as np

from explorer.config import LSTMConfig
from explorer.i18n import Joined, Message
from explorer.upload.errors import UploadError
from explorer.upload.stack import UploadedModel

_HEADER = struct.Struct("<I")


def _plain(value):
    """A message's value as JSON: Messages and Joined texts kept as such, tuples as lists."""
    if isinstance(value, Message):
        return {"$msg": value.msgid, "values": {k: _plain(v) for k, v in value.values.items()}}
    if isinstance(value, Joined):
        return {"$joined": value.separator, "items": [_plain(v) for v in value.items]}
    if isinstance(value, tuple | list):
        return {"$tuple": [_plain(v) for v in value]}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _revive(value):
    if isinstance(value, dict):
        if "$msg" in value:
            return Message(str(value["$msg"]), **{str(k): _revive(v) for k, v in dict(value.get("values", {})).items()})
        if "$joined" in value:
            return Joined(str(value["$joined"]), [_revive(v) for v in value.get("items", [])])
        if "$tuple" in value:
            return tuple(_revive(v) for v in value["$tuple"])
    return value


def encode_uploaded(uploaded: UploadedModel) -> bytes:
    """An opened model as bytes: header (name, digest, config, notes) and its arrays in order."""
    header = {
        "ok": True,
        "name": uploaded.name,
        "digest": uploaded.digest,
        "cfg": {k: _plain(v) for k, v in dataclasses.asdict(uploaded.cfg).items()},
        "notes": [_plain(n) for n in uploaded.notes],
    }
    arrays = io.BytesIO()
    np.savez(arrays, *uploaded.arrays)
    text = json.dumps(header).encode()
    return _HEADER.pack(len(text)) + text + arrays.getvalue()


def encode_real(real) -> bytes:
    """A real model (`explorer.realmodel.structure.RealModel`) as bytes: its JSON header, then its named arrays."""
    from explorer.realmodel.wire import encode_arrays, header_and_arrays

    header, arrays = header_and_arrays(real, _plain)
    text = json.dumps({"ok": True, **header}).encode()
    return _HEADER.pack(len(text)) + text + encode_arrays(arrays)


def encode_refusal(message) -> bytes:
    """A refusal as bytes (``message``: a `Message`, or text)."""
    text = json.dumps({"ok": False, "message": _plain(message if isinstance(message, Message) else str(message))}).encode()
    return _HEADER.pack(len(text)) + text


def decode(reply: bytes):
    """The `UploadedModel` (or `RealModel`) of a reply, or the refusal raised as `UploadError` (its message revived)."""
    (n,) = _HEADER.unpack_from(reply)
    header = json.loads(reply[_HEADER.size : _HEADER.size + n])
    if not header.get("ok"):
        raise UploadError(_revive(header.get("message")))
    if header.get("kind") == "real":
        from explorer.realmodel.wire import real_model_from

        return real_model_from(header, reply[_HEADER.size + n :], _revive)
    cfg = LSTMConfig(**{k: _revive(v) for k, v in header["cfg"].items()})
    with np.load(io.BytesIO(reply[_HEADER.size + n :]), allow_pickle=False) as npz:
        arrays = tuple(np.asarray(npz[f"arr_{k}"], np.float32) for k in range(len(npz.files)))
    for a in arrays:
        a.setflags(write=False)  # shared by the caches of every session that shows it
    notes = tuple(_revive(n) for n in header.get("notes", []))
    return UploadedModel(str(header["name"]), str(header["digest"]), cfg, arrays, notes)
