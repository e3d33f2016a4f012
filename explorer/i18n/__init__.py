"""The page's language: gettext catalogues and the language a piece of code runs in.

Every sentence a user reads is a message: English in the code (gettext's usual key), its
translations in ``locales/<lang>/LC_MESSAGES/messages.po`` (compiled to ``.mo``, read with the
standard library's ``gettext``). Code that draws text calls ``_("…")`` at the time it draws; a
constant defined at import time is marked ``N_("…")`` and translated where it is shown; a message
made where the language is not known (a background thread, a cached error) is a `Message`, which
translates itself when it is turned into text::

    from explorer.i18n import _, use_language
    with use_language("zh"):
        _("Parameters")          # '参数'

Nothing here imports Streamlit; the page sets the language once per run (and per fragment run).
"""

from explorer.i18n.catalogue import N_, NC_, Joined, Message, _, pgettext, translations
from explorer.i18n.language import DEFAULT_LANGUAGE, LANGUAGES, keep_language, language, use_language

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "NC_",
    "N_",
    "Joined",
    "Message",
    "_",
    "keep_language",
    "language",
    "pgettext",
    "translations",
    "use_language",
]
