"""Take it with you: every download in one place (files are made only when their button is pressed)."""

from __future__ import annotations

import streamlit as st

from explorer.codegen import keras3_code
from explorer.export.activations import csv_text, npz_bytes
from explorer.export.model_file import keras_file_bytes
from explorer.export.names import file_stem
from explorer.export.training_code import training_code
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
    with st.expander(":material/download: Take it with you: the model, its code, the activations"):
        if not cfg.is_buildable:
            st.caption("Fix the stack first: a model Keras cannot build cannot be saved.")
            return
        stem = download_stem(view, weights)
        arrays = None if weights is None else weights.arrays
        spec = view.training_spec()
        code = training_code(spec) if spec is not None else keras3_code(cfg)
        tr = cache.view_trace(cfg, data_key, weights)
        which = "with " + describe(weights) if weights is not None else f"as initialised (seed {cfg.seed})"
        cols = st.columns(4)
        cols[0].download_button(
            "Model (.keras)",
            data=lambda: keras_file_bytes(cfg, arrays),
            file_name=f"{stem}.keras",
            mime="application/octet-stream",
            on_click="ignore",
            icon=":material/deployed_code:",
            help=f"The live model {which}: keras.saving.load_model('{stem}.keras') gives the outputs shown here.",
        )
        cols[1].download_button(
            "Code (.py)",
            data=code,
            file_name=f"{stem}.py",
            mime="text/x-python",
            on_click="ignore",
            icon=":material/code:",
            help="Keras 3 code that builds this model" + (" and trains it on the task with model.fit." if spec else "."),
        )
        cols[2].download_button(
            "Activations (.npz)",
            data=lambda: npz_bytes(tr),
            file_name=f"{stem}_activations.npz",
            mime="application/octet-stream",
            on_click="ignore",
            icon=":material/data_array:",
            help="np.load(...): x (batch, T, features); layer0_i … layer0_h (batch, T, units), one array per layer and "
            "gate, in each layer's processing order; layer0_h0, layer0_c0; output.",
        )
        cols[3].download_button(
            "Activations (.csv)",
            data=lambda: csv_text(tr),
            file_name=f"{stem}_activations.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/table:",
            help="One row per value: sample, layer, t (the input step, 1 … T), unit, quantity (i f g o c h), value.",
        )
        st.session_state.setdefault("image_format", "PNG")
        st.segmented_control(
            "Charts save as",
            list(IMAGE_FORMATS),
            key="image_format",
            help="What the camera icon above every chart saves: a PNG at slide resolution (3× the screen) or an SVG "
            "(vector: any size, editable); named after the model and the view.",
        )
