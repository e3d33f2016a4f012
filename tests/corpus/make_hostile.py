"""Write the hostile upload corpus: files made to hurt the server, each with the words its refusal must contain.

Generated, not committed (the zip bomb inflates to 1.5 GB): ``write_hostile(folder)`` writes every file and
returns ``{file name: expected words}``; ``python tests/corpus/make_hostile.py DIR`` writes them for a look.
Each file is what a careless or hostile learner could upload: a decompression bomb, a config that declares
layers far larger than its weights, a 2,000-layer or deeply nested config, HDF5 files that declare a huge
dataset, link to another file or keep their data elsewhere.
"""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = Path(__file__).resolve().parent

BOMB_BYTES = 1_500_000_000  # config.json's true size in the bomb (1.5 GB of spaces, ~1.5 MB deflated)


def _small_model_file(tmp: Path, units: int = 4, shape=(6, 3)) -> bytes:
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=shape), keras.layers.LSTM(units)])
    path = tmp / f"_small_{units}.keras"
    model.save(path)
    data = path.read_bytes()
    path.unlink()
    return data


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _zip(members: dict[str, bytes], method=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buf.getvalue()


def _with_config(data: bytes, edit) -> bytes:
    members = _members(data)
    config = json.loads(members["config.json"])
    members["config.json"] = json.dumps(edit(config)).encode()
    return _zip(members)


def _lstm_units(units: int):
    def edit(config):
        for layer in config["config"]["layers"]:
            if layer["class_name"] == "LSTM":
                layer["config"]["units"] = units
        return config

    return edit


def _many_layers(n: int):
    def edit(config):
        layers = config["config"]["layers"]
        lstm = next(layer for layer in layers if layer["class_name"] == "LSTM")
        stack = [  # Keras fills in every argument left out: ~110 bytes a layer, 2,000 layers in ~0.2 MB
            {"module": "keras.layers", "class_name": "LSTM", "config": {"units": 4, "return_sequences": k < n - 1},
             "build_config": {"input_shape": [None, 6, 3 if k == 0 else 4]}}
            for k in range(n)
        ]  # fmt: skip
        del lstm
        config["config"]["layers"] = [layers[0], *stack]
        return config

    return edit


def _huge_input(config):
    t, f = 10**7, 10**6
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "InputLayer":
            layer["config"]["batch_shape"] = [None, t, f]
        else:
            layer["build_config"] = {"input_shape": [None, t, f]}
    config["build_config"] = {"input_shape": [None, t, f]}
    return config


def _bomb(path: Path, small: bytes) -> None:
    members = _members(small)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("metadata.json", members["metadata.json"])
        with z.open("config.json", "w") as f:
            f.write(b'{"class_name": "Sequential", "config": {"layers": []}, "pad": "')
            chunk, left = b" " * (1 << 24), BOMB_BYTES
            while left > 0:
                f.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
            f.write(b'"}')
        z.writestr("model.weights.h5", members["model.weights.h5"])


def _lying_size(small: bytes) -> bytes:
    """config.json declares 2 kB in the zip's directory but its deflate stream inflates to 300 MB."""
    import zlib

    members = _members(small)
    true = members["config.json"] + b" " * 300_000_000
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = packer.compress(true) + packer.flush()
    honest = io.BytesIO()
    with zipfile.ZipFile(honest, "w") as z:
        info = zipfile.ZipInfo("config.json")
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, members["config.json"])  # the small truth, replaced below by the big stream
        z.writestr("metadata.json", members["metadata.json"])
        z.writestr("model.weights.h5", members["model.weights.h5"])
    # Rebuild by hand: the local header and directory keep the small sizes, the data is the big stream.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(honest.getvalue())) as z:
        infos = z.infolist()
    with zipfile.ZipFile(out, "w") as z:
        for info in infos:
            if info.filename == "config.json":
                continue
            with zipfile.ZipFile(io.BytesIO(honest.getvalue())) as src:
                z.writestr(info, src.read(info.filename))
    body = out.getvalue()
    small_config = members["config.json"]
    crc = zlib.crc32(small_config)
    name = b"config.json"
    import struct

    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(stream), len(small_config), len(name), 0) + name
    central = (
        struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(stream), len(small_config), len(name), 0, 0, 0, 0, 0, 0
        )
        + name
    )
    # Put our member first: shift the other members' offsets in their directory records.
    shift = len(local) + len(stream)
    eocd_at = body.rfind(b"PK\x05\x06")
    count, cd_size, cd_offset = struct.unpack("<HLL", body[eocd_at + 10 : eocd_at + 20])
    records, pos, fixed = body[cd_offset : cd_offset + cd_size], 0, b""
    while pos < len(records):
        n, m, k = struct.unpack("<3H", records[pos + 28 : pos + 34])
        size = 46 + n + m + k
        rec = bytearray(records[pos : pos + size])
        (offset,) = struct.unpack("<L", rec[42:46])
        rec[42:46] = struct.pack("<L", offset + shift)
        fixed += bytes(rec)
        pos += size
    files = body[:cd_offset]
    new_cd = central + fixed
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count + 1, count + 1, len(new_cd), shift + len(files), 0)
    return local + stream + files + new_cd + eocd


def _legacy(tmp: Path, units: int = 4) -> Path:
    import keras

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(5, 2)), keras.layers.LSTM(units), keras.layers.Dense(1)])
    path = tmp / f"_legacy_{units}.h5"
    model.save(path)
    return path


