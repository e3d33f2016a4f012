"""A learner's text as a character task: its vocabulary, its integer coding, next-character windows split in
order (the first 90% train, the rest is held out), the unigram model as the bar to clear, and quantities the probes
look for (inside quotes or brackets, the position in the line, vowels).

The model is ``Embedding(V, d) → LSTM → Dense(V, softmax)``, answering at every step: the same real model the
sliders build with token ids in.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import numpy as np

from explorer.config import LSTMConfig
from explorer.i18n import N_, Message
from explorer.training.tasks import Task, TaskData
from explorer.yourdata.table import DataError, read_utf8

MAX_TEXT_BYTES = 100_000
MIN_CHARACTERS = 300
MAX_VOCABULARY = 96  # the most frequent characters; any other is coded as `OTHER`
OTHER = "¤"
PREFIX = "text:"
TOO_BIG = N_("The text is {size} bytes; the limit is {limit}. Use a shorter text.")
NOT_UTF8 = N_("The text is not UTF-8 (byte {start}): save it as UTF-8 plain text.")
BINARY = N_("The text contains binary data; use plain text.")
TRAIN_SHARE = 0.9
DEFAULT_TIMESTEPS, DEFAULT_UNITS, DEFAULT_EMBED = 32, 64, 16
DEFAULT_EPOCHS = 3  # measured on the shipped fables (5 kB): held-out loss is lowest near here, then it overfits
VOWELS = set("aeiouAEIOUäöüéèàâêîôûáíóúAEIOU")
SHOWN = {" ": "␣", "\n": "↵", "\t": "⇥"}  # how a step's character is labelled where a blank would vanish


@dataclass(frozen=True, eq=False)
class Corpus:
    """A text coded as integers.

    Attributes:
        text: the text (line ends made ``\\n``).
        vocabulary: the characters, id order (the most frequent first; `OTHER` last when some were left out).
        ids: (N,) int32 each character's id.
        digest: sha256 of the text (hex).
        codes: the ids are a learner's own integer codes (`corpus_from_codes`), not characters of a text.
    """

    text: str
    vocabulary: tuple[str, ...]
    ids: np.ndarray
    digest: str
    codes: bool = False

    @property
    def size(self) -> int:
        """V, the Embedding's ``input_dim``."""
        return len(self.vocabulary)

    def key(self) -> str:
        """The task key (`PREFIX` and the digest), as the URL's ``task=`` carries it."""
        return PREFIX + self.digest[:12]

    def encode(self, text: str) -> np.ndarray:
        """(n,) ids of ``text`` (a character outside the vocabulary: `OTHER`'s id, or the most frequent one)."""
        index = {c: k for k, c in enumerate(self.vocabulary)}
        fallback = index.get(OTHER, 0)
        return np.array([index.get(c, fallback) for c in text], np.int32)

    def decode(self, ids) -> str:
        return "".join(self.vocabulary[int(k)] for k in ids)


def is_text_key(key: str) -> bool:
    """Whether ``key`` spells a text task (whether or not its text is here)."""
    digest = key.removeprefix(PREFIX)
    return key.startswith(PREFIX) and len(digest) == 12 and all(c in "0123456789abcdef" for c in digest)


