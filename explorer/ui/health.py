"""Is this replica ready for learners? ``python -m explorer.ui.health [port]`` exits 0 when it is.

Ready = Streamlit answers ``/_stcore/health`` *and* TensorFlow has been imported (`explorer.ui.serve` writes its
ready file then). The container's HEALTHCHECK and Kubernetes' startup and readiness probes run it; the liveness
probe asks ``/_stcore/health`` alone.
"""

from __future__ import annotations

import sys
import urllib.request

from explorer.ui.serve import READY_FILE


def ready(port: int = 8501) -> bool:
    """True when the server on ``port`` answers its health check and TensorFlow is imported."""
    if not READY_FILE.exists():
        return False
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if ready(int(sys.argv[1]) if len(sys.argv) > 1 else 8501) else 1)
