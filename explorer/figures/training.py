"""Live training: the loss and metric curve against the no-memory baseline, and predictions against targets."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer.figures.style import INK, MUTED, OKABE_ITO, layout_dict, legend_below, stacked_rows, step_ticks, unvalidated_figure
from explorer.i18n import _
from explorer.training.tasks import Task

MAX_CURVE_POINTS = 400  # the per-step training loss is averaged into at most this many points
TRAIN, EVAL, BASELINE, THRESHOLD, CURSOR = OKABE_ITO[4], OKABE_ITO[0], MUTED, OKABE_ITO[2], OKABE_ITO[5]


def binned(values: np.ndarray, max_points: int = MAX_CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """``(steps, means)``: ``values`` (per step 1…n) averaged over equal bins, at most ``max_points`` of them."""
    n = len(values)
    if n <= max_points:
        return np.arange(1, n + 1), values
    width = int(np.ceil(n / max_points))
    m = n // width * width
    means = values[:m].reshape(-1, width).mean(axis=1)
    return np.arange(width, m + 1, width), means


def _hline(y: float, axes: tuple[str, str], colour: str, dash: str) -> dict:
    return {
        "type": "line",
        "xref": f"{axes[0]} domain",
        "x0": 0,
        "x1": 1,
        "yref": axes[1],
        "y0": y,
        "y1": y,
        "line": {"color": colour, "width": 2, "dash": dash},
    }


def make_training_curve_figure(
    task: Task,
    train_losses: np.ndarray,
    snapshots,
    *,
    total_steps: int,
    baseline_loss: float,
    baseline_metric: float,
    selected_step: int | None = None,
    compact: bool = False,
) -> go.Figure:
    """The loss (every step, and on held-out samples at each snapshot) and the task's metric as it learns.

    Args:
        task: the task (its metric's name and success threshold).
        train_losses: (steps,) the training loss of every step so far.
        snapshots: the run's `Snapshot`s (step, held-out loss and metric).
        total_steps: steps the run is to take (the x range).
        baseline_loss, baseline_metric: what a model without memory scores (dashed grey lines).
        selected_step: the snapshot the views show (a vertical line), or ``None``.
        compact: one small loss row only (the strip above the views).

    Returns:
        Traces ``training loss``, ``held-out loss`` (and ``metric``); ``layout.meta.view == "training_curve"``.
    """
    steps, means = binned(np.asarray(train_losses, np.float64))
    snap_steps = [s.step for s in snapshots]
    rows = [1] if compact else [1, 1]
    titles = (
        [""] if compact else [_("loss (lower is better)"), _("{metric} on held-out samples").format(metric=_(task.metric[0]))]
    )
    layout = stacked_rows(rows, spacing=0.12, titles=titles)
    traces = [
        {
            "type": "scatter",
            "x": steps,
            "y": means,
            "name": _("training loss"),
            "mode": "lines",
            "line": {"color": TRAIN, "width": 2},
        },
        {
            "type": "scatter",
            "x": snap_steps,
            "y": [s.loss for s in snapshots],
            "name": _("held-out loss"),
            "mode": "lines+markers",
            "line": {"color": EVAL, "width": 3},
            "marker": {"size": 6},
        },
    ]
    shapes = [_hline(baseline_loss, ("x", "y"), BASELINE, "dash")]
    threshold = task.threshold(baseline_metric)
    metric_log = not task.metric[1]  # an error (lower is better) spans decades like the loss; a share stays in [0, 1]

    def at(y: float, log: bool) -> float:  # on a log axis Plotly places annotations at log10 (shapes take the value)
        return float(np.log10(max(y, 1e-12))) if log else y

    if not compact:
        traces.append(
            {
                "type": "scatter",
                "x": snap_steps,
                "y": [s.metric for s in snapshots],
                "name": _(task.metric[0]),
                "mode": "lines+markers",
                "line": {"color": INK, "width": 3},
                "marker": {"size": 6},
                "xaxis": "x2",
                "yaxis": "y2",
            }
        )
        shapes += [_hline(baseline_metric, ("x2", "y2"), BASELINE, "dash"), _hline(threshold, ("x2", "y2"), THRESHOLD, "dot")]
        layout["annotations"] += [
            {
                "text": _(task.baseline_name),
                "xref": "x2 domain",
                "x": 1,
                "xanchor": "right",
                "yref": "y2",
                "y": at(baseline_metric, metric_log),
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": MUTED, "size": 14},
            },
            {
                "text": _("solved: {threshold}").format(threshold=_(task.threshold_text)),
                "xref": "x2 domain",
                "x": 0,
                "xanchor": "left",
                "yref": "y2",
                "y": at(threshold, metric_log),
                "yanchor": "top" if metric_log else "bottom",
                "showarrow": False,
                "font": {"color": THRESHOLD, "size": 14},
            },
        ]
        layout["xaxis2"]["title"] = {"text": _("training step")}
        if metric_log:
            layout["yaxis2"].update(type="log", dtick=1, title={"text": _("{metric} (log)").format(metric=_(task.metric[0]))})
        else:
            layout["yaxis2"]["range"] = [0, 1.05]
    layout["annotations"].append(
        {
            "text": _(task.baseline_name),
            "xref": "x domain",
            "x": 1,
            "xanchor": "right",
            "yref": "y",
            "y": at(baseline_loss, True),
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"color": MUTED, "size": 13},
        }
    )
    for axis in ("xaxis", "xaxis2") if not compact else ("xaxis",):
        layout[axis]["range"] = [0, max(total_steps, 1)]
    if selected_step is not None:
        for axes in (("x", "y"), ("x2", "y2"))[: len(rows)]:
            shapes.append(
                {
                    "type": "line",
                    "xref": axes[0],
                    "x0": selected_step,
                    "x1": selected_step,
                    "yref": f"{axes[1]} domain",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": CURSOR, "width": 2},
                }
            )
    layout["yaxis"].update(type="log", dtick=1)  # the first steps' loss is 10–100× the last's; ticks at decades
    if not compact:
        layout["yaxis"]["title"] = {"text": _("loss (log)")}
    layout.update(
        layout_dict(
            title="" if compact else _("Learning: {task}").format(task=_(task.title)),
            view="training_curve",
            height=200 if compact else 520,
        )
    )
    layout["shapes"] = shapes
    layout["legend"] = {"orientation": "h", "y": 1.12, "x": 0} if compact else legend_below()
    if compact:
        layout["margin"] = {"l": 50, "r": 20, "t": 30, "b": 30}
        layout["xaxis"]["showticklabels"] = True
    return unvalidated_figure(traces, layout)


def make_predictions_figure(
    task: Task, y: np.ndarray, predictions: np.ndarray, *, sample: int = 0, step_labels=None
) -> go.Figure:
    """The model's answers against the targets on the view's samples.

    Per-step tasks: target and prediction over the focused sample's steps. One answer per
    sequence: each sample's target and prediction side by side (classes: the predicted
    probability of every symbol, the target marked).

    Args:
        task: the task.
        y: the targets of the samples shown (see `TaskData.y`).
        predictions: the model's output on them (``Trace.output``).
        sample: the focused sample (per-step tasks).
        step_labels: the focused sample's inputs as text, or ``None``.

    Returns:
        A figure with traces ``target`` and ``prediction``; ``layout.meta.view == "predictions"``.
    """
    if task.per_step:
        t = np.arange(1, y.shape[1] + 1)
        traces = [
            {
                "type": "scatter",
                "x": t,
                "y": y[sample, :, 0],
                "name": _("target"),
                "mode": "lines+markers",
                "line": {"color": INK, "width": 3, "shape": "hv" if task.key == "brackets" else "linear"},
            },
            {
                "type": "scatter",
                "x": t,
                "y": predictions[sample, :, 0],
                "name": _("prediction"),
                "mode": "lines+markers",
                "line": {"color": OKABE_ITO[5], "width": 3, "dash": "dot"},
            },
        ]
        xaxis = {"title": {"text": _("input step t")}, **step_ticks(step_labels, html=True)}
        title = _("Predictions against targets, sample {sample}").format(sample=sample)
    elif task.classification:
        samples = [_("sample {b}").format(b=b) for b in range(len(y))]
        traces = [
            {"type": "bar", "x": samples, "y": predictions[:, k], "name": f"P({symbol})", "marker": {"color": OKABE_ITO[k]}}
            for k, symbol in enumerate("ABCD"[: task.head_units])
        ]
        traces.append(
            {
                "type": "scatter",
                "x": samples,
                "y": [1.04] * len(y),
                "name": _("target"),
                "mode": "text",
                "text": [_("target {symbol}").format(symbol="ABCD"[c]) for c in y],
                "textfont": {"size": 15, "color": INK},
            }
        )
        xaxis = {}
        title = _("Predicted probability of each first symbol, per sample")
    else:
        samples = [_("sample {b}").format(b=b) for b in range(len(y))]
        traces = [
            {"type": "bar", "x": samples, "y": y[:, 0], "name": _("target"), "marker": {"color": INK}},
            {"type": "bar", "x": samples, "y": predictions[:, 0], "name": _("prediction"), "marker": {"color": OKABE_ITO[5]}},
        ]
        xaxis = {}
        title = _("Target sum and the model's answer, per sample")
    layout = layout_dict(title=title, view="predictions", height=360)
    layout.update(xaxis=xaxis, yaxis={"title": {"text": _("value")}}, legend=legend_below(), barmode="group")
    return unvalidated_figure(traces, layout)
