"""A learner's real model on the page (Streamlit AppTest): the layer picker, the map, every view on the LSTM picked,
traced from the tensor that reached it."""

from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.realmodel.reading import read_real_model
from explorer.realmodel.tracing import site_trace
from explorer.ui.upload import PENDING, PendingUpload
from explorer.upload.loading import load_uploaded_model
from tests.test_app import APP, TIMEOUT, assert_clean, figures, plotly_array

REAL = Path(__file__).resolve().parent / "corpus" / "real"


def read(stem: str):
    data = (REAL / f"{stem}.keras").read_bytes()
    return read_real_model(load_uploaded_model(data), name=f"{stem}.keras", data=data)


@pytest.fixture(scope="module")
def bidirectional():
    return read("imdb_bidirectional")


def opened(real, query: dict | None = None) -> AppTest:
    """The page just after the fenced loader finished opening ``real``."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    done: Future = Future()
    done.set_result(real)
    at.session_state[PENDING] = PendingUpload(done, real.name, 0.0)
    return at.run()


def gates_f(at: AppTest) -> np.ndarray:
    heat = next(t for t in figures(at)["gates"]["data"] if t["name"] == "f")
    return plotly_array(heat["z"])


def test_a_bidirectional_model_shows_both_directions_each_equal_to_its_trace(bidirectional):
    at = opened(bidirectional, {"view": "gates"})
    assert_clean(at)
    picker = at.selectbox(key="upload_site_picker")
    assert picker.options == [s.label for s in bidirectional.sites]  # "bidirectional · forward", …
    assert any("bidirectional · forward" in i.value and "imdb_bidirectional.keras" in i.value for i in at.info)
    expected = site_trace(bidirectional, 0, 4).f[0].T  # (units, T): sample 0, the batch slider's 4 samples
    np.testing.assert_allclose(gates_f(at).reshape(expected.shape), expected, atol=1e-6)
    picker.set_value(1).run()
    assert_clean(at)
    assert any("bidirectional · backward" in i.value for i in at.info)
    expected = site_trace(bidirectional, 1, 4).f[0].T
    np.testing.assert_allclose(gates_f(at).reshape(expected.shape), expected, atol=1e-6)
    assert at.session_state["go_backwards"] is True  # the backward direction reads its steps last to first
    badge = [c.value for c in at.caption if "max |Δ| vs Keras" in c.value]
    assert badge and "bidirectional · backward" in badge[0]


def test_the_map_and_the_shapes_view_show_every_layer(bidirectional):
    at = opened(bidirectional, {"view": "shapes"})
    assert_clean(at)
    kinds = {b.name: b.kind for b in bidirectional.boxes}
    table = at.table[0].value
    assert list(table["kind"]) == list(kinds.values())
    assert "Embedding" in list(table["kind"]) and int(table["params"].sum()) == bidirectional.total_params
    maps = [m.value for m in at.markdown if 'data-view="model_map"' in m.value]  # the map, above every view
    assert len(maps) == 1 and maps[0].count('<g class="layer"') == len(bidirectional.boxes)


def test_the_decoder_of_an_encoder_decoder_starts_from_the_encoders_states():
    real = read("seq2seq")
    at = opened(real, {"view": "trajectories"})
    assert_clean(at)
    picker = at.selectbox(key="upload_site_picker")
    assert picker.options == ["encoder", "decoder  ← h, c from encoder"]
    picker.set_value(1).run()
    assert_clean(at)
    assert (at.session_state["timesteps"], at.session_state["features"]) == (12, 9)  # the decoder's own input
    h = next(t for t in figures(at)["trajectories"]["data"] if t.get("name") == "h[0]")
    np.testing.assert_allclose(plotly_array(h["y"]), site_trace(real, 1, 4).h[0, :, 0], atol=1e-6)
    assert site_trace(real, 1, 4).h0[0, 0] == real.layer_inputs["encoder"].keras_outputs[1][0, 0] != 0


def test_a_masked_model_shows_its_skipped_steps():
    real = read("masking")
    at = opened(real, {"view": "graph"})
    assert_clean(at)
    labels = next(t for t in figures(at)["unrolled"]["data"] if t.get("name") == "labels")
    assert "skip" in labels["text"]
