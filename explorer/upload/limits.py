"""What an uploaded file may declare before anything is built from it (each limit with the reason for its size).

A model file says how large it is in three places: the zip's directory (each member's uncompressed size), the
model's ``config.json`` (every layer's units and input shape: what Keras will allocate when it builds), and
the weight file's HDF5 headers (each dataset's shape). All three are read, and judged against these limits,
before Keras sees the file.
"""

from __future__ import annotations

from explorer.budget import memory_budget

# The upload itself; .streamlit/config.toml's server.maxUploadSize matches (40 MB). Bytes only carry a model: what it
# costs is judged by its declared parameters (`parameter_limit`). A model at that limit (2.9M) saved with Adam's two
# moments is 3 × 4 B × 2.9M ≈ 35 MB: the IMDB models with a 20,000-word Embedding, trained and saved as Keras saves
# them, are 32–33 MB.
MAX_BYTES = 40 * 1024 * 1024
CONFIG_MAX_BYTES = 1024 * 1024  # config.json: a real LSTM model's is 2–40 kB; a 100-layer model's ~200 kB
METADATA_MAX_BYTES = 64 * 1024  # metadata.json: Keras writes ~70 bytes
WEIGHTS_MAX_BYTES = MAX_BYTES  # model.weights.h5 / .npz uncompressed, and every HDF5 dataset's declared bytes together
MAX_EXPANSION = 100  # uncompressed ÷ stored, for a member over SMALL_MEMBER bytes: Keras stores members uncompressed
# (ratio 1); a re-zipped file's JSON deflates 5–20×, random float32 weights ~1.1×; a bomb's spaces ~1,000×
SMALL_MEMBER = 64 * 1024  # below this a member's ratio is not judged (tiny JSON compresses as it likes)
MAX_JSON_DEPTH = 64  # nesting of config.json; Keras writes ~12 for a nested functional model
MAX_LAYERS = 100  # layers declared, nested models' included; the LSTM models people save have 2–30
MAX_INPUT_ELEMENTS = 1_000_000  # one sample's declared input (timesteps × features); the views draw ≤ 200 × 64


def mb(n: int) -> str:
    """``n`` bytes in MB (2**20 bytes, as Streamlit's upload limit counts them), for messages: ``"1.0"``, ``"1,430.5"``."""
    return f"{n / 2**20:,.1f}"


def parameter_limit() -> int:
    """Declared parameters an upload may have: what the server's model store holds (``LSTM_EXPLORER_MEMORY_MB``).

    The uploaded weights are built once more as the app's own Keras model and kept in the shared store, so a file
    larger than that store could never be shown; 2.9M parameters at the default 1,024 MB.
    """
    return memory_budget().model_params
