"""Every LSTM inside a real model (tests/corpus/real/, from make_real_models.py): opened through the app's loader,
each traced in NumPy from the tensor that reached it, equal to Keras's own outputs; the ones the app cannot trace
refused with a message naming the layer."""

from pathlib import Path

import numpy as np
import pytest

from explorer._keras import keras
from explorer.realmodel.reading import read_real_model
from explorer.realmodel.structure import RealModel
from explorer.realmodel.tracing import keras_differences, site_trace
from explorer.upload import fence
from explorer.upload.errors import UploadError
from explorer.upload.loading import load_uploaded_model
from explorer.upload.wire import decode, encode_real

REAL = Path(__file__).resolve().parent / "corpus" / "real"
OPENS = [
    "imdb_lstm",
    "imdb_bidirectional",
    "chars_embedding",
    "masking",
    "time_distributed",
    "conv1d_lstm",
    "layer_norm",
    "dense_head",
    "stateful",
    "embedding_mask_bidirectional_sum",
    "backwards_masked_pooling",
    "bidirectional_unmerged_ave",
    "seq2seq",
]


def read(stem: str, suffix: str = ".keras") -> RealModel:
    data = (REAL / f"{stem}{suffix}").read_bytes()
    return read_real_model(load_uploaded_model(data), name=f"{stem}{suffix}", data=data)


def test_the_corpus_holds_at_least_twelve_architectures_and_the_refused_ones():
    assert len(OPENS) >= 12
    for stem in [*OPENS, "refused_gru", "refused_convlstm", "refused_bidirectional_gru"]:
        assert (REAL / f"{stem}.keras").is_file() and (REAL / f"{stem}.h5").is_file()


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("stem", OPENS)
def test_every_lstm_equals_keras_from_the_tensor_that_reached_it(stem, suffix):
    real = read(stem, suffix)
    differences = keras_differences(real)
    assert set(differences) == {site.layer for site in real.sites} and differences
    assert max(differences.values()) <= 1e-5, differences
    for k, site in enumerate(real.sites):
        tr = site_trace(real, k)
        steps = real.layer_inputs[site.layer].x.shape[1]
        assert tr.h.shape == (real.batch_size, steps, site.units)
        assert np.all((tr.i >= 0) & (tr.i <= 1)) and np.ptp(tr.f) > 0.1  # real gates, not constants


def test_the_tensor_reaching_an_lstm_after_an_embedding_is_the_lookup_of_the_token_ids():
    real = read("chars_embedding")
    (tokens,) = real.inputs
    assert tokens.tokens and tokens.samples.shape == (8, 31) and tokens.samples.max() < 25
    table = keras.saving.load_model(REAL / "chars_embedding.keras").layers[0].get_weights()[0]  # (25, 16)
    np.testing.assert_array_equal(real.layer_inputs[real.sites[0].layer].x, table[tokens.samples])
    box = real.box("embedding") if any(b.name == "embedding" for b in real.boxes) else real.boxes[1]
    assert box.kind == "Embedding" and box.params == 25 * 16 and box.output_shapes == ((None, 31, 16),)


@pytest.mark.parametrize(("stem", "padding"), [("masking", "value"), ("embedding_mask_bidirectional_sum", "zero")])
def test_padded_steps_are_masked_and_keep_h_and_c(stem, padding):
    real = read(stem)
    assert real.inputs[0].padding == padding
    site = real.sites[0]
    mask = real.layer_inputs[site.layer].mask
    assert mask is not None and not mask.all() and mask.any(axis=1).all()  # some padding, never a whole sample
    tr = site_trace(real, 0)
    skipped = ~tr.mask[:, 1:]
    np.testing.assert_array_equal(tr.h[:, 1:][skipped], tr.h[:, :-1][skipped])  # a skipped step keeps h …
    np.testing.assert_array_equal(tr.c[:, 1:][skipped], tr.c[:, :-1][skipped])  # … and c


