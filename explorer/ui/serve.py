"""Start Streamlit with TensorFlow importing at once, so a fresh replica's first visitor does not wait for it.

``/_stcore/health`` answers as soon as the server listens, but Streamlit imports TensorFlow (3–6 s here) only when
the first session runs the script. This launcher starts that import in a background thread, then runs Streamlit's
own command line with the same arguments::

    python -m explorer.ui.serve run app.py --server.address 0.0.0.0 --server.port 8501 --server.headless true

and writes `READY_FILE` once TensorFlow is in: `explorer.ui.health` (the container's HEALTHCHECK, Kubernetes'
readiness probe) reports ready only then, so a proxy sends no learner to a replica still importing.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

READY_FILE = Path(os.environ.get("LSTM_EXPLORER_READY_FILE", "/tmp/lstm-explorer-ready"))


def _import_tensorflow() -> None:
    # The slow imports (Python's import lock makes a session's own import wait for them), then one throwaway
    # Keras model: the process's first build initialises Keras and TensorFlow's kernels (~0.5 s).
    import explorer.ui.page  # noqa: F401  (imports TensorFlow)
    from explorer import LSTMConfig, build_model

    build_model(LSTMConfig())
    READY_FILE.write_text("tensorflow imported\n")


def main(argv: list[str] | None = None) -> None:
    """Run ``streamlit <argv>`` with TensorFlow importing alongside."""
    READY_FILE.unlink(missing_ok=True)
    threading.Thread(target=_import_tensorflow, name="import-tensorflow", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
