"""Why gates: the real gradient through time of an LSTM, a GRU and a SimpleRNN, computed exactly in NumPy.

`cells` runs a GRU or SimpleRNN layer forward (an LSTM's forward is `explorer.reference`), `backprop` takes each back
through time, and `gradients` gives, for a model, a task's loss and a batch, how much of the loss's gradient reaches
every step: ``‖∂L/∂x_t‖``, ``‖∂L/∂h_t‖``, and along an LSTM's cell path ``‖∂L/∂c_t‖`` and the forget gates' product.
No Streamlit here; every number is tested against ``tf.GradientTape`` on the Keras model.
"""
