"""Config validation messages and the sample-sequence registry."""

import numpy as np
import pytest

from explorer import SEQUENCES, ConfigError, LSTMConfig, make_sequence


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"timesteps": 0}, "timesteps", "between 1 and 200"),
        ({"timesteps": 201}, "timesteps", "between 1 and 200"),
        ({"features": 1025}, "features", "between 1 and 1024"),
        ({"units": (0,), "return_sequences": (False,)}, "units", "between 1 and 256"),
        ({"units": (257,), "return_sequences": (False,)}, "units", "size of h and c"),
        ({"units": (), "return_sequences": ()}, "units", "between 1 and 4 LSTM layers"),
        ({"units": (1,) * 5, "return_sequences": (True,) * 5}, "units", "between 1 and 4 LSTM layers"),
        ({"units": (4, 4), "return_sequences": (True,)}, "return_sequences", "one per layer"),
        ({"activation": "gelu"}, "activation", "tanh, relu, sigmoid, linear"),
        ({"recurrent_activation": "tanh"}, "recurrent_activation", "sigmoid, hard_sigmoid"),
        ({"head_units": -1}, "head_units", "0 = no head"),
        ({"head_activation": "swish"}, "head_activation", "softmax"),
        ({"timesteps": 2.5}, "timesteps", "whole number"),
        ({"seed": -3}, "seed", "seed"),
        ({"go_backwards": "yes"}, "go_backwards", "True or False"),
    ],
)
def test_bad_values_raise_config_error_naming_the_field(changes, field, words):
    with pytest.raises(ConfigError) as info:
        LSTMConfig().replace(**changes)
    assert isinstance(info.value, ValueError)
    assert info.value.field == field
    assert f"`{field}`" in str(info.value)
    assert words in str(info.value)


def test_config_is_frozen_and_hashable():
    cfg = LSTMConfig(units=[3, 2], return_sequences=[True, False])
    assert cfg.units == (3, 2)
    assert hash(cfg) == hash(LSTMConfig(units=(3, 2), return_sequences=(True, False)))
    with pytest.raises(AttributeError):
        cfg.timesteps = 5


def test_head_advice_only_for_a_single_softmax_output():
    assert "always outputs 1.0" in str(LSTMConfig(head_units=1, head_activation="softmax").head_advice)
    for units, activation in ((2, "softmax"), (1, "sigmoid"), (0, "softmax"), (1, "linear")):
        assert LSTMConfig(head_units=units, head_activation=activation).head_advice is None


REQUIRED = {"sine", "square", "sawtooth", "noisy_sine", "random_walk", "step", "impulse", "text"}


def test_registry_has_the_required_generators_with_descriptions():
    assert SEQUENCES.keys() >= REQUIRED
    for kind in SEQUENCES.values():
        assert kind.label and len(kind.description) > 10


@pytest.mark.parametrize("kind", sorted(SEQUENCES))
def test_sequences_are_deterministic_shaped_and_channels_differ(kind):
    x = make_sequence(kind, timesteps=40, features=4, batch_size=3, seed=7)
    assert x.shape == (3, 40, 4) and x.dtype == np.float32
    assert np.isfinite(x).all()
    assert np.array_equal(x, make_sequence(kind, timesteps=40, features=4, batch_size=3, seed=7))
    for j in range(1, 4):
        assert not np.array_equal(x[..., 0], x[..., j]), f"channel {j} copies channel 0"
    assert not np.array_equal(x[0], x[1]), "samples of the batch should differ"
    assert not np.array_equal(x, make_sequence(kind, timesteps=40, features=4, batch_size=3, seed=8))


def test_text_one_hot_has_one_symbol_per_step():
    x = make_sequence("text", timesteps=30, features=64, batch_size=2, seed=0)
    assert np.array_equal(x.sum(axis=-1), np.ones((2, 30)))


def test_make_sequence_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Unknown sample sequence"):
        make_sequence("cosine", timesteps=3, features=1)
    with pytest.raises(ValueError, match="timesteps"):
        make_sequence("sine", timesteps=0, features=1)
