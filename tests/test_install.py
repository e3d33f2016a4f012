"""It installs where learners are: requirements.txt resolves, exact pins and all, for Linux x86_64 and aarch64, macOS
on Apple silicon and Windows, on Python 3.11-3.13; Intel Macs, which no TensorFlow 2.21 supports, are sent to the
container; and the app's first ``streamlit run`` on a desktop asks nothing in the terminal.

pip's ``--dry-run --platform`` picks wheels for another platform but evaluates environment markers for this one, so
it cannot check a file whose lines differ by platform; ``uv pip compile --python-platform`` evaluates both for the
target. It asks the package index: where that cannot be reached, the resolution tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TENSORFLOW = {  # uv's platform name → the TensorFlow distribution requirements.txt gives it
    "x86_64-manylinux_2_28": "tensorflow-cpu",
    "aarch64-manylinux_2_28": "tensorflow",
    "aarch64-apple-darwin": "tensorflow",
    "x86_64-pc-windows-msvc": "tensorflow-cpu",
}
PYTHONS = ("3.11", "3.12", "3.13")
UNREACHABLE = ("Failed to fetch", "error sending request", "dns error", "Connection refused", "timed out", "Network")


def compile_for(platform: str, python: str) -> subprocess.CompletedProcess:
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(uv).exists() and shutil.which("uv") is None:
        pytest.skip("uv is not installed (pip install -r requirements-dev.txt)")
    cmd = [
        uv,
        "pip",
        "compile",
        "--quiet",
        "--no-header",
        "--only-binary",
        ":all:",
        "--no-python-downloads",
        "--python-preference",
        "only-system",
        "--python-platform",
        platform,
        "--python-version",
        python,
        str(ROOT / "requirements.txt"),
    ]  # fmt: skip  (wheels only: no interpreter for the target is needed or fetched)
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    if done.returncode and any(word in done.stderr for word in UNREACHABLE):
        pytest.skip(f"the package index cannot be reached: {done.stderr.strip()[:200]}")
    return done


def test_requirements_resolve_with_exact_pins_on_every_platform_and_python():
    targets = [(platform, python) for platform in TENSORFLOW for python in PYTHONS]
    with ThreadPoolExecutor(len(targets)) as pool:  # each is mostly a wait on the index
        results = dict(zip(targets, pool.map(lambda target: compile_for(*target), targets), strict=True))
    for (platform, python), done in results.items():
        assert done.returncode == 0, (platform, python, done.stderr)
        lines = [line.split("==", 1) for line in done.stdout.splitlines() if "==" in line and not line.startswith(" ")]
        pins = {name: version.split()[0] for name, version in lines}
        assert pins[TENSORFLOW[platform]] == "2.21.0", (platform, python)
        assert (pins["streamlit"], pins["numpy"], pins["plotly"], pins["h5py"]) == ("1.67.0", "2.4.6", "7.1.0", "3.14.0")
        other = "tensorflow" if TENSORFLOW[platform] == "tensorflow-cpu" else "tensorflow-cpu"
        assert other not in pins, (platform, python)  # one TensorFlow per platform


def test_intel_macs_have_no_tensorflow_2_21_and_the_readme_says_where_to_go():
    done = compile_for("x86_64-apple-darwin", "3.11")
    assert done.returncode != 0 and "tensorflow" in done.stderr  # no 2.21 wheel (the last, 2.16.2, needs protobuf < 5)
    readme = (ROOT / "README.md").read_text()
    assert "Intel Mac" in readme and "docker run" in readme


def test_the_first_streamlit_run_asks_nothing_in_the_terminal(tmp_path):
    """With no credentials file (a new machine) and not headless (a desktop), Streamlit would prompt for an e-mail
    address and wait; the project's .streamlit/config.toml turns the prompt off."""
    code = (
        "from streamlit import config\n"
        "config.get_config_options(force_reparse=True)\n"
        "config.set_option('server.headless', False)\n"
        "from streamlit.runtime.credentials import check_credentials\n"
        "check_credentials()\n"
        "print('asked nothing')\n"
    )
    env = {**os.environ, "HOME": str(tmp_path)}  # no ~/.streamlit/credentials.toml
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0 and "asked nothing" in done.stdout, done.stdout + done.stderr
    assert not (tmp_path / ".streamlit" / "credentials.toml").exists()
