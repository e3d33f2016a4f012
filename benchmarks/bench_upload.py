"""What the upload fence costs, and what hostile files cost the server with it.

Run: ``python benchmarks/bench_upload.py [--reps 9]``. Prints (nothing is asserted):

1. opening a model file at the default config (``LSTM(16) → LSTM(8)``, T = 12, F = 3) and at the largest
   (4 × 256, T = 200, F = 64): in this process (the naive path: checks, Keras, the app's reading) against the
   fenced loader, warm and cold (a new worker process: TensorFlow's import), medians, and the ratio;
2. the worker's own memory (private pages: what it adds to the machine; its library pages are shared);
3. every file of the hostile corpus through the server's path: the time to its refusal and this process's peak
   RSS above its start (the kernel's high-water mark, reset before each file).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "corpus"))

from timing import median_ms

from explorer import LSTMConfig, build_model
from explorer.upload import fence
from explorer.upload.errors import UploadError
from explorer.upload.loading import load_uploaded_model, precheck_upload
from explorer.upload.stack import read_stack

CONFIGS = {
    "default": LSTMConfig(),
    "largest": LSTMConfig(timesteps=200, features=64, units=(256,) * 4, return_sequences=(True, True, True, False)),
}


def status_mb(key: str, pid: str = "self") -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith(key + ":"))


def private_mb(pid: int) -> float:
    """A process's private memory (anonymous and private file pages): what it alone holds."""
    with open(f"/proc/{pid}/smaps_rollup") as f:
        fields = {line.split()[0]: int(line.split()[1]) for line in f if line.split()[0].endswith(":")}
    return (fields["Private_Clean:"] + fields["Private_Dirty:"]) / 1024


def model_file(cfg: LSTMConfig, folder: Path) -> bytes:
    path = folder / "model.keras"
    build_model(cfg).save(path)
    return path.read_bytes()


def opening(reps: int) -> None:
    print("Opening a model file (median ms of", reps, "runs)")
    print(f"  {'config':<8} {'size':>8} {'in-process':>11} {'fenced warm':>12} {'÷':>6} {'fenced cold':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, cfg in CONFIGS.items():
            data = model_file(cfg, Path(tmp))

            def in_process(data=data):
                precheck_upload(data)
                read_stack(load_uploaded_model(data), name="m.keras", data=data)

            naive = median_ms(in_process, reps)
            fence.open_upload(data, "m.keras")  # the worker is warm
            warm = median_ms(lambda data=data: fence.open_upload(data, "m.keras"), reps)
            colds = []
            for _ in range(max(2, reps // 3)):
                loader = fence.FencedLoader()
                started = time.perf_counter()
                loader.load(data, "m.keras")
                colds.append(1000 * (time.perf_counter() - started))
                loader.stop()
            cold = sorted(colds)[len(colds) // 2]
            size = f"{len(data) / 2**20:.2f}MB"
            print(f"  {name:<8} {size:>8} {naive:>9.0f}ms {warm:>10.0f}ms {warm / naive:>5.2f}× {cold:>10.0f}ms")
    pid = fence.loader_queue().loader.pid
    print(f"  the warm worker: private memory {private_mb(pid):.0f} MB, RSS {status_mb('VmRSS', str(pid)):.0f} MB "
          f"(its TensorFlow libraries' pages are shared with the server's)")  # fmt: skip


def hostile() -> None:
    from make_hostile import write_hostile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        expect = write_hostile(folder)
        print("\nHostile files through the server's path (precheck here, the rest in the warm worker)")
        print(f"  {'file':<26} {'size':>9} {'refused in':>11} {'peak RSS +':>11}  where")
        for name in expect:
            data = (folder / name).read_bytes()
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            start_mb, started = status_mb("VmRSS"), time.perf_counter()
            where = "checks here"
            try:
                precheck_upload(data)
                where = "worker"
                fence.open_upload(data, name, timeout=60)
                where = "OPENED (!)"
            except UploadError:
                pass
            seconds = time.perf_counter() - started
            print(f"  {name:<26} {len(data) / 2**20:>7.2f}MB {seconds:>10.2f}s {status_mb('VmHWM') - start_mb:>9.0f}MB  {where}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=9)
    args = parser.parse_args()
    opening(args.reps)
    hostile()
    fence.loader_queue().loader.stop()


if __name__ == "__main__":
    main()
