"""One upload must not take the server down: every hostile file (tests/corpus/make_hostile.py) is refused within
seconds, with its reason, while this process (the server's side of an upload) grows by at most 200 MB; the fenced
loader survives what gets past the checks, is replaced when it dies, and leaves nothing behind."""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from explorer._keras import keras
from explorer.i18n import Joined, Message, use_language
from explorer.reference import trace
from explorer.training.snapshots import model_weights
from explorer.upload import fence
from explorer.upload.admission import SessionUploads
from explorer.upload.archive import check_archive
from explorer.upload.config_json import json_depth, parse_config
from explorer.upload.declared import check_declared
from explorer.upload.errors import UploadError
from explorer.upload.loading import precheck_upload
from explorer.upload.wire import decode, encode_refusal, encode_uploaded

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))
from make_hostile import write_hostile

CORPUS = Path(__file__).resolve().parent / "corpus"
RSS_RISE_MB = 200
REFUSED_WITHIN_S = 5.0


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    return folder, write_hostile(folder)


@pytest.fixture(scope="module")
def warm_loader():
    """The server's loader, started (the first upload on a server also pays its start: ~3 s, measured in benchmarks)."""
    fence.open_upload((CORPUS / "good_stack.keras").read_bytes(), "warm.keras", timeout=120)
    return fence.loader_queue()


class PeakRSS:
    """This process's peak resident memory during a ``with`` block, in MB above its start (the kernel's own high-water
    mark, reset through /proc/self/clear_refs; where that is not allowed, sampled every millisecond)."""

    def __enter__(self):
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self._sampler = None
        except OSError:
            self._samples, self._stop = [], threading.Event()
            self._sampler = threading.Thread(target=self._sample, daemon=True)
            self._sampler.start()
        self.start_mb = self._status("VmRSS")
        return self

    @staticmethod
    def _status(key: str) -> float:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) / 1024 for line in f if line.startswith(key + ":"))

    def _sample(self):
        while not self._stop.is_set():
            self._samples.append(self._status("VmRSS"))
            time.sleep(0.001)

    def __exit__(self, *exc):
        if self._sampler is None:
            self.rise_mb = self._status("VmHWM") - self.start_mb
        else:
            self._stop.set()
            self._sampler.join()
            self.rise_mb = max(self._samples, default=self.start_mb) - self.start_mb


def test_the_corpus_holds_every_kind_of_hostile_file(hostile):
    folder, expect = hostile
    assert {"config_bomb.keras", "lstm_12000.keras", "lstm_200000.keras", "eight_members.keras", "layers_2000.keras",
            "huge_input.keras", "deep_nesting.keras", "huge_dataset.h5", "external_link.h5", "virtual_dataset.h5",
            "mismatched_shapes.keras", "lstm_12000.h5", "lying_size.keras", "unsized_layer.keras"} <= set(expect)  # fmt: skip
    assert all((folder / name).stat().st_size < 10 * 2**20 for name in expect)  # small files, large declarations
    with check_archive.__globals__["zipfile"].ZipFile(folder / "config_bomb.keras") as z:
        assert z.getinfo("config.json").file_size > 1.4e9  # the bomb is real: 1.5 GB behind 1.5 MB


@pytest.mark.parametrize(
    "name",
    ["config_bomb.keras", "lstm_12000.keras", "lstm_200000.keras", "mismatched_shapes.keras", "layers_2000.keras",
     "huge_input.keras", "deep_nesting.keras", "eight_members.keras", "lying_size.keras", "bzip2.keras",
     "config_over_limit.keras", "unsized_layer.keras", "huge_dataset.h5", "external_link.h5", "virtual_dataset.h5",
     "lstm_12000.h5", "huge_attribute.h5"],
)  # fmt: skip
def test_a_hostile_file_is_refused_quickly_by_name_and_the_server_barely_grows(name, hostile, warm_loader):
    folder, expect = hostile
    data = (folder / name).read_bytes()
    started = time.perf_counter()
    with PeakRSS() as peak, pytest.raises(UploadError) as refused:
        fence.open_upload(data, name, timeout=60)
    seconds = time.perf_counter() - started
    message = str(refused.value.args[0])
    assert expect[name] in message, message
    assert "Traceback" not in message
    assert seconds <= REFUSED_WITHIN_S, f"{name} took {seconds:.1f} s"
    assert peak.rise_mb <= RSS_RISE_MB, f"{name} raised this process's RSS by {peak.rise_mb:.0f} MB"
    assert warm_loader.loader.pid is not None  # the loader lives on


