"""An uploaded model's weights as the views take them: like a training snapshot, named by the file's hash."""

from __future__ import annotations

from explorer.i18n import _
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


def describe(weights: TrainedWeights | None) -> str:
    """What the views show, for captions: the Keras weights, a snapshot, or a learner's file."""
    if weights is None:
        return _("the Keras weights")
    if isinstance(weights, UploadedWeights):
        return _("your model's weights ({name})").format(name=weights.name)
    return _("the weights after training step {step}").format(step=weights.step)
