"""The gradient through time of a recurrent model's loss, exactly, in NumPy.

For a stack of LSTM, GRU or SimpleRNN layers with a Dense head, a batch and its targets, `gradient_through_time`
runs the model forward, takes the task's loss back through every step, and says how much reaches each step:
``‖∂L/∂x_t‖`` (the input), ``‖∂L/∂h_t‖`` and for an LSTM ``‖∂L/∂c_t‖`` (each layer's states), and the product of the
forget gates from each step to the last (the cell path's own factor, Hochreiter's constant error carousel).
Steps are in the data's time order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.reference.activations import HEAD_FUNCTIONS
from explorer.reference.directions import reads_data_backwards
from explorer.reference.forward import lstm_layer
from explorer.reference.weights import DenseWeights, LSTMWeights, lstm_weights
from explorer.whygates.backprop import LayerGradient, cell_back, lstm_back
from explorer.whygates.cells import CellWeights, cell_weights, run_cell

LOSSES = {"sparse_categorical_crossentropy": "softmax", "mse": "linear"}  # loss -> the head activation it takes


@dataclass(frozen=True)
class RecurrentStack:
    """A model's recurrent layers (first to last) and its Dense head, as plain NumPy."""

    layers: tuple[LSTMWeights | CellWeights, ...]
    head: DenseWeights

    @property
    def kind(self) -> str:
        """``LSTM``, ``GRU`` or ``SimpleRNN`` (the first layer's; a stack mixes none in this app)."""
        first = self.layers[0]
        return "LSTM" if isinstance(first, LSTMWeights) else first.kind


@dataclass(frozen=True)
class GradientThroughTime:
    """How much of the loss's gradient reaches each step (data time order; norms per sample, averaged over the batch).

    Attributes:
        kind: the recurrent layers' kind.
        loss: the loss on the batch.
        dx: (T,) ``‖∂L/∂x_t‖``.
        dh: per layer, (T,) ``‖∂L/∂h_t‖``.
        dc: per layer, (T,) ``‖∂L/∂c_t‖`` (LSTM layers; ``None`` for the others).
        forget_product: per layer, (T, U) the mean over the batch of ``f_{t+1}·…·f_T`` for each unit (LSTM; else
            ``None``): what the cell path alone multiplies ``∂L/∂c_T`` by on its way back to step t.
        grad_x: (B, T, F) ``∂L/∂x`` itself.
    """

    kind: str
    loss: float
    dx: np.ndarray
    dh: tuple[np.ndarray, ...]
    dc: tuple[np.ndarray | None, ...]
    forget_product: tuple[np.ndarray | None, ...]
    grad_x: np.ndarray

    @property
    def remembering_unit(self) -> int:
        """The first LSTM layer's unit whose forget gates keep the most of ``c`` from step 1 to the last."""
        return int(np.argmax(self.forget_product[0][0]))


def stack_weights(model) -> RecurrentStack:
    """Read a Keras ``Sequential`` of LSTM, GRU or SimpleRNN layers and one Dense head.

    Raises:
        ValueError: any other layer, a missing head, or activations the NumPy pass does not follow.
    """
    layers, head = [], None
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":  # a functional model's input (the app's own models are functional)
            continue
        if kind == "LSTM":
            w = lstm_weights(layer)
            if (w.activation, w.recurrent_activation) != ("tanh", "sigmoid"):
                raise ValueError(f"{layer.name}: only the default activations (tanh, sigmoid) are followed")
            layers.append(w)
        elif kind in ("GRU", "SimpleRNN"):
            layers.append(cell_weights(layer))
        elif kind == "Dense" and head is None:
            kernel, bias = (np.asarray(a, np.float32) for a in layer.get_weights())
            head = DenseWeights(layer.name, kernel, bias, layer.activation.__name__)
        else:
            raise ValueError(f"{layer.name} ({kind}): the gradient is followed through recurrent layers and one Dense head")
    if not layers or head is None:
        raise ValueError("a recurrent layer and a Dense head are needed")
    return RecurrentStack(tuple(layers), head)


def stack_from_arrays(kind: str, arrays, *, return_sequences: bool, head_activation: str) -> RecurrentStack:
    """A one-layer model's `RecurrentStack` from its ``get_weights()`` arrays (kernel, recurrent kernel, bias, head
    kernel, head bias), as a training snapshot holds them; no Keras."""
    kernel, recurrent, bias, head_kernel, head_bias = (np.asarray(a, np.float32) for a in arrays)
    name = kind.lower()
    if kind == "LSTM":
        layer = LSTMWeights(name, kernel, recurrent, bias, "tanh", "sigmoid", return_sequences, False, True)
    else:
        layer = CellWeights(kind, name, kernel, recurrent, bias, return_sequences, False)
    return RecurrentStack((layer,), DenseWeights("head", head_kernel, head_bias, head_activation))


