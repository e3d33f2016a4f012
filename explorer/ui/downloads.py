"""Take it with you: every download in one place (files are made only when their button is pressed)."""

from __future__ import annotations

import streamlit as st

from explorer.codegen import keras3_code
from explorer.config import LSTMConfig
from explorer.export.activations import csv_text, npz_bytes
from explorer.export.model_file import keras_file_bytes
from explorer.export.names import file_stem
from explorer.export.training_code import training_code
from explorer.i18n import _
from explorer.i18n.names import layer_label
from explorer.training.snapshots import TrainedWeights
from explorer.ui import cache
from explorer.ui.chart import IMAGE_FORMATS
from explorer.ui.real_model import model_to_build
from explorer.upload.weights import SiteWeights, UploadedWeights, describe
from explorer.view import ViewConfig


def download_stem(view: ViewConfig, weights: TrainedWeights | None, whole: LSTMConfig | None = None) -> str:
    """File names' stem: the model's shape, and the task and step, or the uploaded file's name (and the LSTM shown);
    ``whole``: the sliders' whole real model when the views show one of its LSTMs."""
    if isinstance(weights, UploadedWeights):
        return weights.name.rsplit(".", 1)[0]
    if isinstance(weights, SiteWeights) and weights.from_file:  # one LSTM of a learner's real model
        return weights.name.rsplit(".", 1)[0] + "_" + "".join(c if c.isalnum() else "-" for c in weights.label).strip("-")
    if isinstance(weights, SiteWeights):  # the sliders' real model: named after the whole model
        return file_stem(whole or view.model)
    return file_stem(view.model, task=view.task if weights else "", step=weights.step if weights else None)


def downloads(view: ViewConfig, data_key: tuple, weights: TrainedWeights | None, whole: LSTMConfig | None = None) -> None:
    """Buttons for the model (``.keras``), its code (``.py``) and the activations the views show (``.npz``, ``.csv``).

    ``whole``: the model the sliders describe. When the views show one LSTM of the sliders' real model (an Embedding,
    a Bidirectional layer), the model file and the code are the whole model's; the activations are the LSTM's shown.
    """
    cfg = view.model
    site = weights if isinstance(weights, SiteWeights) else None
    layer = layer_label(site.label) if site else None
    model_cfg = model_to_build(view, weights, whole)  # what the .keras file and the code build
    sliders_real = model_cfg is not cfg  # the sliders' whole real model, with its seeded weights
    with st.expander(":material/download: " + _("Take it with you: the model, its code, the activations")):
        if not cfg.is_buildable:
            st.caption(_("Fix the stack first: a model Keras cannot build cannot be saved."))
            return
        stem = download_stem(view, weights, whole)
        arrays = None if weights is None or sliders_real else weights.arrays  # the sliders' real model: seeded weights
        spec = view.training_spec()
        tr = cache.view_trace(cfg, data_key, weights)
        if weights is not None and not sliders_real:
            which = _("with {weights}").format(weights=describe(weights))
        else:
            which = _("as initialised (seed {seed})").format(seed=model_cfg.seed)
        code_note = (
            _("Keras 3 code that builds this model and trains it on the task with model.fit.")
            if spec
            else _("Keras 3 code that builds this model.")
        )
        model_note = _("The live model {which}: keras.saving.load_model('{file}') gives the outputs shown here.")
        x_note = _("x (batch, T, features)")
        if site is not None and not sliders_real:  # one LSTM of a learner's file: it alone, fed what reached it
            model_note = _(
                "{layer} of your model alone, as a one-layer Keras model with its weights: keras.saving.load_model('{file}') "
                "fed x from the activations (the tensor that reached it) gives the outputs shown here."
            )
            code_note = _("Keras 3 code that builds {layer} alone, with the input shape that reaches it in your model.")
        if site is not None:
            x_note = _("x (batch, T, features): the tensor that reached {layer} in the model")
        files = [  # (label, made when pressed, file name, MIME type, icon, what it holds)
            (_("Model (.keras)"), lambda: keras_file_bytes(model_cfg, arrays), f"{stem}.keras", "application/octet-stream",
             "deployed_code", model_note.format(which=which, file=f"{stem}.keras", layer=layer)),
            (_("Code (.py)"), lambda: training_code(spec) if spec is not None else keras3_code(model_cfg), f"{stem}.py",
             "text/x-python", "code", code_note.format(layer=layer)),
            (_("Activations (.npz)"), lambda: npz_bytes(tr), f"{stem}_activations.npz", "application/octet-stream",
             "data_array", _("np.load(...): {x}; layer0_i … layer0_h (batch, T, units), one array per "
             "layer and gate, in each layer's processing order; layer0_h0, layer0_c0; output.").format(
                 x=x_note.format(layer=layer))),
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
