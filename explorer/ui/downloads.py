"""Take it with you: every download in one place (files are made only when their button is pressed)."""

from __future__ import annotations

import streamlit as st

from explorer.codegen import keras3_code
from explorer.export.activations import csv_text, npz_bytes
from explorer.export.model_file import keras_file_bytes
from explorer.export.names import file_stem
from explorer.export.training_code import training_code
from explorer.i18n import _
from explorer.training.snapshots import TrainedWeights
from explorer.ui import cache
from explorer.ui.chart import IMAGE_FORMATS
from explorer.upload.weights import UploadedWeights, describe
from explorer.view import ViewConfig


def download_stem(view: ViewConfig, weights: TrainedWeights | None) -> str:
    """File names' stem: the model's shape, and the task and step, or the uploaded file's name."""
    if isinstance(weights, UploadedWeights):
        return weights.name.rsplit(".", 1)[0]
    return file_stem(view.model, task=view.task if weights else "", step=weights.step if weights else None)


def downloads(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None) -> None:
    """Buttons for the model (``.keras``), its code (``.py``) and the activations the views show (``.npz``, ``.csv``)."""
    cfg = view.model
    with st.expander(":material/download: " + _("Take it with you: the model, its code, the activations")):
        if not cfg.is_buildable:
            st.caption(_("Fix the stack first: a model Keras cannot build cannot be saved."))
            return
        stem = download_stem(view, weights)
        arrays = None if weights is None else weights.arrays
        spec = view.training_spec()
        tr = cache.view_trace(cfg, data_key, weights)
        if weights is not None:
            which = _("with {weights}").format(weights=describe(weights))
        else:
            which = _("as initialised (seed {seed})").format(seed=cfg.seed)
        code_note = (
            _("Keras 3 code that builds this model and trains it on the task with model.fit.")
            if spec
            else _("Keras 3 code that builds this model.")
        )
        files = [  # (label, made when pressed, file name, MIME type, icon, what it holds)
            (_("Model (.keras)"), lambda: keras_file_bytes(cfg, arrays), f"{stem}.keras", "application/octet-stream",
             "deployed_code", _("The live model {which}: keras.saving.load_model('{file}') gives the outputs shown here.").format(
                 which=which, file=f"{stem}.keras")),
            (_("Code (.py)"), lambda: training_code(spec) if spec is not None else keras3_code(cfg), f"{stem}.py",
             "text/x-python", "code", code_note),
            (_("Activations (.npz)"), lambda: npz_bytes(tr), f"{stem}_activations.npz", "application/octet-stream",
             "data_array", _("np.load(...): x (batch, T, features); layer0_i … layer0_h (batch, T, units), one array per "
             "layer and gate, in each layer's processing order; layer0_h0, layer0_c0; output.")),
            (_("Activations (.csv)"), lambda: csv_text(tr), f"{stem}_activations.csv", "text/csv",
             "table", _("One row per value: sample, layer, t (the input step, 1 … T), unit, quantity (i f g o c h), value.")),
        ]  # fmt: skip
        for column, (label, data, name, mime, icon, holds) in zip(st.columns(len(files)), files, strict=True):
            column.download_button(
                label, data=data, file_name=name, mime=mime, on_click="ignore", icon=f":material/{icon}:", help=holds
            )
        st.session_state.setdefault("image_format", "PNG")
        st.segmented_control(
            _("Charts save as"),
            list(IMAGE_FORMATS),
            key="image_format",
            help=_(
                "What the camera icon above every chart saves: a PNG at slide resolution (3× the screen) or an SVG "
                "(vector: any size, editable); named after the model and the view."
            ),
        )
