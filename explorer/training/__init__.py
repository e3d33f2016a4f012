"""Live training: toy tasks that need memory, a deterministic fit loop, snapshots, jobs, and probes.

Nothing here imports Streamlit. ``tasks`` and ``probes`` are NumPy only; ``loop`` and
``jobs`` import Keras when a model is trained.
"""
