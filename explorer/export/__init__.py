"""Take it with you: the live model as a ``.keras`` file, its activations as ``.npz`` / CSV, and the code that trains it."""
