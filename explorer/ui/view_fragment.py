"""The open chart view in a fragment of its own: which widget moves rerun only it, and which rerun the page.

The graph, cell, gates and trajectories views show the focus (sample, unit, step t) and nothing else on the page
does, so a focus slider's callback (`focus_moved`) reruns only the fragment that draws the open view
(`VIEW_FRAGMENT`, in `explorer.ui.page`) instead of the page's ~90 elements.

Restarting the badge's polling uses two of Streamlit's internals, as pinned in requirements.txt: the running
fragment's id (``ThreadState``) and the ``auto_rerun`` message that ``st.fragment(run_every=…)`` sends. The browser
test and the load client's test fail if either changes.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState, get_script_run_ctx

from explorer import ConfigError
from explorer.ui.controls import panel_key, state_to_view
from explorer.view import ViewConfig

VIEW_FRAGMENT = "view"  # the fragment that draws the open view, when it is one of FOCUS_PANELS
FOCUS_PANELS = ("graph", "cell", "gates", "trajectories")  # the views a focus move reruns alone
FOCUS_KEYS = ("sample", "unit", "step", "colour_by")  # what such a move changes (not `layer`: the unit's range follows it)
BADGE_POLLING = "_badge_pending"  # session flag: the Keras badge's fragment polls for its check
JOB_POLLING = "_job_was_active"  # session flag: a job's live status polls
UPLOAD_POLLING = "_upload_pending"  # session flag: an uploaded file's status polls while the fenced loader opens it
_TIMERS = "_polling_timers"  # session: polling flag → (its fragment's id, seconds between polls)
_RESTART = "_restart_timers"  # session flag: this rerun of the view alone restarts the polling fragments' timers


def with_focus(view: ViewConfig, state) -> ViewConfig:
    """``view`` with the focus the widgets hold now (`FOCUS_KEYS`): what a fragment rerun of the view draws."""
    return view.replace(**{key: state.get(key, getattr(view, key)) for key in FOCUS_KEYS})


def focus_moved() -> None:
    """A focus widget's callback: rerun only the open view (its fragment, `VIEW_FRAGMENT`), not the page.

    Only when the open view is one of `FOCUS_PANELS`, nothing else on the page shows the focus (the lesson's note
    quotes the focused step's numbers), and the request changed nothing but the focus (`_only_focus_moved`).
    Otherwise, or when the last run drew no such fragment, the whole page reruns, as for any widget.

    While a job trains (`JOB_POLLING`) the whole page reruns: every view then shows the job's newest snapshot, which
    the view's fragment, drawn with the last run's weights, would not. So it does while an upload is being opened
    (`UPLOAD_POLLING`): the view's rerun would stop the upload status's polling timer. The Keras badge's check
    (`BADGE_POLLING`) keeps polling: a callback's keyed rerun starts as a run of the page, cut short, and the frontend drops every
    fragment's timer when a run of the page starts, so the view's rerun starts the badge's again
    (`restart_polling_timers`). Without that the badge stayed at "checking…" until the next run of the page.
    """
    if panel_key(st.session_state.get("panel")) not in FOCUS_PANELS or st.session_state.get("lesson"):
        return
    if st.session_state.get(JOB_POLLING) or st.session_state.get(UPLOAD_POLLING) or not _only_focus_moved():
        return
    polling = bool(st.session_state.get(BADGE_POLLING))
    if polling and BADGE_POLLING not in st.session_state.get(_TIMERS, {}):  # a timer this session cannot restart
        return
    st.session_state[_RESTART] = polling
    try:
        st.rerun(VIEW_FRAGMENT)
    except StreamlitAPIException:  # no such fragment in the last run: the page's own rerun
        st.session_state[_RESTART] = False


def note_polling(flag: str, seconds: float) -> None:
    """Call inside a fragment that polls every ``seconds`` while ``flag`` is set: what `restart_polling_timers` needs."""
    fragment_id = ThreadState.get().fragment_id
    if fragment_id:
        st.session_state.setdefault(_TIMERS, {})[flag] = (fragment_id, seconds)


def restart_polling_timers(*, send: bool = True) -> None:
    """In a rerun of the view alone that `focus_moved` started: ask the browser to poll again every fragment that was
    polling (the run of the page that the keyed rerun cut short had stopped their timers). The same message a
    fragment with ``run_every`` sends when it is drawn.

    Args:
        send: ``False`` in a run of the page, which draws the polling fragments (and their timers) itself: the
            request is only forgotten, so that no later rerun of the view starts a second timer.
    """
    ctx = get_script_run_ctx()
    if not st.session_state.pop(_RESTART, False) or not send or ctx is None:
        return
    for flag, (fragment_id, seconds) in st.session_state.get(_TIMERS, {}).items():
        if st.session_state.get(flag):
            msg = ForwardMsg()
            msg.auto_rerun.interval = seconds
            msg.auto_rerun.fragment_id = fragment_id
            ctx.enqueue(msg)


def _only_focus_moved() -> bool:
    """Whether the widgets differ from the page's last full run (`remember_page_view`) in the focus alone: a change that
    came in the same rerun request (Streamlit merges the requests that arrive while a run is under way) needs the
    whole page."""
    drawn = st.session_state.get("_page_view")
    try:
        now = state_to_view(st.session_state)
    except ConfigError:
        return False
    return drawn is not None and with_focus(drawn, vars(now)) == now.replace(snapshot=drawn.snapshot)


def remember_page_view(view: ViewConfig) -> None:
    """Note the view a full run of the page drew (what `focus_moved` compares the widgets with)."""
    st.session_state["_page_view"] = view
