"""Sidebar: open your own Keras model; it stays in this session only.

The uploader's callback checks the file in the server (its size, the zip's directory, the config's declared
weights: `explorer.upload.loading.precheck_upload`, milliseconds) and hands what passes to the fenced loader
process (`explorer.upload.fence`); the page never waits for it. While the loader works, a fragment polls
its future; when it is done, the page reruns and `apply_finished_upload` sets the sliders to the model's shape
before any widget is drawn.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from explorer.i18n import Message, _, use_language
from explorer.realmodel.structure import RealModel
from explorer.ui.controls import apply_model, page_language
from explorer.ui.real_model import picked, real_model_notice, show_site, site_weights
from explorer.ui.upload_files import start_upload_sweeper
from explorer.ui.view_fragment import UPLOAD_POLLING
from explorer.upload.admission import SessionUploads
from explorer.upload.errors import UploadError
from explorer.upload.fence import loader_queue
from explorer.upload.limits import MAX_BYTES
from explorer.upload.loading import precheck_upload
from explorer.upload.stack import UploadedModel
from explorer.upload.weights import SiteWeights, UploadedWeights
from explorer.view import ViewConfig

STATE = "_upload"  # UploadedModel, or the UploadError message, of this session's file
PENDING = "_upload_job"  # PendingUpload while the fenced loader opens a file
ALLOWANCE = "_upload_allowance"  # SessionUploads: this session's recent uploads
POLL_S = 0.5


@dataclass(frozen=True)
class PendingUpload:
    """A file the fenced loader is opening for this session."""

    future: object  # concurrent.futures.Future[UploadedModel]
    name: str
    started: float


def _refuse(message) -> None:
    st.session_state[STATE] = message  # a Message: translated when shown


def _on_upload() -> None:
    """Uploader callback (before the rerun): check the file here, then queue it on the fenced loader."""
    file = st.session_state.get("model_file")
    if file is None:  # removed
        st.session_state.pop(STATE, None)
        return
    pending = st.session_state.get(PENDING)
    if pending is not None and not pending.future.done():
        _refuse(Message("`{name}` is still being opened; one file at a time.", name=pending.name))
        return
    if wait := st.session_state.setdefault(ALLOWANCE, SessionUploads()).refusal():
        _refuse(wait)
        return
    try:
        data = file.getvalue()
        precheck_upload(data)  # pure Python: the directory and the declared sizes, before anything is inflated
        future = loader_queue().submit(data, file.name)
    except UploadError as err:
        _refuse(err.args[0] if err.args else str(err))
        return
    except Exception as err:  # a bug of ours must not cost the learner their page
        _refuse(Message("The file could not be opened ({error}).", error=type(err).__name__))
        return
    st.session_state.pop(STATE, None)
    st.session_state[PENDING] = PendingUpload(future, file.name, time.monotonic())


def _cancel() -> None:
    pending = st.session_state.pop(PENDING, None)
    st.session_state[UPLOAD_POLLING] = False
    if pending is not None:
        pending.future.cancel()  # a file still queued never reaches the loader; one being opened finishes unseen


def apply_finished_upload() -> None:
    """At the top of a run of the page, before any widget: take a finished load's result, and on success show the
    model in every view (the sliders move to its shape)."""
    pending = st.session_state.get(PENDING)
    if pending is None or not pending.future.done():
        return
    st.session_state.pop(PENDING)
    st.session_state[UPLOAD_POLLING] = False
    if pending.future.cancelled():
        return
    try:
        uploaded = pending.future.result()
    except UploadError as err:
        _refuse(err.args[0] if err.args else str(err))
        return
    except Exception as err:
        _refuse(Message("The file could not be opened ({error}).", error=type(err).__name__))
        return
    st.session_state[STATE] = uploaded
    st.session_state["task"] = ""  # the learner's own weights, not a task's training
    if isinstance(uploaded, RealModel):  # every LSTM inside it: the views show the first, the picker the others
        show_site(uploaded, 0)
        return
    apply_model(uploaded.cfg)


def _status(pending: PendingUpload) -> None:
    if pending.future.done():
        st.rerun()  # the page: apply_finished_upload shows the result
    seconds = time.monotonic() - pending.started
    first = loader_queue().loader.pid is None
    st.caption(
        ":material/hourglass_top: "
        + _("Opening `{name}` in the model loader, a separate process ({seconds} s)…").format(
            name=pending.name, seconds=f"{seconds:.0f}"
        )
        + (" " + _("The loader starts with the first file: a few seconds.") if first else "")
    )
    st.button(_("Cancel"), on_click=_cancel, key="cancel_upload")


def upload_sidebar() -> None:
    """The uploader, the status of a file being opened, and the plain message of a file that did not open."""
    start_upload_sweeper()
    with st.sidebar.expander(_("Open your own Keras model"), icon=":material/upload_file:"):
        st.file_uploader(
            _("a .keras or .h5 file"),
            type=["keras", "h5"],
            key="model_file",
            on_change=_on_upload,
            help=_(
                "A Sequential or functional Keras model with LSTM layers (an Embedding in front, Bidirectional, "
                "Masking, Dense heads, an encoder-decoder…), up to {mb} MB. Checked before it is built and loaded in a "
                "separate process in Keras's safe mode (no code from the file runs); kept in this browser session only."
            ).format(mb=MAX_BYTES // (1024 * 1024)),
        )
        pending = st.session_state.get(PENDING)
        st.session_state[UPLOAD_POLLING] = pending is not None
        if pending is not None:

            @st.fragment(run_every=POLL_S)
            def status() -> None:
                with use_language(page_language()):  # a fragment's rerun runs only this function
                    _status(pending)

            status()
        state = st.session_state.get(STATE)
        if isinstance(state, str | Message):
            st.error(str(state), icon=":material/block:")


def uploaded_weights(view: ViewConfig) -> UploadedWeights | SiteWeights | None:
    """The uploaded model's weights when the view shows its shape (and no task), else ``None``."""
    uploaded = st.session_state.get(STATE)
    if isinstance(uploaded, RealModel):
        return site_weights(uploaded, view)
    if isinstance(uploaded, UploadedModel) and not view.task and view.model == uploaded.cfg:
        return UploadedWeights(uploaded)
    return None


def back_to_upload() -> None:
    """Button callback: the sliders back at the uploaded model's shape."""
    uploaded = st.session_state.get(STATE)
    if isinstance(uploaded, UploadedModel):
        apply_model(uploaded.cfg)
    elif isinstance(uploaded, RealModel):
        show_site(uploaded, picked(uploaded))


def upload_notice(view: ViewConfig, weights) -> None:
    """Above the views: whose weights they show, and the way back when the sliders moved away."""
    uploaded = st.session_state.get(STATE)
    if isinstance(uploaded, RealModel):
        real_model_notice(uploaded, weights)
        return
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
