"""The step focus: marked in every view, moved by a player in the browser, and set by a click."""

import json
from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest

from explorer import LSTMConfig, build_model, make_sequence, trace
from explorer.figures import make_gates_figure, make_state_space_figure, make_trajectory_figure, make_unrolled_figure
from explorer.figures.gates import HEATMAPS
from explorer.figures.unrolled import visible_steps
from explorer.ui import focus
from explorer.view import PANELS, ViewConfig

CFG = LSTMConfig(timesteps=6, features=2, units=(5, 4), return_sequences=(True, False))


@pytest.fixture(scope="module")
def tr():
    return trace(build_model(CFG), make_sequence("sine", timesteps=6, features=2, batch_size=3, seed=0))


def frames_of(fig: go.Figure) -> list[dict]:
    return json.loads(fig.to_json())["frames"]


def named(fig: go.Figure, name: str) -> list:
    return [t for t in fig.data if t.name == name]


def test_a_hidden_focused_step_gets_its_own_column():
    assert visible_steps(200, focus=3) == visible_steps(200) == [0, 1, 2, 3, 4, None, 195, 196, 197, 198, 199]
    assert visible_steps(200, focus=99) == [0, 1, 2, 3, None, 99, None, 196, 197, 198, 199]
    assert visible_steps(8, focus=5) == list(range(8))


def test_the_graph_marks_the_focused_cell_and_plays_its_columns(tr):
    fig = make_unrolled_figure(CFG, tr, focus=(1, 4))
    go.Figure(fig.to_dict())
    (mark,) = named(fig, "focus")
    xs = [x for x in mark.x if x is not None]
    assert min(xs) < 3 < max(xs)  # drawn column 3 = input step 4
    ys = [y for y in mark.y if y is not None]
    assert max(ys) > 2  # the outline reaches layer 2's row
    picker = named(fig, "cell picker")[0]
    assert [list(c) for c in picker.customdata][:2] == [[0, 1], [0, 2]] and len(picker.customdata) == 2 * 6
    frames = frames_of(fig)
    assert [f["name"] for f in frames] == ["1", "2", "3", "4", "5", "6"] and fig.layout.sliders[0].active == 3
    assert frames[0]["traces"] == [len(fig.data) - 1]
    # Long sequences: a focused step behind the ellipsis is drawn and played as its own column.
    long = LSTMConfig(timesteps=40, features=2, units=(3,), return_sequences=(False,))
    ltr = trace(build_model(long), make_sequence("sine", timesteps=40, features=2, batch_size=1, seed=0))
    lfig = make_unrolled_figure(long, ltr, focus=(0, 20))
    names = [f["name"] for f in frames_of(lfig)]
    assert "20" in names and "10" not in names and lfig.layout.sliders[0].active == names.index("20")
    assert "Steps 5–19 and 21–36 are hidden" in lfig.layout.annotations[-1].text
    assert make_unrolled_figure(CFG, tr).frames == ()  # no focus, no player


def test_gates_mark_the_step_on_every_row_and_are_clickable(tr):
    fig = make_gates_figure(tr.layers[0], sample=1, unit=2, step=3, step_names=list("654321"))
    go.Figure(fig.to_dict())
    marks = named(fig, "step mark")
    assert len(marks) == 7 and all(list(m.x) == [3, 3] for m in marks)  # on every row
    pickers = [t for t in fig.data if t.name.endswith("picker")]
    assert [p.name for p in pickers] == [f"{g} picker" for g in HEATMAPS]
    assert all(p.marker.maxdisplayed == 1 and p.marker.opacity == 0 for p in pickers)  # one SVG element each
    f_picker = pickers[1]
    np.testing.assert_allclose(np.asarray(f_picker.customdata).reshape(5, 6), tr.layers[0].f[1].T, atol=1e-6)
    frames = frames_of(fig)
    assert [f["name"] for f in frames] == list("654321")  # the player names each processing step by its input step
    assert frames[5]["data"][0]["x"] == [6, 6]
    # A wide, long layer keeps its payload small: no click targets over the heatmaps.
    wide = trace(build_model(LSTMConfig(timesteps=100, features=1, units=(40,), return_sequences=(False,))),
                 make_sequence("sine", timesteps=100, features=1, batch_size=1, seed=0))  # fmt: skip
    assert not [t for t in make_gates_figure(wide.layers[0]).data if t.name.endswith("picker")]


