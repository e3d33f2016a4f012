"""Text written by a trained character model, one character at a time, each prediction fed back in.

Two ways to keep going, side by side on the page:

- *window* (``stateful=False``): every step reads the last ``T`` characters again from a zero state, as the model
  was trained (a sliding window);
- *carried state* (``stateful=True``): the state after each character is kept and the next character alone is fed,
  as a Keras ``stateful=True`` model with batch 1 would be: the model remembers further back than ``T``, over a
  context it never trained on.
"""

from __future__ import annotations

import numpy as np

from explorer.config import LSTMConfig
from explorer.reference.activations import HEAD_FUNCTIONS
from explorer.reference.embedding import embed
from explorer.reference.forward import lstm_layer
from explorer.reference.real_forward import next_lstm_weights, real_forward
from explorer.yourdata.text import Corpus

TEMPERATURES = (0.0, 0.3, 0.5, 0.8, 1.0, 1.2, 1.5)
MAX_LENGTH = 600


def _parts(cfg: LSTMConfig, arrays: tuple[np.ndarray, ...]):
    """The Embedding's table, each layer's `LSTMWeights` and the head's kernel and bias."""
    it = iter(arrays)
    table = next(it)
    layers = [next_lstm_weights(cfg, k, it, f"lstm_{k + 1}") for k in range(cfg.n_layers)]
    return table, layers, next(it), next(it)


def _sample(p: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """A character id from the distribution ``p`` (V,) sharpened or flattened by ``temperature`` (0: the likeliest)."""
    if temperature <= 0:
        return int(np.argmax(p))
    logits = np.log(np.clip(p.astype(np.float64), 1e-12, 1.0)) / temperature
    q = np.exp(logits - logits.max())
    return int(rng.choice(len(q), p=q / q.sum()))


class CarriedState:
    """A character model fed one character at a time, its ``h, c`` kept between calls (Keras's ``stateful=True``)."""

    def __init__(self, cfg: LSTMConfig, arrays: tuple[np.ndarray, ...]):
        self.cfg = cfg
        self.table, self.layers, self.kernel, self.bias = _parts(cfg, arrays)
        self.states = [(None, None)] * cfg.n_layers
        self.fed = 0  # characters fed so far

    def feed(self, ids: np.ndarray) -> np.ndarray:
        """Feed ``ids`` (n,) in order; returns the next character's distribution (V,) after the last one."""
        x = embed(self.table, np.asarray(ids)[None, :])  # (1, n, D)
        self.fed += x.shape[1]
        for k, w in enumerate(self.layers):
            h0, c0 = self.states[k]
            tr = lstm_layer(w, x, h0, c0)
            self.states[k] = (tr.final_h, tr.final_c)
            x = tr.output  # (1, n, U)
        return HEAD_FUNCTIONS[self.cfg.head_activation](x[0, -1] @ self.kernel + self.bias)


def generate_text(
    cfg: LSTMConfig,
    arrays: tuple[np.ndarray, ...],
    corpus: Corpus,
    prompt: str,
    length: int,
    *,
    temperature: float = 0.5,
    stateful: bool = False,
    seed: int = 0,
) -> str:
    """``length`` characters that follow ``prompt``, each predicted from what came before and fed back in.

    Args:
        cfg: the character model (`TextTask.fit_config`: token ids in, Dense(V, softmax) at every step).
        arrays: its weights, ``model.get_weights()`` order.
        corpus: the text's vocabulary (characters outside it are coded as `OTHER`).
        prompt: where to start (at least one character).
        length: characters to write (≤ `MAX_LENGTH`).
        temperature: 0 takes the likeliest character; higher flattens the choice.
        stateful: carry the state (see the module's note) instead of re-reading the last ``T`` characters.
        seed: the sampling's seed (the same arguments give the same text).
    """
    rng = np.random.default_rng(seed)
    ids = list(corpus.encode(prompt or corpus.text[0]))
    carried = CarriedState(cfg, arrays) if stateful else None
    p = carried.feed(np.array(ids)) if carried else None
    out = []
    for _ in range(min(length, MAX_LENGTH)):
        if not stateful:
            window = np.array(ids[-cfg.timesteps :])[None, :]  # (1, ≤T) the last T characters
            p = real_forward(cfg, arrays, window)[0, -1]
        nxt = _sample(p, temperature, rng)
        ids.append(nxt)
        out.append(nxt)
        if carried:
            p = carried.feed(np.array([nxt]))
    return corpus.decode(out)