def test_the_hostile_messages_are_translated(hostile):
    folder, _expect = hostile
    with pytest.raises(UploadError) as refused:
        precheck_upload((folder / "config_bomb.keras").read_bytes())
    with use_language("zh"):
        text = str(refused.value.args[0])
    assert "config.json" in text and "1,430.5" in text and "解压" in text


def test_what_the_fence_hands_back_traces_equal_to_keras(warm_loader):
    for name, shape in (("good_stack.keras", (4, 6, 3)), ("keras2_style.h5", (3, 5, 2))):
        uploaded = fence.open_upload((CORPUS / name).read_bytes(), name, timeout=60)
        model = keras.saving.load_model(CORPUS / name, compile=False)
        x = np.random.default_rng(5).normal(size=shape).astype(np.float32)
        np.testing.assert_allclose(
            trace(model_weights(uploaded.cfg, uploaded.arrays), x).output, model.predict(x, verbose=0), atol=1e-5
        )
        assert all(not a.flags.writeable for a in uploaded.arrays)  # shared by every session's caches


def test_the_wire_carries_data_only():
    uploaded = fence.open_upload((CORPUS / "variable_length.keras").read_bytes(), "v.keras", timeout=60)
    again = decode(encode_uploaded(uploaded))
    assert (again.cfg, again.notes, again.name, again.digest) == (uploaded.cfg, uploaded.notes, uploaded.name, uploaded.digest)
    assert all(np.array_equal(a, b) for a, b in zip(again.arrays, uploaded.arrays, strict=True))
    message = Message("{a} and {b}", a=Message("shape {s}", s=(None, 3)), b=Joined("; ", [Message("one"), "two"]))
    with pytest.raises(UploadError) as refused:
        decode(encode_refusal(message))
    assert refused.value.args[0] == Message(
        "{a} and {b}", a=Message("shape {s}", s=(None, 3)), b=refused.value.args[0].values["b"]
    )
    assert str(refused.value.args[0]) == "shape (None, 3) and one; two"
    forged = bytearray(encode_uploaded(uploaded))
    forged[-200:] = b"\x80\x04" * 100  # not an .npz any more: refused by numpy, never unpickled
    with pytest.raises(Exception) as err:
        decode(bytes(forged))
    assert not isinstance(err.value, UploadError) or "pickle" not in str(err.value)


def test_a_slow_load_is_stopped_and_a_dead_worker_replaced_leaving_no_files():
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "lstm-explorer-fence-*")))
    loader = fence.FencedLoader(time_limit_s=0.01)  # shorter than any load: stopped every time
    data = (CORPUS / "good_stack.keras").read_bytes()
    try:
        with pytest.raises(UploadError, match="took longer than 0 s"):
            loader.load(data, "slow.keras")
        assert loader.pid is None and loader._tmp is None  # killed, and its temporary folder removed
        loader.time_limit_s = 60
        assert loader.load(data, "ok.keras").cfg.units == (8, 4)
        os.kill(loader.pid, signal.SIGKILL)  # a worker that died between two loads
        time.sleep(0.2)
        assert loader.load(data, "ok.keras").cfg.units == (8, 4)
        assert loader.started == 3
    finally:
        loader.stop()
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "lstm-explorer-fence-*"))) <= before


def test_the_memory_cap_stops_an_allocation_past_it():
    """The loader's last line: past its cap an allocation fails in the loader, whatever asked for it."""
    code = (
        "from explorer.upload.fence_worker import cap_memory\n"
        "cap_memory(64)\n"
        "try:\n    bytearray(512 * 2**20)\nexcept MemoryError:\n    print('refused')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=CORPUS.parents[1])
    assert out.stdout.strip() == "refused", out.stderr


def test_fifty_files_at_once_get_answers_and_the_server_stays_small(hostile, warm_loader):
    folder, _expect = hostile
    files = [CORPUS / "good_stack.keras", CORPUS / "lambda.keras", folder / "config_bomb.keras", folder / "lstm_12000.h5",
             folder / "mismatched_shapes.keras"]  # fmt: skip
    uploads = [(files[k % len(files)].read_bytes(), files[k % len(files)].name) for k in range(50)]

    def one(upload):
        data, name = upload
        started = time.perf_counter()
        try:
            precheck_upload(data)
            result = warm_loader.submit(data, name).result(timeout=60)
        except UploadError as err:
            result = err
        return result, time.perf_counter() - started

    with PeakRSS() as peak, ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(one, uploads))
    kinds = [type(r).__name__ for r, _ in answers]
    busy = [r for r, _ in answers if isinstance(r, UploadError) and "other files right now" in str(r.args[0])]
    assert len(answers) == 50 and set(kinds) <= {"UploadedModel", "UploadError"}
    assert "UploadedModel" in kinds and busy  # some opened, the rest told the loader is busy (not queued for minutes)
    assert max(s for _, s in answers) <= 10 * REFUSED_WITHIN_S
    assert peak.rise_mb <= RSS_RISE_MB
    assert warm_loader.waiting == 0


