"""The *figure floor*: what Streamlit and Plotly cost to show the page's own charts after a key press, with no page work.

One slider, ``lstm_1 units``, over the real page's model at the URL's config (``?units=16,8&view=gates``). Its
value picks a figure that the page itself would draw for that model (the page's cached figure functions, so the
same figure objects and the same bytes); every figure was made when the app started, so a key press costs only
what any Streamlit app pays to send a chart and what the browser pays to draw it. `bench_browser --parts figures`
times it beside the trivial app (the floor) and the real page: the page's time minus this one's is the page's
own work (its model, trace, widgets and elements).

``view`` chooses the charts: ``graph`` (the unrolled graph), ``gates`` (the gates heatmaps) or ``trajectories``
(the trajectories and the 2-D state space), each drawn with the page's own `show_chart` (clickable where the page's
is). ``FIGURE_FLOOR_ELEMENTS=N`` adds N one-line captions, as ``trivial_app.py`` does; ``FIGURE_FLOOR_CONTROLS=1``
draws them inside the page's skeleton (`page_controls.py`): the page's controls and layout, with no work behind them.
"""

import os
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.ui import cache
from explorer.ui.chart import show_chart
from explorer.ui.runtime import freeze_startup_objects, install_cheap_keras_clear
from explorer.view import ViewConfig

# As the page does: Streamlit's clean-up after every rerun clears Keras's session with a full garbage collection
# (~190 ms with TensorFlow loaded) unless it is made cheap.
install_cheap_keras_clear()
freeze_startup_objects()

st.set_page_config(layout="wide")  # as the page: its slider in the sidebar, so its charts are as wide as the page's
view, _notices = ViewConfig.from_query_params(st.query_params.to_dict())
kind = st.query_params.get("view", "graph")
base = view.model.units[0]
choices = [u for u in (base - 1, base, base + 1) if 1 <= u <= 256]


def _noop() -> None:
    """The page's charts take clicks: so do these (nothing happens)."""


@st.cache_resource(show_spinner=False)
def figures(view: ViewConfig, kind: str, units: tuple[int, ...]) -> dict[int, tuple]:
    """units of ``lstm_1`` → the page's figure(s) for that model, made once, when the app starts."""
    out = {}
    for u in units:
        cfg = view.model.replace(units=(u, *view.model.units[1:]))
        if kind == "gates":
            out[u] = (cache.gates_figure(cfg, view.data_key, 0, view.sample, view.unit, None, None, view.step),)
        elif kind == "trajectories":
            out[u] = cache.trajectory_figures(cfg, view.data_key, 0, view.sample, None, view.step)
        else:
            out[u] = (cache.unrolled_figure(cfg, view.data_key, view.sample, view.colour_by, None, (0, view.step)),)
    return out


made = figures(view, kind, tuple(choices))


def slider() -> int:
    return st.slider("lstm_1 units", choices[0], choices[-1], base, key="units")


def charts(units: int) -> None:
    for k, fig in enumerate(made[units]):
        show_chart(fig, f"chart_{k}", on_click=_noop)


if os.environ.get("FIGURE_FLOOR_CONTROLS"):
    from page_controls import page_skeleton  # (Streamlit puts the script's folder on the path)

    page_skeleton(slider, charts)
else:
    with st.sidebar:
        units = slider()
    charts(units)

for k in range(int(os.environ.get("FIGURE_FLOOR_ELEMENTS", "0"))):
    st.caption(f"line {k + 1}")
