"""A learner's real model on the page: which of its LSTMs the views show (the layer picker), its map, and its
layers' table in the shapes view. The views themselves draw the picked LSTM as a one-layer model whose input is the
tensor that reached it (`explorer.upload.weights.SiteWeights`)."""

from __future__ import annotations

import streamlit as st

from explorer.config import LSTMConfig
from explorer.figures.model_map import make_model_map
from explorer.formatting import format_shape
from explorer.i18n import _
from explorer.i18n.names import layer_label
from explorer.realmodel.sites import drawable, site_config
from explorer.realmodel.structure import RealModel
from explorer.ui import cache
from explorer.ui.cache.real import BuiltReal
from explorer.ui.controls import apply_model
from explorer.ui.view_panels import warm_view
from explorer.upload.weights import SiteWeights
from explorer.view import ViewConfig

SITE = "_upload_site"  # the index of the LSTM the views show
PICKER = "upload_site_picker"


def show_site(real: RealModel, index: int) -> None:
    """Callback (before any widget): the views show site ``index`` of ``real``; the sliders move to its shape."""
    st.session_state[SITE] = index
    st.session_state[PICKER] = index
    if st.session_state.get("batch_size", 0) > real.batch_size:
        st.session_state["batch_size"] = real.batch_size  # a stateful model's own batch size
    st.session_state["layer"] = 0
    apply_model(site_config(real, index))


def picked(real: RealModel) -> int:
    """The index of the LSTM the views show (the first drawable one unless the learner picked another)."""
    index = st.session_state.get(SITE, 0)
    return index if 0 <= index < len(real.sites) else 0


def site_weights(real: RealModel, view: ViewConfig) -> SiteWeights | None:
    """The picked LSTM's weights when the view shows its shape (and no task), else ``None``."""
    index = picked(real)
    if view.task or not drawable(real, index) or view.model != site_config(real, index):
        return None
    return SiteWeights(real, index)


def _site_name(real: RealModel, index: int) -> str:
    site = real.sites[index]
    text = layer_label(site.label)
    if site.state_from:
        text += "  ← " + _("h, c from {layer}").format(layer=site.state_from)
    return text


def _on_pick() -> None:
    real = st.session_state.get("_upload")
    if isinstance(real, RealModel):
        show_site(real, st.session_state[PICKER])


def real_model_notice(real: RealModel, weights) -> None:
    """Above the views: whose LSTM they show, the picker, the map, and the way back when the sliders moved away."""
    index = picked(real)
    site = real.sites[index]
    shown = isinstance(weights, SiteWeights)
    if shown:
        st.info(
            _(
                "Every view shows **{layer}** of your model `{name}`, one of its {n} LSTMs, with its own weights, traced "
                "from the tensor that reached it in your model: {shape} per sample."
            ).format(
                layer=layer_label(site.label),
                name=real.name,
                n=len(real.sites),
                shape=format_shape(real.layer_inputs[site.layer].x.shape[1:]),
            )
            + " "
            + " ".join(map(str, real.notes)),
            icon=":material/person:",
        )
    else:
        st.info(
            _(
                "Your model `{name}` is open, but the settings have moved away from the shape of {layer} (or a task is "
                "chosen), so the views show a freshly initialised model."
            ).format(name=real.name, layer=layer_label(site.label)),
            icon=":material/person:",
        )
        st.button(_("Back to my model"), on_click=show_site, args=(real, index))
    st.session_state.setdefault(PICKER, index)
    _picker_and_map(real, site.layer, PICKER, own=True, on_change=_on_pick)


def _picker_and_map(real: RealModel, shown_layer: str, key: str, *, own: bool, on_change=None) -> None:
    """The LSTM picker (its value: a site index, in ``key``) and the model map (``own``: a learner's file)."""
    st.selectbox(
        _("LSTM shown in every view"),
        range(len(real.sites)),
        format_func=lambda k: _site_name(real, k),
        key=key,
        on_change=on_change,
        help=_("Each LSTM of your model, and each direction of a Bidirectional one, is traced on its own.")
        if own
        else _("Each LSTM of the model, and each direction of a Bidirectional one, is traced on its own."),
        placeholder=_("Choose an option"),
    )
    title = _("Your model, layer by layer") if own else _("The model, layer by layer")
    with st.expander(title, expanded=True, icon=":material/account_tree:"):
        st.markdown(make_model_map(real.boxes, real.sites, shown_layer), unsafe_allow_html=True)