def _unsized_layer(tmp: Path) -> bytes:
    """A layer whose weights the checks do not size (``EinsumDense``) declaring 1.2 billion of them: only the
    loader's memory cap stands in its way. The LSTM after it keeps its true build shape, so its weights match."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((6, 3)), keras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 8)), keras.layers.LSTM(4)]
    )
    path = tmp / "_einsum.keras"
    model.save(path)
    data = path.read_bytes()
    path.unlink()

    def edit(config):
        config["config"]["layers"][1]["config"]["output_shape"] = [None, 400_000_000]
        return config

    return _with_config(data, edit)


def write_bomb(folder: Path) -> Path:
    """Only the config bomb (for the browser test): ``folder / "config_bomb.keras"``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config_bomb.keras"
    _bomb(path, _small_model_file(folder))
    return path


def write_hostile(folder: Path) -> dict[str, str]:
    """Write the hostile corpus into ``folder``; returns each file's name and words its refusal must contain."""
    import h5py
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    small = _small_model_file(folder)
    expect: dict[str, str] = {}

    def put(name: str, data: bytes, says: str) -> None:
        (folder / name).write_bytes(data)
        expect[name] = says

    write_bomb(folder)
    expect["config_bomb.keras"] = "`config.json` would unpack to 1,430.5 MB"
    put("lstm_12000.keras", _with_config(small, _lstm_units(12000)), "576,192,000 parameters")
    put("lstm_200000.keras", _with_config(small, _lstm_units(200000)), "160,003,200,000 parameters")
    put("mismatched_shapes.keras", _with_config(small, _lstm_units(8)), "do not belong together")
    put("layers_2000.keras", _with_config(small, _many_layers(2000)), "more than 100 layers")
    put("huge_input.keras", _with_config(small, _huge_input), "an input of shape (None, 10000000, 1000000)")
    deep = _members(small)
    deep["config.json"] = b"[" * 200_000 + b"]" * 200_000
    put("deep_nesting.keras", _zip(deep), "nests 200,000 levels deep")
    members = _members(small)
    eight = {**members, **{f"assets/chunk_{k}.bin": b"" for k in range(8)}}
    with zipfile.ZipFile(folder / "eight_members.keras", "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, body in eight.items():
            if name.startswith("assets/"):
                with z.open(name, "w") as f:
                    for _ in range(255):
                        f.write(bytes(1 << 20))
            else:
                z.writestr(name, body)
    expect["eight_members.keras"] = "`assets/chunk_0.bin`, which is not part of a Keras model file"
    put("lying_size.keras", _lying_size(small), "does not unpack to the size its directory declares")
    put("bzip2.keras", _zip(_members(small), zipfile.ZIP_BZIP2), "compressed in a way Keras never writes")
    big = _members(small)
    big["config.json"] = big["config.json"][:-1] + b', "pad": "' + b"x" * 1_200_000 + b'"}'
    put("config_over_limit.keras", _zip(big), "may hold at most 1.0 MB")

    put("unsized_layer.keras", _unsized_layer(folder), "more memory than the loader may use")

    legacy = _legacy(folder)
    huge = folder / "huge_dataset.h5"
    huge.write_bytes(legacy.read_bytes())
    with h5py.File(huge, "a") as f:
        f["model_weights"].create_dataset("giant", shape=(25_000, 25_000), dtype="f4", chunks=(1000, 1000), compression="gzip")
    expect["huge_dataset.h5"] = "declare more than 40.0 MB of weights"  # the upload limit (explorer/upload/limits.py)
    linked = folder / "external_link.h5"
    linked.write_bytes(legacy.read_bytes())
    with h5py.File(linked, "a") as f:
        f["model_weights/secret"] = h5py.ExternalLink("/etc/passwd", "/")
    expect["external_link.h5"] = "to another file (`/etc/passwd`)"
    virtual = folder / "virtual_dataset.h5"
    virtual.write_bytes(legacy.read_bytes())
    with h5py.File(virtual, "a") as f:
        layout = h5py.VirtualLayout(shape=(4,), dtype="f4")
        layout[:] = h5py.VirtualSource("/etc/hostname", "data", shape=(4,))
        f["model_weights"].create_virtual_dataset("elsewhere", layout, fillvalue=0)
    expect["virtual_dataset.h5"] = "keeps its data in other files"
    lying_h5 = folder / "lstm_12000.h5"
    lying_h5.write_bytes(legacy.read_bytes())
    with h5py.File(lying_h5, "a") as f:
        config = json.loads(f.attrs["model_config"])
        for layer in config["config"]["layers"]:
            if layer["class_name"] == "LSTM":
                layer["config"]["units"] = 12000
        f.attrs["model_config"] = json.dumps(config)
    expect["lstm_12000.h5"] = "do not belong together"
    attr = folder / "huge_attribute.h5"
    attr.write_bytes(legacy.read_bytes())
    with h5py.File(attr, "a", libver="latest") as f:  # dense attribute storage: attributes over 64 kB
        f["model_weights"].create_group("padded").attrs.create("padding", np.zeros(2_000_000, dtype="u1"))
    expect["huge_attribute.h5"] = "attribute `padding`"
    legacy.unlink()
    return expect


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "hostile"
    for name, says in write_hostile(target).items():
        print(f"{(target / name).stat().st_size:>12,}  {name}: {says}")
