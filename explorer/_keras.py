"""Import Keras once, on the TensorFlow backend, with TensorFlow's start-up chatter quieted."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide oneDNN / CPU-feature notices

import keras
import tensorflow as tf

# One compiled check function per model is by design; TF would warn about "retracing".
tf.get_logger().setLevel("ERROR")

__all__ = ["keras", "tf"]
