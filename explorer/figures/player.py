"""A time player in the browser: Plotly frames, a step slider and ▶ / ❚❚ / |◀ buttons.

Playing moves the figure client-side (no server rerun per frame): each frame
replaces only the few traces that follow time (a marker, a text layer, bars),
so a frame is a small update, not a redraw of the whole chart.
"""

from __future__ import annotations

from explorer.i18n import _

MOVING = ("type", "x", "y", "text")  # what a frame sends of each trace: styles stay as the figure set them
FRAME_MS = 80  # one step per 80 ms while playing (12.5 steps/s when the browser keeps up)


def time_player(
    frame_data: list[list[dict]],
    *,
    traces: list[int],
    labels: list[str],
    active: int,
    redraw: bool = True,
    y: float = -0.02,
) -> tuple[list[dict], dict]:
    """Frames and the layout entries (slider, buttons) that play them.

    Args:
        frame_data: per step, the new content of each trace in ``traces`` (same order); only its
            ``x``, ``y`` and ``text`` go into the frame (styles repeated per frame tripled the payload).
        traces: indices of the figure's traces that change with time.
        labels: per step, its slider label (``"1"`` … ``"T"``); also the frame names.
        active: index of the step shown first (the page's focused step).
        redraw: redraw the whole plot per frame. ``False`` is faster for scatter-only figures, but a
            heatmap in the figure goes blank during such an animation (seen in Chromium), so ``True`` by default.
        y: vertical position of the slider in paper coordinates (below the plot by default).

    Returns:
        ``(frames, layout_entries)``: pass ``frames`` to the figure and merge the entries into its layout.
    """
    return player_frames(frame_data, traces=traces, labels=labels), player_controls(labels, active, redraw=redraw, y=y)


def player_frames(frame_data: list[list[dict]], *, traces: list[int], labels: list[str]) -> list[dict]:
    """`time_player`'s frames alone: they do not depend on the step shown first, so a figure made for another
    focused step can reuse them (`player_controls` makes the rest)."""
    if len(frame_data) != len(labels):
        raise ValueError("one label per frame")
    return [
        {"name": name, "data": [{k: v for k, v in trace.items() if k in MOVING} for trace in data], "traces": traces}
        for name, data in zip(labels, frame_data, strict=True)
    ]


def player_controls(labels: list[str], active: int, *, redraw: bool = True, y: float = -0.02) -> dict:
    """`time_player`'s layout entries alone (the step slider and the ▶ / ❚❚ / |◀ buttons), for the frames
    `player_frames` made with the same ``labels``."""
    step_args = {"mode": "immediate", "frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0}}
    play_args = {"frame": {"duration": FRAME_MS, "redraw": redraw}, "transition": {"duration": 0}, "fromcurrent": True}
    layout = {
        "sliders": [
            {
                "active": active,
                "name": "time",
                # (at the right end: on a narrow chart the ▶ / ❚❚ / |◀ buttons cover the left end)
                "currentvalue": {"prefix": _("step t = "), "font": {"size": 15}, "xanchor": "right"},
                "pad": {"t": 8, "b": 4},
                "x": 0.17,  # right of the ▶ / ❚❚ / |◀ buttons
                "len": 0.83,
                "y": y,
                "yanchor": "top",
                "steps": [{"label": name, "method": "animate", "args": [[name], step_args]} for name in labels],
            }
        ],
        "updatemenus": [
            {
                "type": "buttons",
                "name": "player",
                "direction": "left",
                "showactive": False,
                "x": 0.0,
                "xanchor": "left",
                "y": y,
                "yanchor": "top",
                "pad": {"t": 18, "r": 6},
                "buttons": [
                    # Plotly's `fromcurrent` knows only frames it has animated, not the figure's first state: list the
                    # steps after the focus, so ▶ continues from the page's step (and from a pause, via `fromcurrent`).
                    {"label": "▶", "method": "animate", "args": [list(labels[active + 1 :]), play_args]},
                    {"label": "❚❚", "method": "animate", "args": [[None], step_args]},
                    {"label": "|◀", "method": "animate", "args": [None, {**play_args, "fromcurrent": False}]},
                ],
            }
        ],
    }
    return layout
