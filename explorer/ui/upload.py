"""Sidebar: open your own Keras model; it stays in this session only."""

from __future__ import annotations

import streamlit as st

from explorer.i18n import Message, _
from explorer.ui.controls import apply_model
from explorer.upload.loading import MAX_BYTES, UploadError, load_uploaded_model
from explorer.upload.stack import UploadedModel, read_stack
from explorer.upload.weights import UploadedWeights
from explorer.view import ViewConfig

STATE = "_upload"  # UploadedModel, or the UploadError message, of this session's file


def _on_upload() -> None:
    """Uploader callback (before the rerun): open the file, and on success show its model in every view."""
    file = st.session_state.get("model_file")
    st.session_state.pop(STATE, None)
    if file is None:  # removed
        return
    try:
        data = file.getvalue()
        uploaded = read_stack(load_uploaded_model(data), name=file.name, data=data)
    except UploadError as err:
        st.session_state[STATE] = err.args[0] if err.args else str(err)  # a Message: translated when shown
        return
    except Exception as err:  # a bug of ours must not cost the learner their page
        st.session_state[STATE] = Message("The file could not be opened ({error}).", error=type(err).__name__)
        return
    st.session_state[STATE] = uploaded
    st.session_state["task"] = ""  # the learner's own weights, not a task's training
    apply_model(uploaded.cfg)


def back_to_upload() -> None:
    """Button callback: the sliders back at the uploaded model's shape."""
    uploaded = st.session_state.get(STATE)
    if isinstance(uploaded, UploadedModel):
        apply_model(uploaded.cfg)


def upload_sidebar() -> None:
    """The uploader, and the plain message of a file that did not open."""
    with st.sidebar.expander(_("Open your own Keras model"), icon=":material/upload_file:"):
        st.file_uploader(
            _("a .keras or .h5 file"),
            type=["keras", "h5"],
            key="model_file",
            on_change=_on_upload,
            help=_(
                "A Sequential or functional stack of LSTM layers with an optional Dense head, up to "
                "{mb} MB. Loaded in Keras's safe mode (no code from the file runs) and kept "
                "in this browser session only."
            ).format(mb=MAX_BYTES // (1024 * 1024)),
        )
        state = st.session_state.get(STATE)
        if isinstance(state, str | Message):
            st.error(str(state), icon=":material/block:")


def uploaded_weights(view: ViewConfig) -> UploadedWeights | None:
    """The uploaded model's weights when the view shows its shape (and no task), else ``None``."""
    uploaded = st.session_state.get(STATE)
    if isinstance(uploaded, UploadedModel) and not view.task and view.model == uploaded.cfg:
        return UploadedWeights(uploaded)
    return None


def upload_notice(view: ViewConfig, weights) -> None:
    """Above the views: whose weights they show, and the way back when the sliders moved away."""
    uploaded = st.session_state.get(STATE)
    if not isinstance(uploaded, UploadedModel):
        return
    if isinstance(weights, UploadedWeights):
        notes = " ".join(map(str, uploaded.notes))
        st.info(
            _("Every view shows **your model** `{name}` with its own weights.").format(name=uploaded.name) + " " + notes,
            icon=":material/person:",
        )
    else:
        st.info(
            _(
                "Your model `{name}` is open, but the settings have moved away from its shape (or a task is "
                "chosen), so the views show a freshly initialised model."
            ).format(name=uploaded.name),
            icon=":material/person:",
        )
        st.button(_("Back to my model"), on_click=back_to_upload)
