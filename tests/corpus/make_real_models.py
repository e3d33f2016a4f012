"""Write the real-model corpus: LSTM models as public tutorials and the Keras documentation write them.

Run from the project folder: ``python tests/corpus/make_real_models.py`` (add ``--full-size`` for the IMDB
models at their tutorial sizes, 20,000 words, into ``tests/corpus/real/full_size/``, for the benchmark; those are
not committed). Each model is saved as ``.keras`` and as ``.h5``; weights are drawn larger than Keras's
initialisation, so the gates swing as in a trained model. The committed files are small versions of the same
architectures (a 200-word vocabulary instead of 20,000).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = Path(__file__).resolve().parent / "real"
sys.path.insert(0, str(HERE.parents[2]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

L = keras.layers


def imdb_lstm(vocab: int = 200, dim: int = 32, units: int = 32) -> keras.Model:
    """Keras's IMDB LSTM example: ``Embedding → LSTM → Dense(1, sigmoid)`` on reviews cut to 80 words."""
    return keras.Sequential(
        [keras.Input((80,), dtype="int32"), L.Embedding(vocab, dim), L.LSTM(units), L.Dense(1, activation="sigmoid")]
    )


def imdb_bidirectional(vocab: int = 200, dim: int = 16, units: int = 8) -> keras.Model:
    """Keras's "Bidirectional LSTM on IMDB" example: two Bidirectional LSTMs over an Embedding, any length."""
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = L.Embedding(vocab, dim)(inputs)
    x = L.Bidirectional(L.LSTM(units, return_sequences=True))(x)
    x = L.Bidirectional(L.LSTM(units))(x)
    return keras.Model(inputs, L.Dense(1, activation="sigmoid")(x))


def models() -> dict[str, keras.Model]:
    """File stem → model, seeded."""
    keras.utils.set_random_seed(0)
    made = {
        "imdb_lstm": imdb_lstm(),
        "imdb_bidirectional": imdb_bidirectional(),
        # The learner's own: integer-coded sequences (n, 31) over 25 characters, an Embedding first.
        "chars_embedding": keras.Sequential(
            [keras.Input((31,)), L.Embedding(25, 16), L.LSTM(32), L.Dense(25, activation="softmax")]
        ),
        "masking": keras.Sequential([keras.Input((10, 3)), L.Masking(mask_value=0.0), L.LSTM(8), L.Dense(1)]),
        "time_distributed": keras.Sequential(
            [keras.Input((10, 2)), L.LSTM(8, return_sequences=True), L.TimeDistributed(L.Dense(1))]
        ),
        "conv1d_lstm": keras.Sequential(
            [keras.Input((20, 4)), L.Conv1D(8, 3, activation="relu"), L.MaxPooling1D(2), L.LSTM(8), L.Dense(1)]
        ),
        "layer_norm": keras.Sequential(
            [keras.Input((10, 3)), L.LSTM(8, return_sequences=True), L.LayerNormalization(), L.LSTM(4), L.Dense(1)]
        ),
        "dense_head": keras.Sequential([keras.Input((12, 2)), L.LSTM(16), L.Dense(25, activation="relu"), L.Dense(1)]),
        "stateful": keras.Sequential([keras.Input(batch_shape=(1, 3, 1)), L.LSTM(4, stateful=True), L.Dense(1)]),
        "embedding_mask_bidirectional_sum": keras.Sequential(
            [
                keras.Input((15,)),
                L.Embedding(50, 8, mask_zero=True),
                L.Bidirectional(L.LSTM(6, return_sequences=True), merge_mode="sum"),
                L.Dropout(0.3),
                L.LSTM(4),
                L.Dense(2, activation="softmax"),
            ]
        ),
        "backwards_masked_pooling": keras.Sequential(
            [
                keras.Input((9,)),
                L.Embedding(30, 5, mask_zero=True),
                L.LSTM(6, go_backwards=True, return_sequences=True),
                L.GlobalAveragePooling1D(),
                L.Dense(1),
            ]
        ),
    }
    inputs = keras.Input((8, 3))
    forward, backward = L.Bidirectional(L.LSTM(5, return_sequences=True), merge_mode=None)(inputs)
    x = L.Concatenate()([forward, backward])
    x = L.Bidirectional(L.LSTM(3), merge_mode="ave")(x)
    made["bidirectional_unmerged_ave"] = keras.Model(inputs, L.Dense(1)(x))
    # The character seq2seq of Keras's "sequence to sequence" example: the decoder starts from the encoder's h, c.
    encoder_inputs = keras.Input((None, 7), name="encoder_inputs")
    _, h, c = L.LSTM(16, return_state=True, name="encoder")(encoder_inputs)
    decoder_inputs = keras.Input((None, 9), name="decoder_inputs")
    y, _, _ = L.LSTM(16, return_sequences=True, return_state=True, name="decoder")(decoder_inputs, initial_state=[h, c])
    made["seq2seq"] = keras.Model([encoder_inputs, decoder_inputs], L.Dense(9, activation="softmax")(y))
    # Refused, each with a message naming the layer.
    made["refused_gru"] = keras.Sequential([keras.Input((None,), dtype="int32"), L.Embedding(100, 8), L.GRU(4), L.Dense(1)])
    made["refused_convlstm"] = keras.Sequential([keras.Input((4, 5, 2)), L.ConvLSTM1D(2, 3), L.Flatten(), L.Dense(1)])
    made["refused_bidirectional_gru"] = keras.Sequential([keras.Input((6, 2)), L.Bidirectional(L.GRU(3)), L.Dense(1)])
    rng = np.random.default_rng(1)
    for model in made.values():  # weights a trained model might have: gates far from one half
        model.set_weights([w + rng.normal(scale=0.4, size=w.shape).astype(np.float32) for w in model.get_weights()])
    return made


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for stem, model in models().items():
        model.save(HERE / f"{stem}.keras")
        model.save(HERE / f"{stem}.h5")
    if "--full-size" in sys.argv:
        full = HERE / "full_size"
        full.mkdir(exist_ok=True)
        keras.utils.set_random_seed(0)
        imdb_lstm(20_000, 128, 128).save(full / "imdb_lstm.keras")
        imdb_bidirectional(20_000, 128, 64).save(full / "imdb_bidirectional.keras")


if __name__ == "__main__":
    main()