def test_trajectories_draw_up_to_the_step(tr):
    fig = make_trajectory_figure(tr, layer=0, sample=0, step=2)
    go.Figure(fig.to_dict())
    veils = named(fig, "future")
    assert len(veils) == 3 and all(min(v.x) == 2.5 and max(v.x) == 6.5 for v in veils)
    h_rows = named(fig, "h[0]")[0]
    veil_y = [y for y in veils[1].y]
    assert min(veil_y) <= float(np.min(tr.layers[0].h[0])) and max(veil_y) >= float(np.max(tr.layers[0].h[0]))
    assert len(h_rows.y) == 6  # the path itself stays whole: the veil hides the future, the player lifts it
    assert [f["name"] for f in frames_of(fig)] == [str(t) for t in range(1, 7)]
    plane = make_state_space_figure(tr, layer=0, sample=2, step=4)
    (mark,) = named(plane, "step 4")
    path = named(plane, "sample 2")[0]
    assert (mark.x[0], mark.y[0]) == (path.x[3], path.y[3])


class FakeState(dict):
    """``st.session_state`` for the click callbacks: a dict whose chart keys hold selection events."""

    def click(self, key: str, **point) -> None:
        self[key] = SimpleNamespace(selection=SimpleNamespace(points=[point]))


@pytest.fixture
def state(monkeypatch):
    fake = FakeState(timesteps=6, batch_size=3, layer=0, step=1, unit=0, sample=0, panel=PANELS["graph"])
    monkeypatch.setattr(focus.st, "session_state", fake)
    fake.whole_page = []  # each callback's call of st.rerun(): the whole page (the charts sit in the view's fragment)
    monkeypatch.setattr(focus.st, "rerun", lambda *scope: fake.whole_page.append(scope))
    return fake


def test_a_click_on_a_graph_cell_opens_the_cell_view_there(state):
    state.click("unrolled", curve_number=9, point_index=7, x=1, y=2, customdata=[1, 5])
    focus.on_graph_click()
    assert (state["layer"], state["step"], state["panel"]) == (1, 5, PANELS["cell"])
    assert state.whole_page == [()]  # st.rerun(): the app, so the tabs and the sidebar's sliders follow


def test_clicks_on_gates_trajectories_and_state_space_move_the_step(state):
    state.click("gates", curve_number=11, point_index=3, x=2, y=4, customdata=0.7)  # a heatmap cell
    focus.gates_click(backwards=True)()
    assert (state["step"], state["unit"]) == (5, 4)  # processing step 2 of 6 reads input step 5
    state.click("gates", curve_number=6, point_index=3, x=4, y=0.31)  # a point of the unit's lines: step only
    focus.gates_click(backwards=False)()
    assert (state["step"], state["unit"]) == (4, 4)
    state.click("trajectories", curve_number=3, point_index=2, x=3, y=0.1)
    focus.on_trajectory_click()
    assert state["step"] == 3
    state.click("state_space_2d", curve_number=4, point_index=5, x=0.1, y=0.2)  # sample 2's path, its 6th point
    focus.state_space_click(backwards=False)()
    assert (state["step"], state["sample"]) == (6, 2)
    assert state.whole_page == [()] * 4  # every click that moved the focus reruns the whole page
    state.click("state_space_2d", curve_number=6, point_index=0, x=0.1, y=0.2)  # the step mark: ignored
    focus.state_space_click(backwards=False)()
    assert (state["step"], state["sample"]) == (6, 2) and len(state.whole_page) == 4  # (nothing moved: no rerun)


def test_the_step_is_in_the_url_and_clamped():
    view, notices = ViewConfig.from_query_params({"step": "9", "timesteps": "20"})
    assert view.step == 9 and not notices and view.to_query_params()["step"] == "9"
    assert ViewConfig.from_query_params({"step": "500"})[0].step == ViewConfig().model.timesteps
    notices = ViewConfig.from_query_params({"step": "x"})[1]
    assert [str(n) for n in notices] == ["Ignored `step=x`: not a valid value; using the default."]
