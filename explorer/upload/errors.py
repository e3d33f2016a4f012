"""The one error an upload ends in: a plain message for the learner."""

from __future__ import annotations


class UploadError(ValueError):
    """A file the app will not open; ``args[0]`` is the message (a `Message`, translated when shown)."""