def run_stack(stack: RecurrentStack, x: np.ndarray) -> list:
    """Every layer's forward run on ``x`` (B, T, F): an LSTM's `LayerTrace`, a GRU's or SimpleRNN's `CellRun`."""
    runs, inputs = [], np.asarray(x, np.float32)
    for k, w in enumerate(stack.layers):
        if k and not stack.layers[k - 1].return_sequences:
            raise ValueError(f"{w.name}: the layer before it must return sequences")
        run = lstm_layer(w, inputs) if isinstance(w, LSTMWeights) else run_cell(w, inputs)
        runs.append(run)
        inputs = np.ascontiguousarray(run.h)  # Keras passes the sequence on in the order the cell took it
    return runs


def stack_output(stack: RecurrentStack, x: np.ndarray) -> np.ndarray:
    """The model's prediction on ``x``: the head on the last layer's sequence, or on its last step."""
    last = run_stack(stack, x)[-1].h
    out = last if stack.layers[-1].return_sequences else last[:, -1]
    return HEAD_FUNCTIONS[stack.head.activation](out @ stack.head.kernel + stack.head.bias).astype(np.float32)


def _loss_and_head_gradient(stack: RecurrentStack, out: np.ndarray, y: np.ndarray, loss: str) -> tuple[float, np.ndarray]:
    """The loss (Keras's mean) and ``∂L/∂(the last layer's output)``, shaped like ``out``."""
    head = stack.head
    if LOSSES.get(loss) != head.activation:
        raise ValueError(f"the loss {loss} with a {head.activation} head is not followed")
    logits = out @ head.kernel + head.bias  # (B, [T,] H)
    pred = HEAD_FUNCTIONS[head.activation](logits)
    count = int(np.prod(logits.shape[:-1]))  # Keras averages over every sample (and step)
    if loss == "mse":
        diff = pred - np.asarray(y, np.float32).reshape(pred.shape)
        value = float(np.mean(diff**2))
        dlogits = 2 * diff / diff.size
    else:
        labels = np.asarray(y).reshape(logits.shape[:-1]).astype(np.int64)
        picked = np.take_along_axis(pred, labels[..., None], axis=-1)[..., 0]
        value = float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0))))
        dlogits = pred.copy()
        np.put_along_axis(dlogits, labels[..., None], np.take_along_axis(dlogits, labels[..., None], -1) - 1, axis=-1)
        dlogits /= count
    return value, (dlogits @ head.kernel.T).astype(np.float32)


def gradient_through_time(stack: RecurrentStack, x: np.ndarray, y: np.ndarray, loss: str) -> GradientThroughTime:
    """Run ``stack`` on ``x`` (B, T, F), take ``loss`` against ``y`` back through every step.

    Args:
        stack: the model's weights (`stack_weights`).
        x: (B, T, F) the batch, in the data's time order.
        y: the targets: (B,) or (B, T) class ids for ``sparse_categorical_crossentropy``; (B, [T,] H) for ``mse``.
        loss: ``"sparse_categorical_crossentropy"`` (softmax head) or ``"mse"`` (linear head).

    Returns:
        The `GradientThroughTime`: equal to ``tf.GradientTape`` on the Keras model (tests/test_whygates.py).
    """
    runs = run_stack(stack, x)
    last = stack.layers[-1]
    value, d_out = _loss_and_head_gradient(stack, runs[-1].h if last.return_sequences else runs[-1].h[:, -1], y, loss)
    up = d_out if last.return_sequences else np.zeros_like(runs[-1].h)
    if not last.return_sequences:
        up[:, -1] = d_out
    grads: list[LayerGradient] = [None] * len(runs)
    for k in range(len(runs) - 1, -1, -1):
        w = stack.layers[k]
        grads[k] = lstm_back(w, runs[k], up) if isinstance(w, LSTMWeights) else cell_back(w, runs[k], up)
        up = grads[k].dx[:, ::-1] if w.go_backwards else grads[k].dx  # back to the order this layer was handed
    backwards = reads_data_backwards([w.go_backwards for w in stack.layers])

    def in_time(a: np.ndarray, k: int) -> np.ndarray:  # (B, T, n) processing order -> (T,) mean norm, data order
        norms = np.linalg.norm(a, axis=-1).mean(axis=0)
        return norms[::-1] if backwards[k] else norms

    forget = []
    for k, run in enumerate(runs):
        if not isinstance(stack.layers[k], LSTMWeights):
            forget.append(None)
            continue
        later = np.concatenate([run.f[:, 1:], np.ones_like(run.f[:, :1])], axis=1)  # f_{t+1}, …, f_T, then 1
        product = np.cumprod(later[:, ::-1], axis=1)[:, ::-1].mean(axis=0)  # (T, U): f_{t+1}·…·f_T
        forget.append(product[::-1] if backwards[k] else product)
    grad_x = up  # the first layer's dx, in the data's own order
    return GradientThroughTime(
        stack.kind,
        value,
        np.linalg.norm(grad_x, axis=-1).mean(axis=0),
        tuple(in_time(g.dh, k) for k, g in enumerate(grads)),
        tuple(None if g.dc is None else in_time(g.dc, k) for k, g in enumerate(grads)),
        tuple(forget),
        grad_x,
    )
