"""The engine in a notebook: examples/engine_tour.ipynb runs top to bottom (so it cannot rot), and the engine
installs as a package."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_notebook_runs_without_streamlit():
    nb = nbformat.read(ROOT / "examples" / "engine_tour.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('import sys; print("streamlit imported:", "streamlit" in sys.modules)'))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    text = "\n".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", []))
    errors = [out for cell in nb.cells for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors
    assert "count_params(): " in text and "largest difference from Keras itself: " in text
    assert "cₜ = f·cₜ₋₁ + i·g = " in text  # the cell's equations with numbers
    assert "follows the bracket depth (r = " in text  # what the trained model learned, found on its weights
    assert "streamlit imported: False" in text


def test_the_notebook_is_what_make_notebook_writes(tmp_path):
    """The committed notebook is generated (its cells are reviewed as code in examples/make_notebook.py)."""
    sys.path.insert(0, str(ROOT / "examples"))
    import make_notebook

    committed = nbformat.read(ROOT / "examples" / "engine_tour.ipynb", as_version=4)
    assert [c.source for c in committed.cells] == [text for _, text in make_notebook.CELLS]


def test_the_engine_builds_as_a_package(tmp_path):
    source = tmp_path / "source"  # a copy: setuptools writes build/ and *.egg-info beside the sources
    shutil.copytree(ROOT / "explorer", source / "explorer", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", source)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("lstm_explorer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = (
        "reference/forward",
        "reference/layout",
        "cell/anatomy",
        "training/loop",
        "export/activations",
        "upload/stack",
        "figures/cell",
        "ui/page",
    )
    for module in modules:
        assert f"explorer/{module}.py" in names, module
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)