def test_bidirectional_is_two_lstms_and_the_merge():
    real = read("imdb_bidirectional")
    labels = [site.label for site in real.sites]
    assert labels[:2] == [f"{real.sites[0].layer} · forward", f"{real.sites[0].layer} · backward"]
    forward, backward = real.sites[:2]
    assert not forward.weights.go_backwards and backward.weights.go_backwards and forward.merge_mode == "concat"
    box = real.box(forward.layer)
    assert box.kind == "Bidirectional(LSTM)" and box.output_shapes == (
        (None, None, 2 * forward.units),
    )  # any length, as Keras says
    assert box.params == 2 * 4 * forward.units * (forward.features + forward.units + 1)


def test_the_decoder_starts_from_the_encoders_h_and_c():
    real = read("seq2seq")
    encoder, decoder = real.sites
    assert decoder.state_from == "encoder" and encoder.state_from == ""
    h, c = real.layer_inputs["encoder"].keras_outputs[1:]
    np.testing.assert_array_equal(real.layer_inputs["decoder"].initial_state[0], h)
    np.testing.assert_array_equal(site_trace(real, 1).h0, h)
    np.testing.assert_array_equal(site_trace(real, 1).c0, c)
    assert [i.name for i in real.inputs] == ["encoder_inputs", "decoder_inputs"]


def test_a_stateful_model_is_sampled_in_its_own_batch_size():
    real = read("stateful")
    assert real.batch_size == 1 and "stateful" in " ".join(map(str, real.notes))


@pytest.mark.parametrize(
    ("stem", "says"),
    [
        ("refused_gru", "`gru` is a `GRU`: a GRU has two gates and no cell state"),
        ("refused_bidirectional_gru", "is a `GRU`"),
        ("refused_convlstm", "is a `ConvLSTM1D`: a ConvLSTM's gates are convolutions"),
    ],
)
def test_what_the_app_cannot_trace_is_refused_naming_the_layer(stem, says):
    with pytest.raises(UploadError) as info:
        read(stem)
    assert says in str(info.value.args[0])


def test_a_real_model_crosses_from_the_loader_as_data_and_still_equals_keras():
    real = read("embedding_mask_bidirectional_sum")
    back = decode(encode_real(real))
    assert isinstance(back, RealModel) and [s.label for s in back.sites] == [s.label for s in real.sites]
    assert back.boxes == real.boxes and back.notes == real.notes
    assert max(keras_differences(back).values()) <= 1e-5
    np.testing.assert_array_equal(back.inputs[0].samples, real.inputs[0].samples)


def test_the_fenced_loader_opens_a_real_model():
    data = (REAL / "imdb_bidirectional.keras").read_bytes()
    real = fence.open_upload(data, "imdb_bidirectional.keras", timeout=120)
    assert isinstance(real, RealModel) and len(real.sites) == 4
    assert max(keras_differences(real).values()) <= 1e-5


def test_a_full_size_imdb_model_saved_with_its_adam_state_opens(tmp_path):
    """33 MB, two thirds of it the optimizer's moments: judged by its 2.76M parameters, not by its bytes."""
    import sys

    from explorer.upload.limits import MAX_BYTES, parameter_limit

    sys.path.insert(0, str(REAL.parent))
    from make_real_models import imdb_bidirectional

    keras.utils.set_random_seed(0)
    model = imdb_bidirectional(20_000, 128, 64)
    model.compile("adam", "binary_crossentropy")
    rng = np.random.default_rng(0)
    model.fit(rng.integers(0, 20_000, (4, 40)), rng.integers(0, 2, (4, 1)), epochs=1, verbose=0)  # Adam's m and v exist
    path = tmp_path / "imdb_bidirectional_trained.keras"
    model.save(path)
    data = path.read_bytes()
    assert 25 * 2**20 < len(data) <= MAX_BYTES and model.count_params() <= parameter_limit()
    real = fence.open_upload(data, path.name, timeout=120)
    assert isinstance(real, RealModel) and real.total_params == model.count_params() == 2_757_761
    assert max(keras_differences(real).values()) <= 1e-5


