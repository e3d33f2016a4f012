"""What the app knows of a real model: its layers as boxes, its LSTMs as sites, and the tensors each LSTM saw."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from explorer.reference.weights import LSTMWeights

DIRECTIONS = ("", "forward", "backward")  # "" = an LSTM on its own; else one direction of a Bidirectional


@dataclass(frozen=True)
class Box:
    """One layer of the model, as the model map draws it.

    Attributes:
        name: Keras layer name.
        kind: its class, wrappers spelled out (``"Bidirectional(LSTM)"``, ``"TimeDistributed(Dense)"``).
        inbound: names of the layers whose outputs it takes (none for an input).
        input_shapes: shapes of the tensors coming in (``None`` = batch).
        output_shapes: shapes going out (several with ``return_state``).
        params: trainable and non-trainable numbers it holds (``layer.count_params()``).
        detail: what else defines it, in Keras's words (``"input_dim=25 → output_dim=16, mask_zero=True"``).
        formula: how ``params`` follows from its sizes, with the numbers filled in (``""`` where it holds none).
    """

    name: str
    kind: str
    inbound: tuple[str, ...]
    input_shapes: tuple[tuple, ...]
    output_shapes: tuple[tuple, ...]
    params: int
    detail: str = ""
    formula: str = ""

    @property
    def is_lstm(self) -> bool:
        """Whether the app traces this layer (an ``LSTM`` or a ``Bidirectional(LSTM)``)."""
        return self.kind in ("LSTM", "Bidirectional(LSTM)")


@dataclass(frozen=True)
class Site:
    """One LSTM the app traces: a layer on its own, or one direction of a ``Bidirectional``.

    Attributes:
        layer: the Keras layer's name.
        direction: ``""``, ``"forward"`` or ``"backward"`` (`DIRECTIONS`).
        weights: its weights and options (``weights.name`` is the label, e.g. ``"bidirectional · backward"``).
        unit_forget_bias: the layer's ``unit_forget_bias`` (only for showing its arguments).
        zero_output_for_mask: a masked step returns zeros (Keras sets it inside a ``Bidirectional``) instead of the
            previous output.
        state_from: the layer whose final ``h, c`` this LSTM starts from (an encoder's), or ``""``.
        merge_mode: the ``Bidirectional``'s merge (``"concat"``, ``"sum"``, ``"mul"``, ``"ave"`` or ``None``).
    """

    layer: str
    direction: str
    weights: LSTMWeights
    unit_forget_bias: bool = True
    zero_output_for_mask: bool = False
    state_from: str = ""
    merge_mode: str | None = None

    @property
    def label(self) -> str:
        """How the layer picker names it: ``lstm_1`` or ``bidirectional · forward``."""
        return self.weights.name

    @property
    def units(self) -> int:
        return self.weights.units

    @property
    def features(self) -> int:
        """Numbers per step of the tensor that reaches it."""
        return self.weights.kernel.shape[0]


@dataclass(frozen=True)
class LayerInput:
    """What reached one traced layer in the sample batch, and what Keras made of it.

    Attributes:
        x: (B, T, F) the tensor that reached the layer, taken from the model itself.
        mask: (B, T) bool, ``False`` at padding (an ``Embedding(mask_zero=True)``'s or a ``Masking``'s), or ``None``.
        initial_state: the ``h0, c0, …`` arrays (B, U) it was called with (two per direction), or ``()``.
        keras_outputs: what Keras's layer returned on it: ``[output]`` (two for an unmerged ``Bidirectional``), then
            its states with ``return_state``.
    """

    x: np.ndarray
    mask: np.ndarray | None
    initial_state: tuple[np.ndarray, ...]
    keras_outputs: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class ModelInput:
    """One input of the model and the sample batch made for it.

    Attributes:
        name: the Keras input's name.
        shape: its shape without the batch (``None`` where any length goes).
        tokens: the input is token ids (it feeds an ``Embedding``) rather than numbers.
        padding: ``""``, ``"zero"`` (``mask_zero``) or ``"value"`` (a ``Masking`` layer's ``mask_value``).
        samples: the sample batch (B, …) the app made for it.
    """

    name: str
    shape: tuple
    tokens: bool
    padding: str
    samples: np.ndarray


@dataclass(frozen=True, eq=False)
class RealModel:
    """A learner's model with every LSTM in it made explainable.

    Attributes:
        name: the uploaded file's name.
        digest: SHA-256 of the file (the weights' identity in the shared caches).
        boxes: every layer, in the model's order.
        sites: every LSTM the app traces, in the model's order (both directions of a ``Bidirectional``).
        inputs: the model's inputs and their sample batches.
        layer_inputs: traced layer name → `LayerInput`.
        total_params: ``model.count_params()``.
        notes: what the page should say about it (`Message` s).
    """

    name: str
    digest: str
    boxes: tuple[Box, ...]
    sites: tuple[Site, ...]
    inputs: tuple[ModelInput, ...]
    layer_inputs: dict = field(default_factory=dict)
    total_params: int = 0
    notes: tuple = ()

    def site_index(self, label: str) -> int:
        """The index of the site a layer picker label names (``ValueError`` if none)."""
        for k, site in enumerate(self.sites):
            if site.label == label:
                return k
        raise ValueError(f"no LSTM {label!r} in this model")

    def box(self, name: str) -> Box:
        """The box of the layer ``name``."""
        return next(b for b in self.boxes if b.name == name)

    @property
    def batch_size(self) -> int:
        """Samples in the sample batch."""
        return len(self.inputs[0].samples)
