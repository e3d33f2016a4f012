"""A simulated learner that speaks Streamlit's own websocket protocol (no browser).

It does what the frontend does where that changes the server's load:
- the handshake: asks ``/_stcore/health`` for the XSRF cookie, then connects to ``/_stcore/stream`` with
  the cookie, an ``Origin`` header and the subprotocols ``["streamlit", <XSRF token>]``;
- asks for a run with the page's query string and reads the ``ForwardMsg`` protobufs until ``script_finished``;
- learns each widget's id from the elements the server sends, and sends widget changes as ``rerun_script``
  with the widget states (as the frontend does: every state it has set, plus the new one);
- answers a fragment's ``auto_rerun`` (the Keras badge's polling) with fragment reruns at the interval asked,
  until ``stop_auto_rerun`` or a full run's ``new_session`` (a fragment run's keeps the timers, as the frontend);
- takes an interaction as done when its run finishes: the page's full run, or the fragment run the server chose
  instead (a widget callback's ``st.rerun(<fragment key>)``: the view's fragment for a focus move), never the end
  of a polled fragment's run;
- uploads a file as the frontend does (`Learner.upload`): asks for upload URLs (``file_urls_request``), PUTs the
  file as multipart form data with the XSRF header, DELETEs the file it replaces, then reruns with the uploader's
  new state (``delete_previous=False``: a script that never deletes);
- keeps the frontend's message cache: every message the server marks ``cacheable`` is kept by its hash and
  the hashes are sent with each rerun (``cached_message_hashes``), so the server sends an unchanged large
  element as a ``ref_hash``; a kept message not used for more than ``max_cached_message_age`` runs is dropped,
  as the frontend's ``ForwardMsgCache`` does (`tests/test_browser.py` holds both to Chromium's own frames).

Why not Locust: its users run on gevent, and this client is asyncio (the ``websockets`` package that
ships with Streamlit's server); thirty asyncio users in one process cost less than gevent bridging, and
the statistics needed (p50 / p95 / max per interaction, errors) are a few lines.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

TIMEOUT_S = 30.0  # an interaction slower than this is an error
FULL_RUN_ENDS = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
XSRF_COOKIE = "_streamlit_xsrf"


def xsrf_token(url: str) -> str | None:
    """The XSRF cookie's value that ``/_stcore/health`` sets (the frontend asks it before connecting), or ``None``
    when the server does not protect against XSRF."""
    cookies: SimpleCookie = SimpleCookie()
    with urllib.request.urlopen(url + "/_stcore/health", timeout=TIMEOUT_S) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    morsel = cookies.get(XSRF_COOKIE)
    return morsel.value if morsel else None


@dataclass
class _Kept:
    """A message in the message cache: its bytes, the run count when last used, its fragment ("" = none)."""

    data: bytes
    run: int
    fragment_id: str


@dataclass
class RunResult:
    kind: str
    seconds: float
    ok: bool
    exception_shown: bool = False
    messages: int = 0
    bytes: int = 0
    references: int = 0  # messages sent as a ref_hash to one the cache holds
    cache_miss: bool = False  # a ref_hash to a message the cache does not hold (the frontend raises)
    fragment: bool = False  # the server answered with a fragment run, not the page's full run


@dataclass
class Learner:
    """One simulated browser session."""

    url: str  # http://host:port
    query: str  # the page's query string, without "?"
    results: list[RunResult] = field(default_factory=list)
    widget_ids: dict[str, str] = field(default_factory=dict)  # widget key → id (from the elements sent)
    widget_values: dict[str, WidgetState] = field(default_factory=dict)  # id → the state we set
    slider_values: dict[str, float] = field(default_factory=dict)  # key → the value the server shows
    slider_bounds: dict[str, tuple[float, float]] = field(default_factory=dict)  # key → (min, max) as drawn
    metrics: dict[str, str] = field(default_factory=dict)  # metric label → value shown (e.g. "Parameters")
    training_states: set[str] = field(default_factory=set)  # "Training", "Waiting", "Trained" as the page said them
    keras_badge: str = ""  # the Keras check's badge as last shown ("checking…", then "max |Δ| vs Keras = …")
    alerts: list[str] = field(default_factory=list)  # error and info boxes' texts, as the server sent them
    session_id: str = ""  # the server's id of this session (from new_session: uploads name it)
    fragment_runs: int = 0
    _polled: set[str] = field(default_factory=set)  # fragments the server asked to poll (auto_rerun): their runs are not ours
    xsrf: str | None = None  # the XSRF token sent in the handshake
    _cache: dict[str, _Kept] = field(default_factory=dict)  # hash → kept message, as the frontend's ForwardMsgCache
    _runs: int = 0  # finished runs, the cache's clock
    _max_age: int = 2  # the server's global.maxCachedMessageAge, from new_session
    _ws: object = None
    _auto: dict[str, asyncio.Task] = field(default_factory=dict)
    _finished: asyncio.Event | None = None
    _current: RunResult | None = None
    _reader: asyncio.Task | None = None
    _file_urls: dict[str, asyncio.Future] = field(default_factory=dict)  # request id → the server's file URLs
    _uploaded: dict[str, object] = field(default_factory=dict)  # uploader key → the FileURLs of its current file

    async def open(self) -> RunResult:
        """Connect and run the page once (what opening the link does)."""
        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self.xsrf = await asyncio.to_thread(xsrf_token, self.url)
        self._ws = await websockets.connect(
            ws_url,
            subprotocols=["streamlit", self.xsrf] if self.xsrf else ["streamlit"],
            additional_headers={"Cookie": f"{XSRF_COOKIE}={self.xsrf}"} if self.xsrf else None,
            origin=self.url,
            max_size=2**26,
            open_timeout=TIMEOUT_S,
        )
        self._finished = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        return await self._run("open", self._rerun_msg())

    async def close(self) -> None:
        for task in self._auto.values():
            task.cancel()
        if self._reader:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()

    def _rerun_msg(self, fragment_id: str = "", auto: bool = False) -> BackMsg:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = ""
        state.widget_states.widgets.extend(self.widget_values.values())
        state.cached_message_hashes.extend(self._cache)
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = auto
        return msg

    async def _run(self, kind: str, msg: BackMsg) -> RunResult:
        result = RunResult(kind, 0.0, False)
        self._current = result
        self._finished.clear()
        start = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._finished.wait(), TIMEOUT_S)
            result.ok = not (result.exception_shown or result.cache_miss)
        except TimeoutError:
            result.ok = False
        result.seconds = time.perf_counter() - start
        self.results.append(result)
        self._current = None
        return result

    async def set_slider(self, key: str, value: float, kind: str = "slider") -> RunResult | None:
        """Move a slider (as a key press does): a rerun request with the new widget state (the server may answer with
        a fragment run: `RunResult.fragment`)."""
        wid = self.widget_ids.get(key)
        if wid is None:
            return None
        state = WidgetState(id=wid)
        state.double_array_value.data.append(float(value))
        self.widget_values[wid] = state
        self.slider_values[key] = value
        return await self._run(kind, self._rerun_msg())

    async def press(self, key_or_label: str, kind: str = "button") -> RunResult | None:
        """Press a button (a trigger value)."""
        wid = self.widget_ids.get(key_or_label)
        if wid is None:
            return None
        state = WidgetState(id=wid, trigger_value=True)
        msg = self._rerun_msg()
        msg.rerun_script.widget_states.widgets.append(state)
        return await self._run(kind, msg)

    async def upload(
        self, key: str, name: str, data: bytes, kind: str = "upload", delete_previous: bool = True
    ) -> RunResult | None:
        """Upload a file into the uploader ``key`` as the frontend does; the result is the rerun that follows."""
        wid = self.widget_ids.get(key)
        if wid is None:
            return None
        request_id = uuid.uuid4().hex
        asked = asyncio.get_running_loop().create_future()
        self._file_urls[request_id] = asked
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.append(name)
        msg.file_urls_request.session_id = self.session_id
        await self._ws.send(msg.SerializeToString())
        urls = (await asyncio.wait_for(asked, TIMEOUT_S)).file_urls[0]
        await asyncio.to_thread(self._http, "PUT", urls.upload_url, name, data)
        previous = self._uploaded.pop(key, None)
        if previous is not None and delete_previous:
            await asyncio.to_thread(self._http, "DELETE", previous.delete_url)
        self._uploaded[key] = urls
        state = WidgetState(id=wid)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        self.widget_values[wid] = state
        return await self._run(kind, self._rerun_msg())

    def _http(self, method: str, path: str, name: str = "", data: bytes | None = None) -> None:
        """A PUT of ``data`` as the uploader's multipart form, or a DELETE, with the XSRF token as the frontend sends it."""
        url = path if path.startswith("http") else self.url + path
        body = None
        if data is not None:
            boundary = uuid.uuid4().hex
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            head += "Content-Type: application/octet-stream\r\n\r\n"
            body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(url, data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        if self.xsrf:
            request.add_header("X-Xsrftoken", self.xsrf)
            request.add_header("Cookie", f"{XSRF_COOKIE}={self.xsrf}")
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            response.read()

    async def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            if self._current is not None:  # a full run is under way: the frontend waits too
                continue
            await self._ws.send(self._rerun_msg(fragment_id, auto=True).SerializeToString())
            self.fragment_runs += 1

    def _learn(self, fwd: ForwardMsg) -> None:
        if not fwd.HasField("delta") or not fwd.delta.HasField("new_element"):
            return
        element = fwd.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "alert":
            self.alerts.append(element.alert.body)
        if kind in ("slider", "button", "selectbox", "checkbox", "toggle", "number_input", "button_group", "file_uploader"):
            widget = getattr(element, kind)
            wid = getattr(widget, "id", "")
            if wid:
                key = wid.rsplit("-", 1)[-1] if wid.startswith("$$ID") else wid
                self.widget_ids[key] = wid
                label = getattr(widget, "label", "")
                if label:
                    self.widget_ids.setdefault(label, wid)
                if kind == "slider":
                    self.slider_bounds[key] = (widget.min, widget.max)
                if kind == "slider" and widget.value:
                    self.slider_values[key] = widget.value[0]
                    if widget.set_value and wid in self.widget_values:  # the script set it: the frontend takes it
                        self.widget_values[wid].double_array_value.data[:] = list(widget.value)
                elif kind == "slider" and widget.default:
                    self.slider_values.setdefault(key, widget.default[0])
        elif kind == "markdown" and "Keras" in element.markdown.body and "NumPy" in element.markdown.body:
            self.keras_badge = element.markdown.body
        elif kind == "markdown":
            for word in ("Training", "Waiting", "Trained"):
                if f"{word}:" in element.markdown.body or f"{word}**" in element.markdown.body:
                    self.training_states.add(word)
        elif kind == "metric":
            self.metrics[element.metric.label] = element.metric.body
        elif kind == "exception" and self._current is not None:
            self._current.exception_shown = True

    def _through_cache(self, fwd: ForwardMsg, data: bytes) -> ForwardMsg | None:
        """The message the frontend would handle: a ``ref_hash`` resolved from the cache (``None`` on a miss);
        a cacheable message is kept."""
        if fwd.WhichOneof("type") == "ref_hash":
            kept = self._cache.get(fwd.ref_hash)
            if self._current is not None:
                self._current.references += 1
                self._current.cache_miss |= kept is None
            if kept is None:
                return None
            kept.run = self._runs
            resolved = ForwardMsg()
            resolved.ParseFromString(kept.data)
            resolved.metadata.CopyFrom(fwd.metadata)
            return resolved
        if fwd.metadata.cacheable and fwd.hash and fwd.hash not in self._cache:
            fragment = fwd.delta.fragment_id if fwd.HasField("delta") else ""
            self._cache[fwd.hash] = _Kept(data, self._runs, fragment)
        return fwd

    def _age_cache(self, fragments: list[str]) -> None:
        """A run finished: drop the kept messages not used for more than ``max_cached_message_age`` runs (after a
        fragment run, only those of its ``fragments``), as the frontend does."""
        self._runs += 1
        for digest, kept in list(self._cache.items()):
            if fragments and kept.fragment_id not in fragments:
                continue
            if self._runs - kept.run > self._max_age:
                del self._cache[digest]

    async def _read(self) -> None:
        try:
            await self._read_messages()
        except Exception as err:  # a dead reader would look like a server that stopped answering: say so
            import sys

            print(f"  load client's reader stopped: {type(err).__name__}: {err}", file=sys.stderr)
            raise

    async def _read_messages(self) -> None:
        async for data in self._ws:
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            if self._current is not None:
                self._current.messages += 1
                self._current.bytes += len(data)
            fwd = self._through_cache(fwd, data)
            if fwd is None:
                continue
            self._learn(fwd)
            kind = fwd.WhichOneof("type")
            if kind == "file_urls_response":
                asked = self._file_urls.pop(fwd.file_urls_response.response_id, None)
                if asked is not None and not asked.done():
                    asked.set_result(fwd.file_urls_response)
            elif kind == "new_session":
                self._max_age = fwd.new_session.config.max_cached_message_age
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
                if not fwd.metadata.run.fragment_ids:  # a full run starts: the frontend drops its fragments' timers
                    for task in self._auto.values():
                        task.cancel()
                    self._auto.clear()
            elif kind == "auto_rerun":
                fid, interval = fwd.auto_rerun.fragment_id, fwd.auto_rerun.interval
                self._polled.add(fid)
                if fid not in self._auto:
                    self._auto[fid] = asyncio.create_task(self._auto_rerun(fid, interval))
            elif kind == "stop_auto_rerun":
                for task in self._auto.values():
                    task.cancel()
                self._auto.clear()
            elif kind == "script_finished":
                if fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    self._age_cache(list(fwd.metadata.run.fragment_ids))
                if self._current is not None and self._ends_interaction(fwd):
                    self._current.fragment = fwd.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                    self._finished.set()

    def _ends_interaction(self, fwd: ForwardMsg) -> bool:
        """Whether this ``script_finished`` ends the interaction under way: a full run's end, or a fragment run's that
        no poll asked for (a run cut short by a newer one, or a polled fragment's, is not ours)."""
        if fwd.script_finished in FULL_RUN_ENDS:
            return True
        ran = set(fwd.metadata.run.fragment_ids)
        return fwd.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY and bool(ran - self._polled)