def test_the_bidirectional_figure_draws_both_directions_over_the_same_steps():
    from explorer.figures.bidirectional import make_bidirectional_figure

    real = read("embedding_mask_bidirectional_sum")
    forward, backward = site_trace(real, 0), site_trace(real, 1)
    fig = make_bidirectional_figure(forward, backward, "sum", layer_name="bi", sample=0, colour_by="f")
    assert fig.layout.meta["view"] == "bidirectional"
    z = np.asarray(next(t for t in fig.data if t.name == "cell colours").z, dtype=float)
    T = forward.h.shape[1]
    kept = forward.mask[0]  # (T,) input order for the forward direction
    columns = z[4, 0::2]  # the forward row, one value per drawn column: steps 1-5, "…", steps 11-15
    drawn = [*range(5), None, *range(T - 5, T)]
    assert [bool(np.isnan(v)) for v in columns] == [t is None or not kept[t] for t in drawn]
    np.testing.assert_allclose(columns[-1], forward.f[0, T - 1].mean(), atol=1e-6)
    backward_row = z[0, 0::2]
    np.testing.assert_allclose(backward_row[-1], backward.f[0, 0].mean(), atol=1e-6)  # input step T: read first
    heads = next(t for t in fig.data if t.name == "arrowheads")
    assert 270 in heads.marker.angle and 90 in heads.marker.angle  # backward arrows run right to left
    assert "(None, 15, 6)" in fig.layout.annotations[0].text  # sum keeps the width: (None, T, U)


def test_skipped_padding_is_marked_in_the_graph_gates_and_trajectories():
    from explorer.figures import make_gates_figure, make_trajectory_figure, make_unrolled_figure
    from explorer.realmodel.sites import site_config, site_view_trace

    real = read("masking")
    tr = site_view_trace(real, 0, 4)
    skipped = int((~tr.layers[0].mask[0]).sum())
    assert skipped > 0
    graph = make_unrolled_figure(site_config(real, 0), tr, sample=0)
    assert sum(text == "skip" for text in next(t for t in graph.data if t.name == "labels").text) == skipped
    for fig in (make_gates_figure(tr.layers[0], sample=0), make_trajectory_figure(tr, layer=0, sample=0)):
        bands = [s for s in fig.layout.shapes if s.name == "skipped"]
        assert bands and sum(b.x1 - b.x0 for b in bands) == skipped


def test_the_model_map_has_a_box_per_layer_and_the_encoders_hand_over():
    from xml.etree import ElementTree

    from explorer.figures.model_map import make_model_map

    real = read("seq2seq")
    svg = ElementTree.fromstring(make_model_map(real.boxes, real.sites, "decoder"))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert svg.get("data-view") == "model_map"
    layers = svg.findall("s:g[@class='layer']", ns)
    assert [g.get("data-layer") for g in layers] == [b.name for b in real.boxes]
    for g, box in zip(layers, real.boxes, strict=True):  # each box: its name first, its parameters last, its details
        lines = [span.text for span in g.findall("s:text/s:tspan", ns)]
        assert lines[0] == box.name and lines[-1] == f"{box.params:,} params"
        assert g.find("s:title", ns).text.startswith(f"{box.name} · {box.kind}")
    assert [t.text for t in svg.findall("s:text[@class='hand-over']", ns)] == ["h, c"]
    assert len(svg.findall("s:line[@class='state-arrow']", ns)) == 1
    tensors = sum(len([n for n in b.inbound if n in {x.name for x in real.boxes}]) for b in real.boxes) - 1
    assert len(svg.findall("s:line[@class='tensor-arrow']", ns)) == tensors
    widths = {g.get("data-layer"): float(g.find("s:rect", ns).get("stroke-width")) for g in layers}
    assert widths["decoder"] > widths["encoder"] > widths["dense" if "dense" in widths else real.boxes[-1].name]
    assert all(set(b.inbound) <= set(widths) for b in real.boxes)


def test_the_model_map_escapes_what_a_file_names():
    from xml.etree import ElementTree

    from explorer.figures.model_map import make_model_map
    from explorer.realmodel.structure import Box

    one_in = Box("in<b>", "InputLayer", (), ((None, 3),), ((None, 3),), 0)
    boxes = (one_in, Box('x"&y', "Dense", ("in<b>",), ((None, 3),), ((None, 1),), 4))
    svg = ElementTree.fromstring(make_model_map(boxes, ()))  # well-formed: the names are text, not markup
    assert [g.get("data-layer") for g in svg.iter("{http://www.w3.org/2000/svg}g")] == ["in<b>", 'x"&y']
