"""View 2: tensor shapes and weight blocks, read off the real Keras model.

Top: the data flow ``Input (None, T, F) → lstm_1 → … → head`` with every
tensor's shape. Below, per LSTM layer, its weights drawn as one block
``(F + U + 1) × 4U`` — ``kernel (F, 4U)`` over ``recurrent_kernel (U, 4U)`` over
``bias (4U,)`` — split into the gate slices ``i | f | c | o``: its area *is*
the parameter formula ``4U × (F + U + 1)``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from explorer.figures.style import GATE_COLOURS, HIDDEN_AXIS, INK, MUTED, layout_dict, unvalidated_figure
from explorer.formatting import format_shape
from explorer.i18n import _

if TYPE_CHECKING:  # explorer.model imports TensorFlow; the figure only reads the table
    from explorer.model import ShapeTable

SLICES = (("i", "i"), ("f", "f"), ("c", "g"), ("o", "o"))  # Keras slice name, colour key


def _size(n: int) -> float:
    # Blocks are drawn to a square-root scale so 1 and 256 both stay visible; labels give true sizes.
    return float(np.sqrt(n))


def make_shapes_figure(table: ShapeTable, *, count_params: int | None = None, bias_values: dict | None = None) -> go.Figure:
    """Data flow and weight blocks of a model.

    Args:
        table: the model's `ShapeTable` (from `shape_table`).
        count_params: ``model.count_params()``, shown beside the table's own total.
        bias_values: optional ``{layer name: (4U,) bias}`` to shade each gate's bias slice by its mean.

    Returns:
        A figure with ``layout.meta.view == "shapes"`` and ``layout.meta.total_params``;
        one shape per gate slice per weight, annotated with its size.
    """
    shapes: list[dict] = []
    annotations: list[dict] = []
    rows = list(table)
    n = len(rows)
    # 1) Data flow along the top.
    for j, row in enumerate(rows):
        x = j * 3.0
        label = f"<b>{row.name}</b><br>{row.kind}" + (f"({row.units})" if row.units else "")
        shapes.append(dict(type="rect", x0=x - 1, x1=x + 1, y0=8.6, y1=10, fillcolor="#f2f2f2", line={"color": INK}))
        annotations.append(dict(x=x, y=9.3, text=label, showarrow=False, font={"size": 14}))
        annotations.append(
            dict(
                x=x, y=8.25, text=_("{n} params").format(n=f"{row.params:,}"), showarrow=False, font={"size": 12, "color": MUTED}
            )
        )
        if j < n - 1:
            annotations.append(
                dict(
                    x=x + 2,
                    y=9.3,
                    ax=x + 1,
                    ay=9.3,
                    xref="x",
                    yref="y",
                    axref="x",
                    ayref="y",
                    text="",
                    showarrow=True,
                    arrowhead=2,
                    arrowwidth=2,
                    arrowcolor=INK,
                )
            )
            annotations.append(
                dict(x=x + 1.5, y=10.35, text=format_shape(row.output_shape), showarrow=False, font={"size": 13, "color": INK})
            )
    last = rows[-1]
    annotations.append(
        dict(
            x=(n - 1) * 3.0 + 1.1,
            y=9.3,
            text="→ " + format_shape(last.output_shape),
            showarrow=False,
            xanchor="left",
            font={"size": 13},
        )
    )

    # 2) Weight blocks, one LSTM layer per column, on a common square-root scale.
    lstm_rows = [r for r in rows if r.kind == "LSTM"]
    largest = max(_size(4 * r.units) for r in lstm_rows) if lstm_rows else 1.0
    tallest = max(_size(r.input_shape[-1]) + _size(r.units) + _size(1) for r in lstm_rows) if lstm_rows else 1.0
    width_per_layer = (3.0 * n) / max(len(lstm_rows), 1)
    sx, sy = 0.5 * width_per_layer / largest, 5.6 / tallest
    for k, row in enumerate(lstm_rows):
        F, U = row.input_shape[-1], row.units
        x0 = k * width_per_layer - 1
        w = _size(4 * U) * sx
        blocks = [("kernel", F), ("recurrent_kernel", U)] + ([("bias", 1)] if "bias" in row.weights else [])
        y = 7.2
        for name, height_n in blocks:
            h = _size(height_n) * sy
            for s, (slice_name, colour_key) in enumerate(SLICES):
                opacity = 0.85
                if name == "bias" and bias_values and row.name in bias_values:
                    mean = float(np.mean(bias_values[row.name][s * U : (s + 1) * U]))
                    opacity = 0.35 + 0.6 * min(abs(mean), 1.0)
                shapes.append(
                    dict(
                        type="rect",
                        x0=x0 + s * w / 4,
                        x1=x0 + (s + 1) * w / 4,
                        y0=y - h,
                        y1=y,
                        fillcolor=GATE_COLOURS[colour_key],
                        opacity=opacity,
                        line={"color": "white", "width": 1},
                        name=f"{row.name}.{name}.{slice_name}",
                    )
                )
                if name == "kernel":
                    annotations.append(
                        dict(
                            x=x0 + (s + 0.5) * w / 4,
                            y=y,
                            text=f"<b>{slice_name}</b>",
                            showarrow=False,
                            yshift=10,
                            font={"size": 13, "color": GATE_COLOURS[colour_key]},
                        )
                    )
            shape = row.weights[name]
            annotations.append(
                dict(
                    x=x0 + w,
                    y=y - h / 2,
                    xanchor="left",
                    xshift=6,
                    showarrow=False,
                    font={"size": 12},
                    text=f"{name}<br>{format_shape(shape)}",
                )
            )
            y -= h + 0.12
        annotations.append(
            dict(
                x=x0 + w / 2,
                y=y - 0.1,
                showarrow=False,
                font={"size": 12, "color": MUTED},
                yanchor="top",
                text=_("{layer}: 4·U = {n} columns").format(layer=row.name, n=4 * U) + f"<br>{row.formula.split(' = ', 1)[1]}",
            )
        )
    total = table.total
    check = _(" = Keras count_params() {n}").format(n=f"{count_params:,}") if count_params is not None else ""
    annotations.append(
        dict(
            x=-1,
            y=-0.2,
            xanchor="left",
            showarrow=False,
            font={"size": 15},
            text="<b>"
            + _("Total parameters: {n}").format(n=f"{total:,}")
            + f"</b>{check}"
            + _(". ")  # the sentence's full stop, in the page's script
            + _("The timesteps appear in no weight shape: the same weights serve every step."),
        )
    )
    layout = layout_dict(
        title=_("Tensor shapes and weights (blocks to √ scale; gate slices i | f | c | o)"), view="shapes", height=620
    )
    layout.update(
        shapes=shapes,
        annotations=annotations,
        xaxis={**HIDDEN_AXIS, "range": [-1.4, 3.0 * n + 2.5]},
        yaxis={**HIDDEN_AXIS, "range": [-0.8, 10.8]},
        meta={"view": "shapes", "total_params": total},
    )
    return unvalidated_figure([], layout)


def model_summary_text(model) -> str:
    """``model.summary()`` as plain text (Keras prints it; we capture it)."""
    buffer = io.StringIO()
    # 78 columns: Keras draws the table with rich, whose console is 80 wide here, and a wider table loses its last
    # column ("Param #") without a word.
    model.summary(print_fn=lambda line, **_: buffer.write(line + "\n"), line_length=78)
    return buffer.getvalue()
