"""Messages and their catalogues: ``_`` translates now, ``N_`` marks for later, `Message` translates when shown."""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

from explorer.i18n.language import DEFAULT_LANGUAGE, LANGUAGES, language

LOCALES = Path(__file__).with_name("locales")
DOMAIN = "messages"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English, the messages' own language, needs none)."""
    if lang == DEFAULT_LANGUAGE or lang not in LANGUAGES:
        return gettext.NullTranslations()
    with open(LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as mo:
        return gettext.GNUTranslations(mo)


def _(message: str) -> str:
    """``message`` in the current language (itself when the catalogue lacks it)."""
    return translations(language()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (for constants; translate with ``_`` when shown)."""
    return message


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, as meant in ``context`` (gettext's ``msgctxt``): one English word can need
    two translations, such as "step" (a time step, 时间步; a stage of a pipeline, 步骤)."""
    return translations(language()).pgettext(context, message)


def NC_(context: str, message: str) -> str:
    """Mark ``message`` with its ``context`` for the catalogue without translating it (translate with `pgettext`)."""
    return message


class Message:
    """A message with named values, translated when it becomes text (``str``, ``format``, f-strings).

    For text made where the reader's language is not known: an error cached for every session, a
    background job's status. ``Message("`{name}` must be a whole number", name="units")``.
    Values that are themselves Messages are translated too.
    """

    __slots__ = ("msgid", "values")

    def __init__(self, msgid: str, /, **values: object):
        self.msgid = msgid
        self.values = values

    def __str__(self) -> str:
        text = _(self.msgid)
        return text.format(**self.values) if self.values else text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.values!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.msgid, self.values) == (other.msgid, other.values)

    def __hash__(self) -> int:
        return hash((self.msgid, tuple(sorted(self.values.items(), key=lambda kv: kv[0]))))


class Joined:
    """Texts joined by a separator, each translated when shown (``Joined("; ", problems)``)."""

    __slots__ = ("items", "separator")

    def __init__(self, separator: str, items):
        self.separator, self.items = separator, tuple(items)

    def __str__(self) -> str:
        return self.separator.join(map(str, self.items))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)
