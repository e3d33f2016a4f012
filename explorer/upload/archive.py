"""A ``.keras`` archive's directory, judged before any member is inflated.

Keras 3 writes three members, uncompressed: ``metadata.json``, ``config.json`` and ``model.weights.h5`` (or
``.npz``). Only the zip's central directory is read here (the declared sizes, the method, the names); the
small ``config.json`` is then read through `zipfile`, which never yields more than the declared size, so a
member that lies about its size fails its CRC check instead of filling memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from explorer.i18n import Message
from explorer.upload.errors import UploadError
from explorer.upload.limits import (
    CONFIG_MAX_BYTES,
    MAX_EXPANSION,
    METADATA_MAX_BYTES,
    SMALL_MEMBER,
    WEIGHTS_MAX_BYTES,
    mb,
)

CONFIG, METADATA, WEIGHTS_H5, WEIGHTS_NPZ = "config.json", "metadata.json", "model.weights.h5", "model.weights.npz"
MEMBER_LIMITS = {
    CONFIG: CONFIG_MAX_BYTES,
    METADATA: METADATA_MAX_BYTES,
    WEIGHTS_H5: WEIGHTS_MAX_BYTES,
    WEIGHTS_NPZ: WEIGHTS_MAX_BYTES,
}
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Keras or a re-zipping tool writes; bzip2 and lzma are refused


@dataclass(frozen=True)
class ArchiveContents:
    """What a checked archive holds.

    Attributes:
        config_text: ``config.json``, decoded (at most `CONFIG_MAX_BYTES`).
        weights_member: ``"model.weights.h5"`` or ``"model.weights.npz"``.
        weights_bytes: that member's declared uncompressed size.
    """

    config_text: str
    weights_member: str
    weights_bytes: int


def _honest(data: bytes, member: zipfile.ZipInfo) -> bool:
    """Whether the member's stored stream unpacks to exactly its declared size (inflating at most one byte more).

    `zipfile` trusts the directory: reading a member inflates its whole stream and then cuts it to the declared
    size, so a member that declares 2 kB over a stream of 300 MB would cost 300 MB in whoever reads it.
    """
    start = member.header_offset
    header = data[start : start + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return False
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    raw = data[start + 30 + name_len + extra_len :][: member.compress_size]
    if len(raw) != member.compress_size:
        return False
    if member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size == member.file_size
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(raw, member.file_size + 1)
    except zlib.error:
        return False
    return len(out) == member.file_size and inflater.eof


def check_archive(data: bytes) -> ArchiveContents:
    """Read a ``.keras`` file's directory and ``config.json``, or raise `UploadError` naming the member at fault.

    Args:
        data: the whole uploaded file (a zip).

    Returns:
        The config's text and which weights member the archive holds.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as err:
        raise UploadError(
            Message("The file is damaged or incomplete (its zip directory could not be read). Save it again and re-upload.")
        ) from err
    names = [m.filename for m in members]
    if len(names) != len(set(names)):
        raise UploadError(Message("The archive names a member twice; a `.keras` file made by Keras never does."))
    for member in members:
        limit = MEMBER_LIMITS.get(member.filename)
        if limit is None:
            raise UploadError(
                Message(
                    "The archive holds `{member}`, which is not part of a Keras model file (a `.keras` file holds "
                    "`config.json`, `metadata.json` and `model.weights.h5`). Save the model with `model.save(…)` and "
                    "upload that file.",
                    member=member.filename[:80],
                )
            )
        if member.flag_bits & 0x1:
            raise UploadError(Message("The archive's member `{member}` is encrypted.", member=member.filename))
        if member.compress_type not in METHODS:
            raise UploadError(
                Message("The archive's member `{member}` is compressed in a way Keras never writes.", member=member.filename)
            )
        if member.file_size > limit:
            raise UploadError(
                Message(
                    "The archive's `{member}` would unpack to {size} MB; a model file's `{member}` may hold at most "
                    "{limit} MB. Nothing was unpacked.",
                    member=member.filename,
                    size=mb(member.file_size),
                    limit=mb(limit),
                )
            )
        if member.file_size > SMALL_MEMBER and member.file_size > MAX_EXPANSION * max(member.compress_size, 1):
            raise UploadError(
                Message(
                    "The archive's `{member}` is compressed {ratio}-fold ({stored} kB stored, {size} MB unpacked); no "
                    "real model compresses like that (a zip bomb does). Nothing was unpacked.",
                    member=member.filename,
                    ratio=f"{member.file_size // max(member.compress_size, 1):,}",
                    stored=f"{member.compress_size / 1e3:,.1f}",
                    size=mb(member.file_size),
                )
            )
    for member in members:  # only now, with every declared size known to be small: the streams themselves
        if not _honest(data, member):
            raise UploadError(
                Message(
                    "The archive's `{member}` does not unpack to the size its directory declares (a zip bomb's trick, or "
                    "a damaged file). Nothing was unpacked.",
                    member=member.filename,
                )
            )
    if CONFIG not in names:
        raise UploadError(Message("The archive has no `config.json`, so it is not a Keras 3 model file."))
    weights = [name for name in (WEIGHTS_H5, WEIGHTS_NPZ) if name in names]
    if len(weights) != 1:
        raise UploadError(
            Message("The archive should hold one weights file (`model.weights.h5`); this one holds {n}.", n=len(weights))
        )
    try:
        raw = archive.read(CONFIG)  # its stream unpacks to its declared size (checked above)
        text = raw.decode("utf-8")
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as err:  # a lying size fails its CRC; zlib errors
        raise UploadError(
            Message("The file is damaged or incomplete (its `config.json` could not be unpacked). Save it again and re-upload.")
        ) from err
    return ArchiveContents(text, weights[0], archive.getinfo(weights[0]).file_size)
