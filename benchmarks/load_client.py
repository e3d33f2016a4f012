"""A simulated learner that speaks Streamlit's own websocket protocol (no browser).

It does what the frontend does where that changes the server's load: connects to ``/_stcore/stream``
(subprotocol ``streamlit``, an ``Origin`` header), asks for a run with the page's query string, reads
the ``ForwardMsg`` protobufs until ``script_finished``, learns each widget's id from the elements the
server sends, sends widget changes as ``rerun_script`` with the widget states (as the frontend does:
every state it has set, plus the new one), and answers a fragment's ``auto_rerun`` (the Keras badge's
polling) with fragment reruns at the interval asked, until ``stop_auto_rerun``.

Not emulated: the message cache (``cached_message_hashes``: the server sends whole messages instead of
references, which costs it serialising but no script work) and XSRF (no uploads here).

Why not Locust: its users run on gevent, and this client is asyncio (the ``websockets`` package that
ships with Streamlit's server); thirty asyncio users in one process cost less than gevent bridging, and
the statistics needed (p50 / p95 / max per interaction, errors) are a few lines.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

TIMEOUT_S = 30.0  # an interaction slower than this is an error
FULL_RUN_ENDS = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


@dataclass
class RunResult:
    kind: str
    seconds: float
    ok: bool
    exception_shown: bool = False
    messages: int = 0
    bytes: int = 0


@dataclass
class Learner:
    """One simulated browser session."""

    url: str  # http://host:port
    query: str  # the page's query string, without "?"
    results: list[RunResult] = field(default_factory=list)
    widget_ids: dict[str, str] = field(default_factory=dict)  # widget key → id (from the elements sent)
    widget_values: dict[str, WidgetState] = field(default_factory=dict)  # id → the state we set
    slider_values: dict[str, float] = field(default_factory=dict)  # key → the value the server shows
    metrics: dict[str, str] = field(default_factory=dict)  # metric label → value shown (e.g. "Parameters")
    training_states: set[str] = field(default_factory=set)  # "Training", "Waiting", "Trained" as the page said them
    fragment_runs: int = 0
    _ws: object = None
    _auto: dict[str, asyncio.Task] = field(default_factory=dict)
    _finished: asyncio.Event | None = None
    _current: RunResult | None = None
    _reader: asyncio.Task | None = None

    async def open(self) -> RunResult:
        """Connect and run the page once (what opening the link does)."""
        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=self.url, max_size=2**26, open_timeout=TIMEOUT_S
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
            result.ok = not result.exception_shown
        except TimeoutError:
            result.ok = False
        result.seconds = time.perf_counter() - start
        self.results.append(result)
        self._current = None
        return result

    async def set_slider(self, key: str, value: float, kind: str = "slider") -> RunResult | None:
        """Move a slider (as a key press does): a full rerun with the new widget state."""
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
        if kind in ("slider", "button", "selectbox", "checkbox", "toggle", "number_input", "button_group"):
            widget = getattr(element, kind)
            wid = getattr(widget, "id", "")
            if wid:
                key = wid.rsplit("-", 1)[-1] if wid.startswith("$$ID") else wid
                self.widget_ids[key] = wid
                label = getattr(widget, "label", "")
                if label:
                    self.widget_ids.setdefault(label, wid)
                if kind == "slider" and widget.value:
                    self.slider_values[key] = widget.value[0]
                elif kind == "slider" and widget.default:
                    self.slider_values.setdefault(key, widget.default[0])
        elif kind == "markdown":
            for word in ("Training", "Waiting", "Trained"):
                if f"{word}:" in element.markdown.body or f"{word}**" in element.markdown.body:
                    self.training_states.add(word)
        elif kind == "metric":
            self.metrics[element.metric.label] = element.metric.body
        elif kind == "exception" and self._current is not None:
            self._current.exception_shown = True

    async def _read(self) -> None:
        async for data in self._ws:
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            if self._current is not None:
                self._current.messages += 1
                self._current.bytes += len(data)
            self._learn(fwd)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":  # a full run starts: the frontend drops its fragments' timers, as here
                for task in self._auto.values():
                    task.cancel()
                self._auto.clear()
            elif kind == "auto_rerun":
                fid, interval = fwd.auto_rerun.fragment_id, fwd.auto_rerun.interval
                if fid not in self._auto:
                    self._auto[fid] = asyncio.create_task(self._auto_rerun(fid, interval))
            elif kind == "stop_auto_rerun":
                for task in self._auto.values():
                    task.cancel()
                self._auto.clear()
            elif kind == "script_finished" and self._current is not None and fwd.script_finished in FULL_RUN_ENDS:
                self._finished.set()  # (a fragment run ending, or a run cut short by a newer one, is not ours)
