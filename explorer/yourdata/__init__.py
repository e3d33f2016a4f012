"""A learner's own data as a training task: a CSV's columns become windows ``(samples, T, features)`` with a
held-out part after a split in time, scaled on the training part only, judged against a naive forecast."""
