"""An HDF5 weight file's headers, read without its data: every dataset's shape, and what must never be followed.

Both a Keras 2 ``.h5`` model and the ``model.weights.h5`` inside a ``.keras`` archive are HDF5. Opening
one reads only its headers; a dataset's data is read when Keras loads it. So before Keras does: every
link must be a plain link inside the file (an external link or an external or virtual dataset would make
HDF5 open other files on the server), every dataset's declared size counts against the weights' limit
(a 19 kB file can declare 2.5 GB that HDF5 would fill in on reading), and every attribute is small.

This runs in the fenced loader process, never in the server: the HDF5 library parses the file here.
"""

from __future__ import annotations

import io

from explorer.i18n import Message
from explorer.upload.errors import UploadError
from explorer.upload.limits import CONFIG_MAX_BYTES, WEIGHTS_MAX_BYTES, mb

NUMERIC_KINDS = "fiub"  # float, int, unsigned, bool: what weights, seeds and counters are


def _refuse_link(name: str, link) -> None:
    import h5py

    if isinstance(link, h5py.ExternalLink):
        raise UploadError(
            Message(
                "The HDF5 file links `{name}` to another file (`{target}`); the app never opens files a model points to.",
                name=name[:80],
                target=str(link.filename)[:80],
            )
        )
    if isinstance(link, h5py.SoftLink):
        raise UploadError(
            Message("The HDF5 file holds a link (`{name}`) where Keras writes data; the file is not opened.", name=name[:80])
        )


def _check_attributes(obj, name: str) -> None:
    for key in obj.attrs:
        try:
            size = obj.attrs.get_id(key).get_storage_size()
        except RuntimeError:  # HDF5 answers an empty attribute's size with an error
            size = 0
        if size > CONFIG_MAX_BYTES:
            raise UploadError(
                Message(
                    "The HDF5 file's attribute `{key}` of `{name}` is larger than {limit} MB; Keras writes small ones.",
                    key=str(key)[:40],
                    name=name[:80] or "/",
                    limit=mb(CONFIG_MAX_BYTES),
                )
            )


def dataset_shapes(data: bytes) -> tuple[dict[str, tuple[int, ...]], dict[str, str]]:
    """The float datasets' shapes by path, and the root's small string attributes, of an HDF5 file's bytes.

    Raises `UploadError` for a link to elsewhere, an external or virtual dataset, a dataset of an odd type, an
    attribute over `CONFIG_MAX_BYTES`, or datasets that together declare more than `WEIGHTS_MAX_BYTES`.

    Args:
        data: the HDF5 file.

    Returns:
        ``({"layers/lstm/cell/vars/0": (3, 32), …}, {"model_config": "{…}", "keras_version": "2.2.4", …})``.
    """
    import h5py

    try:
        f = h5py.File(io.BytesIO(data), "r")
    except (OSError, ValueError) as err:
        raise UploadError(
            Message("The file is damaged or incomplete (it could not be read as HDF5). Save it again and re-upload.")
        ) from err
    with f:
        links: list[tuple[str, object]] = []
        f.visititems_links(lambda name, link: links.append((name, link)))
        for name, link in links:
            _refuse_link(name, link)
        _check_attributes(f, "")
        shapes, declared = {}, 0
        for name, _link in links:
            obj = f[name]
            _check_attributes(obj, name)
            if not isinstance(obj, h5py.Dataset):
                continue
            if obj.is_virtual or obj.external:
                raise UploadError(
                    Message("The HDF5 dataset `{name}` keeps its data in other files; the file is not opened.", name=name[:80])
                )
            if obj.dtype.kind not in NUMERIC_KINDS:
                raise UploadError(
                    Message(
                        "The HDF5 dataset `{name}` is of type {dtype}, not numbers.", name=name[:80], dtype=str(obj.dtype)[:30]
                    )
                )
            size = obj.dtype.itemsize
            for d in obj.shape:
                size *= d
            declared += size
            if declared > WEIGHTS_MAX_BYTES:
                raise UploadError(
                    Message(
                        "The HDF5 file's datasets declare more than {limit} MB of weights (`{name}` alone has shape "
                        "{shape}), in a file of {size} MB. Nothing was read.",
                        limit=mb(WEIGHTS_MAX_BYTES),
                        name=name[:80],
                        shape=tuple(obj.shape),
                        size=mb(len(data)),
                    )
                )
            if obj.dtype.kind == "f":
                shapes[name] = tuple(int(d) for d in obj.shape)
        attrs = {}
        for key in ("model_config", "keras_version", "backend"):
            value = f.attrs.get(key)
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            if isinstance(value, str):
                attrs[key] = value
        return shapes, attrs
