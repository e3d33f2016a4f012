"""A learner's own Keras model in: load it safely, find its LSTM stack, and show it with its own weights."""