def parse_text(data: bytes | str, *, max_bytes: int = MAX_TEXT_BYTES) -> Corpus:
    """Code a text by character.

    Raises:
        DataError: too long, not UTF-8, binary, too short, or a single character.
    """
    text = read_utf8(data, max_bytes, too_big=TOO_BIG, not_utf8=NOT_UTF8, binary=BINARY)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) < MIN_CHARACTERS:
        raise DataError(
            Message(
                "The text has {n} characters; a model needs at least {least} to learn from.", n=len(text), least=MIN_CHARACTERS
            )
        )
    counts = Counter(text)
    if len(counts) < 2:
        raise DataError(Message("The text is one character repeated: there is nothing to predict."))
    common = [c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    vocabulary = tuple(common[:MAX_VOCABULARY] + ([OTHER] if len(common) > MAX_VOCABULARY else []))
    index = {c: k for k, c in enumerate(vocabulary)}
    other = index.get(OTHER, 0)
    ids = np.array([index.get(c, other) for c in text], np.int32)
    ids.setflags(write=False)
    return Corpus(text, vocabulary, ids, hashlib.sha256(text.encode("utf-8")).hexdigest())


CODE_SYMBOLS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # one character per code, for the key


def corpus_from_codes(codes: np.ndarray) -> Corpus:
    """A series of integer symbol codes (the data shaper's ``(n, 31)`` over 25 characters) as a next-code task: each
    code is its own token id.

    Raises:
        DataError: codes that are not 0, 1, 2, …, more than `CODE_SYMBOLS` of them, one code only, or too few.
    """
    codes = np.asarray(codes)
    if codes.size == 0 or codes.min() < 0 or not np.all(codes == np.round(codes)):
        raise DataError(Message("One-hot and Embedding need integer symbol codes 0, 1, 2, …; these values are not."))
    ids = codes.astype(np.int32)
    size = int(ids.max()) + 1
    if size > len(CODE_SYMBOLS) or size < 2:
        raise DataError(
            Message("A next-code task takes 2 to {most} different codes; this series has {n}.", most=len(CODE_SYMBOLS), n=size)
        )
    if len(ids) < MIN_CHARACTERS:
        raise DataError(
            Message("The series has {n} codes; a model needs at least {least} to learn from.", n=len(ids), least=MIN_CHARACTERS)
        )
    text = "".join(CODE_SYMBOLS[k] for k in ids)
    ids.setflags(write=False)
    return Corpus(text, tuple(CODE_SYMBOLS[:size]), ids, hashlib.sha256(b"codes:" + text.encode()).hexdigest(), codes=True)


def text_probes(text: str) -> dict[str, np.ndarray]:
    """Per character: inside quotes (0/1), inside brackets (0/1), the position in its line, a vowel (0/1)."""
    n = len(text)
    quoted, bracketed, column, vowel = (np.zeros(n, np.float32) for _ in range(4))
    inside_quote, depth, col = False, 0, 0
    for k, c in enumerate(text):
        if c in '"“”':
            inside_quote = not inside_quote if c == '"' else c == "“"
        depth = max(0, depth + (c in "([{") - (c in ")]}"))
        quoted[k], bracketed[k] = inside_quote, depth > 0
        column[k] = col
        col = 0 if c == "\n" else col + 1
        vowel[k] = c in VOWELS
    return {"quoted": quoted, "bracketed": bracketed, "column": column, "vowel": vowel}


@dataclass(frozen=True, eq=False)
class TextTask(Task):
    """The built-in `Task` interface over a learner's `Corpus` (``corpus`` is required)."""

    corpus: Corpus | None = None

    @property
    def split(self) -> int:
        return int(len(self.corpus.ids) * TRAIN_SHARE)

    def _starts(self, timesteps: int, part: str) -> np.ndarray:
        lo, hi = self.timesteps_range
        if not lo <= timesteps <= hi:
            raise ValueError(f"this text takes {lo}–{hi} timesteps, got {timesteps}")
        if part == "train":  # windows and their next characters inside the training part
            return np.arange(0, self.split - timesteps)
        return np.arange(self.split, len(self.corpus.ids) - timesteps)

    def _data(self, starts: np.ndarray, timesteps: int) -> TaskData:
        rows = starts[:, None] + np.arange(timesteps)[None, :]  # (n, T)
        ids = self.corpus.ids
        x, y = ids[rows].astype(np.int32), ids[rows + 1].astype(np.int64)  # (n, T) each: the next character
        if self.corpus.codes:  # a learner's codes: labelled by their numbers, nothing nameable to probe
            chars, probes = np.array([str(k) for k in range(self.corpus.size)]), {}
        else:
            chars = np.array([SHOWN.get(c, c) for c in self.corpus.vocabulary])
            probes = {name: values[rows] for name, values in self._probes.items()}
        return TaskData(x, y, chars[x], probes, starts)

    @property
    def _probes(self) -> dict[str, np.ndarray]:
        cache = self.__dict__.get("_probe_cache")
        if cache is None:
            cache = text_probes(self.corpus.text)
            object.__setattr__(self, "_probe_cache", cache)
        return cache

    def generate(self, n: int, timesteps: int, seed: int) -> TaskData:
        """``n`` training windows drawn with replacement (seeded)."""
        starts = self._starts(timesteps, "train")
        return self._data(np.sort(np.random.default_rng(seed).choice(starts, size=int(n))), timesteps)

    def held_out(self, n: int, timesteps: int, seed: int) -> TaskData:
        """Up to ``n`` held-out windows, evenly spread over the held-out part (``seed`` unused)."""
        starts = self._starts(timesteps, "held_out")
        picked = np.unique(np.linspace(0, len(starts) - 1, min(int(n), len(starts))).round().astype(int))
        return self._data(starts[picked], timesteps)

    def unigram(self) -> np.ndarray:
        """(V,) each character's share of the training part (add-one smoothed): the model without memory or context."""
        counts = np.bincount(self.corpus.ids[: self.split], minlength=self.corpus.size) + 1.0
        return (counts / counts.sum()).astype(np.float32)

    def predict_memoryless(self, data: TaskData) -> np.ndarray:
        """The unigram distribution at every step, (N, T, V)."""
        return np.broadcast_to(self.unigram(), (*data.y.shape, self.corpus.size))

    def fit_config(self, cfg: LSTMConfig) -> LSTMConfig:
        """``cfg`` with token ids over this vocabulary in, a Dense(V, softmax) answer at every step, no Bidirectional."""
        lo, hi = self.timesteps_range
        return cfg.replace(
            input_kind="tokens",
            vocab=self.corpus.size,
            mask_zero=False,
            bidirectional=(),
            go_backwards=False,
            timesteps=min(max(cfg.timesteps, lo), hi),
            return_sequences=(*cfg.return_sequences[:-1], True),
            head_units=self.corpus.size,
            head_activation="softmax",
        )

    def default_config(self, seed: int = 0) -> LSTMConfig:
        cfg = LSTMConfig(timesteps=self.default_timesteps, units=(self.default_units,), return_sequences=(True,), seed=seed)
        return self.fit_config(cfg.replace(input_kind="tokens", vocab=self.corpus.size, embed_dim=DEFAULT_EMBED))

    def problems(self, cfg: LSTMConfig) -> list[Message]:
        out = []
        if cfg.input_kind != "tokens" or cfg.vocab != self.corpus.size:
            out.append(Message("its input is token ids over its {v} characters, through an Embedding", v=self.corpus.size))
        if cfg.bidirectional and any(cfg.bidirectional):
            out.append(Message("a Bidirectional layer would read the next character it is asked to predict"))
        if cfg.mask_zero:
            out.append(Message("its text has no padding: mask_zero must be off"))
        if cfg.go_backwards:
            out.append(Message("go_backwards would read each window from its end: the next character comes after it"))
        lo, hi = self.timesteps_range
        if not lo <= cfg.timesteps <= hi:
            out.append(Message("it takes {lo}–{hi} timesteps, not {got}", lo=lo, hi=hi, got=cfg.timesteps))
        if not cfg.return_sequences[-1]:
            out.append(Message("the last LSTM needs return_sequences=True: it answers at every step"))
        if (cfg.head_units, cfg.head_activation) != (self.corpus.size, "softmax"):
            out.append(
                Message("the answer needs a Dense({units}, {activation}) head", units=self.corpus.size, activation="softmax")
            )
        return out


def text_task(corpus: Corpus) -> TextTask:
    """The next-character task of ``corpus``."""
    held_out = len(corpus.ids) - int(len(corpus.ids) * TRAIN_SHARE)
    longest = min(200, held_out // 2)  # a window leaves held-out windows to score
    return TextTask(
        key=corpus.key(),
        title=N_("Your text"),
        teaches=N_("Next character: from the characters so far, the chance of each one to come."),
        features=0,
        head_units=corpus.size,
        head_activation="softmax",
        per_step=True,
        timesteps_range=(2, max(2, longest)),
        default_timesteps=min(DEFAULT_TIMESTEPS, max(2, longest)),
        default_units=DEFAULT_UNITS,
        loss="sparse_categorical_crossentropy",
        metric=(N_("cross-entropy (nats per character)"), False),
        threshold=lambda baseline: baseline,
        threshold_text=N_("cross-entropy below the unigram model's"),
        make=lambda n, t, rng: None,
        epochs=DEFAULT_EPOCHS,
        learning_rate=0.01,
        baseline_name=N_("unigram model"),
        corpus=corpus,
    )
