"""An uploaded model's weights as the views take them: like a training snapshot, named by the file's hash."""

from __future__ import annotations

from explorer.i18n import _
from explorer.i18n.names import layer_label
from explorer.realmodel.sites import site_arrays
from explorer.realmodel.structure import RealModel
from explorer.training.snapshots import TrainedWeights
from explorer.upload.stack import UploadedModel


class UploadedWeights(TrainedWeights):
    """The weights of a learner's file. Equal and hashed by ``("upload", sha256)``, never by the arrays,
    so the shared caches key them by content and one session's file is not reachable from another's."""

    __slots__ = ("name",)

    def __init__(self, uploaded: UploadedModel):
        super().__init__(("upload", uploaded.digest), 0, uploaded.arrays)
        self.name = uploaded.name

    def __repr__(self) -> str:
        return f"UploadedWeights({self.name})"


class SiteWeights(TrainedWeights):
    """One LSTM of a learner's real model (`RealModel`): its weights, and the tensors that reached it, which the views
    trace instead of the sample sequences. Equal and hashed by ``("upload", sha256, site label)``."""

    __slots__ = ("index", "model", "name", "real")

    def __init__(self, real: RealModel, index: int, model=None, step: int = 0):
        super().__init__(("upload", real.digest, real.sites[index].label), step, site_arrays(real, index))
        self.real, self.index, self.name = real, index, real.name
        self.model = model  # the sliders' Keras model, for the check against Keras (an upload's ran in the loader)
        # ``step``: the training step of a sliders' model trained on a task (0: its seeded initial weights)

    @property
    def from_file(self) -> bool:
        """One LSTM of a learner's file (not of the sliders' real model)."""
        return self.model is None

    @property
    def label(self) -> str:
        """The LSTM shown: ``lstm_1`` or ``bidirectional · backward``."""
        return self.real.sites[self.index].label

    def __repr__(self) -> str:
        return f"SiteWeights({self.name}, {self.label})"


def describe(weights: TrainedWeights | None) -> str:
    """What the views show, for captions: the Keras weights, a snapshot, or a learner's file."""
    if weights is None:
        return _("the Keras weights")
    if isinstance(weights, SiteWeights) and not weights.from_file and weights.step:  # the sliders' model, trained
        return _("the weights after training step {step}").format(step=weights.step) + f" ({layer_label(weights.label)})"
    if isinstance(weights, SiteWeights) and not weights.from_file:
        return _("the Keras weights ({layer})").format(layer=layer_label(weights.label))
    if isinstance(weights, SiteWeights):
        return _("your model's weights ({name}, {layer})").format(name=weights.name, layer=layer_label(weights.label))
    if isinstance(weights, UploadedWeights):
        return _("your model's weights ({name})").format(name=weights.name)
    return _("the weights after training step {step}").format(step=weights.step)