def real_model_table(real: RealModel, *, own: bool = True) -> None:
    """The shapes view's table of every layer of the real model, read off Keras (``own``: a learner's file)."""
    st.markdown(
        _("**Your whole model, per layer, read off Keras**") if own else _("**The whole model, per layer, read off Keras**")
    )
    rows = [
        {
            _("layer"): box.name,
            _("kind"): box.kind,
            _("input"): ", ".join(format_shape(s) for s in box.input_shapes),
            _("output"): ", ".join(format_shape(s) for s in box.output_shapes),
            _("params"): box.params,
            _("arguments"): box.detail,
            _("formula"): box.formula,
        }
        for box in real.boxes
    ]
    st.table(rows, border="horizontal")
    st.caption(_("Total parameters: {n} (model.count_params())").format(n=f"{real.total_params:,}"))


def model_to_build(view: ViewConfig, weights, whole: LSTMConfig | None) -> LSTMConfig:
    """The model the code and the ``.keras`` download build: the sliders' whole real model (``whole``) while the views
    show one of its LSTMs, else the model the views show (an LSTM of a learner's file: that LSTM alone)."""
    if isinstance(weights, SiteWeights) and not weights.from_file and whole is not None and whole.is_real:
        return whole
    return view.model


BUILT_PICKER = "built_site_picker"  # which LSTM of the sliders' real model the views show


def built_site(built, view: ViewConfig) -> tuple[SiteWeights, ViewConfig]:
    """The sliders' real model (`explorer.ui.cache.real.BuiltReal`): the weights of the LSTM picked and the view of
    it (a one-layer model of its shape; the sidebar keeps the whole model)."""
    index = st.session_state.get(BUILT_PICKER, 0)
    index = index if isinstance(index, int) and 0 <= index < len(built.real.sites) else 0
    st.session_state[BUILT_PICKER] = index
    return site_of(built, view, index)


def site_of(built, view: ViewConfig, index: int) -> tuple[SiteWeights, ViewConfig]:
    """LSTM ``index`` of the sliders' real model ``built``: its weights, and ``view`` showing it (a one-layer model)."""
    real = built.real
    return SiteWeights(real, index, built.model, built.step), view.replace(model=site_config(real, index), layer=0)


def warm_real_view(view: ViewConfig, panel: str, index: int, cfg: LSTMConfig) -> None:
    """Make the figures ``panel`` would show of LSTM ``index`` of the real model ``cfg`` (built already), for ``view``
    with ``cfg`` as its model: the build ahead's second half (`explorer.ui.cache.prefetch`), on its thread."""
    built = cache.built_real(cfg)
    if isinstance(built, BuiltReal) and index < len(built.real.sites) and drawable(built.real, index):
        weights, site_view = site_of(built, view.replace(model=cfg), index)
        warm_view(panel, site_view, site_view.data_key, weights)


def built_model_notice(built) -> None:
    """Above the views of a slider-built real model: what it is, the LSTM picker and the map; or why Keras cannot
    stack it."""
    from explorer.config import ConfigError

    if isinstance(built, ConfigError):
        st.error(_("**This stack cannot be built.** {reason}").format(reason=built), icon=":material/block:")
        return
    real = built.real
    index = st.session_state.get(BUILT_PICKER, 0)
    site = real.sites[index]
    facts = {
        "n": len(real.sites),
        "params": f"{real.total_params:,}",
        "layer": layer_label(site.label),
        "shape": format_shape(real.layer_inputs[site.layer].x.shape[1:]),
    }
    if len(real.sites) == 1:
        text = _(
            "An Embedding in front: each token id is looked up as a row of numbers, so **{layer}** reads {shape} per "
            "sample ({params} parameters in all). Every view shows it, traced from that tensor."
        )
    else:
        text = _(
            "This model has {n} LSTMs ({params} parameters in all): each direction of a Bidirectional layer is one. "
            "Every view shows **{layer}**, traced from the tensor that reaches it: {shape} per sample. Pick another below."
        )
    notes = " ".join(map(str, real.notes))
    st.info(text.format(**facts) + (" " + notes if notes else ""), icon=":material/account_tree:")
    _picker_and_map(real, site.layer, BUILT_PICKER, own=False)
