"""Every LSTM inside a real model: an ``Embedding`` in front, ``Bidirectional`` around, ``Masking``, heads and other
layers between, an encoder handing its ``h, c`` to a decoder.

Modules, one idea each:

- `structure`: what the app knows of such a model (`RealModel`: its layers as `Box` es, its LSTMs as `Site` s, the
  tensors that reached each LSTM and what Keras made of them). NumPy only.
- `samples`: sample inputs made for each of the model's inputs (token ids with padding, or sequences). NumPy only.
- `reading`: `read_real_model`, in the fenced loader: walks the Keras graph, takes the tensor that reaches each LSTM
  from the model itself (a Keras sub-model up to the layer's input, its mask and initial state), and refuses plainly
  what it cannot trace.
- `tracing`: each LSTM traced in NumPy from that tensor (masked steps skipped, initial states, both directions of a
  ``Bidirectional``, merged as Keras merges them) and checked against Keras's own outputs.
- `wire`: a `RealModel` as data only (JSON + ``.npz``), from the loader process to the server.
"""