def test_a_session_uploads_a_few_files_a_minute():
    allowance = SessionUploads(per_window=5, window_s=60)
    assert [allowance.refusal(now=float(t)) for t in range(5)] == [None] * 5
    wait = allowance.refusal(now=10.0)
    assert wait is not None and str(wait) == "You have uploaded 5 files in the last minute; upload the next one in 50 s."
    assert allowance.refusal(now=60.5) is None  # the first one has left the window


def test_the_checks_read_sizes_not_contents():
    assert json_depth(b'{"a": [1, {"b": "[[[[[["}]}') == 3  # brackets inside strings do not count
    config = parse_config(check_archive((CORPUS / "good_stack.keras").read_bytes()).config_text)
    declared = check_declared(config)
    assert declared.parameters == keras.saving.load_model(CORPUS / "good_stack.keras").count_params() == 602
    with pytest.raises(UploadError, match="this server opens models of up to 601 parameters"):
        check_declared(config, limit=601)


def _app_with_pending(future):
    from streamlit.testing.v1 import AppTest

    from explorer.ui.upload import PENDING, PendingUpload
    from tests.test_app import APP, TIMEOUT

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[PENDING] = PendingUpload(future, "mine.keras", time.monotonic())  # what the uploader's callback stores
    return at.run()


def test_the_page_never_waits_for_the_loader_and_shows_its_answer_when_done():
    from concurrent.futures import Future

    from tests.test_app import assert_clean

    waiting = Future()
    at = _app_with_pending(waiting)  # a load under way: the page is drawn, with its status and a Cancel button
    assert_clean(at)
    assert any("Opening `mine.keras` in the model loader" in c.value for c in at.sidebar.caption)
    assert at.session_state["_upload_pending"] is True  # a focus move reruns the page, which polls the status
    waiting.set_result(fence.open_upload((CORPUS / "good_stack.keras").read_bytes(), "mine.keras", timeout=60))
    at.run()
    assert_clean(at)
    assert any("your model" in i.value and "mine.keras" in i.value for i in at.info)
    assert (at.session_state["units_1"], at.session_state["units_2"], at.session_state["timesteps"]) == (8, 4, 6)
    assert at.session_state["_upload_pending"] is False

    failed = Future()
    failed.set_exception(UploadError(Message("The HDF5 file links `{name}` to another file (`{target}`); the app never "
                                             "opens files a model points to.", name="x", target="/etc/passwd")))  # fmt: skip
    at = _app_with_pending(failed)
    assert_clean(at)
    assert any("to another file (`/etc/passwd`)" in e.value for e in at.error)

    cancelled = Future()
    at = _app_with_pending(cancelled)
    next(b for b in at.sidebar.button if b.label == "Cancel").click().run()
    assert_clean(at)
    assert cancelled.cancelled() and "_upload_job" not in at.session_state
    assert not any("Opening" in c.value for c in at.sidebar.caption)


def test_streamlits_upload_store_keeps_two_files_per_live_session_and_none_of_ended_ones():
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    from explorer.ui.upload_files import trim_uploads

    store = MemoryUploadedFileManager("/_stcore/upload_file")
    for session in ("live", "ended"):
        for k in range(5):
            store.add_file(session, UploadedFileRec(f"{session}-{k}", f"{k}.keras", "application/octet-stream", bytes(1000)))
    assert trim_uploads(store, is_active=lambda session: session == "live") == 3 + 5
    assert list(store.file_storage["live"]) == ["live-3", "live-4"]  # the newest two: the page's two uploaders
    assert "ended" not in store.file_storage
    assert sum(len(f.data) for files in store.file_storage.values() for f in files.values()) == 2000
