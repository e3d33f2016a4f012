"""Who holds the GIL in a running server: ``py-spy record --gil`` on its process, summed by function and by thread.

`bench_load.py --profile FILE` records the app's server while the class runs and prints this summary; the raw
stacks stay in FILE (py-spy's collapsed format, one ``frame;frame;… count`` line per stack) for a closer look.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path


class GilRecording:
    """``py-spy record --gil`` of ``pid`` into ``out`` until `stop` (100 samples a second, only while the GIL is held)."""

    def __init__(self, pid: int, out: Path):
        if shutil.which("py-spy") is None:
            raise RuntimeError("py-spy is not installed (pip install -r requirements-dev.txt)")
        self.out = out
        cmd = ["py-spy", "record", "--gil", "--format", "raw", "--rate", "100", "--output", str(out), "--pid", str(pid)]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self) -> str:
        """End the recording (py-spy writes its file on SIGINT); returns what py-spy said on stderr."""
        self._proc.send_signal(signal.SIGINT)
        _, err = self._proc.communicate(timeout=60)
        return err.decode(errors="replace")


def function_shares(raw: str) -> tuple[int, Counter, Counter]:
    """From py-spy's collapsed stacks: (samples, function → samples with it on the stack, thread → samples).

    A function counts once per stack however often it recurs; a frame's name is the text before `` (`` (py-spy adds
    the file and line). The thread is the stack's first frame (py-spy's ``--threads`` is not needed: a thread's
    bottom frame names its entry point, e.g. ``Thread._bootstrap`` or ``<module>``).
    """
    total, functions, threads = 0, Counter(), Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        names = [frame.split(" (")[0] for frame in stack.split(";")]
        threads[names[0]] += n
        for name in dict.fromkeys(names):  # (in stack order: ties rank the outer frame first)
            functions[name] += n
    return total, functions, threads


def summary(raw: str, *, of: tuple[str, ...] = (), top: int = 25) -> list[str]:
    """Lines to print: the ``top`` functions by share of the samples (plus any named in ``of``), each as a percentage."""
    total, functions, _threads = function_shares(raw)
    if not total:
        return ["no samples (did py-spy have the rights to read the process?)"]
    shown = [name for name, _ in functions.most_common(top)] + [name for name in of if name in functions]
    return [f"{100 * functions[name] / total:5.1f} %  {name}" for name in dict.fromkeys(shown)]
