"""Which language the current code runs in: a context variable, so threads and sessions never mix."""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from typing import TypeVar

LANGUAGES = {"en": "English", "zh": "中文"}  # URL value -> the language's own name (what the switch shows)
DEFAULT_LANGUAGE = "en"
T = TypeVar("T")

# Each thread starts with the default: a background worker speaks English unless told otherwise,
# and one session's language never leaks into another's script run.
_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("lstm_explorer_language", default=DEFAULT_LANGUAGE)


def language() -> str:
    """The language text is drawn in now (a key of `LANGUAGES`)."""
    return _CURRENT.get()


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[str]:
    """Draw text in ``lang`` inside the block (an unknown language falls back to the default).

    Args:
        lang: a key of `LANGUAGES`, e.g. ``"zh"``.

    Yields:
        The language in force.
    """
    token = _CURRENT.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


def keep_language(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` that always draws in today's language, wherever it is called later.

    For callbacks a widget keeps (a ``format_func``): Streamlit's test harness calls them outside the page's run.
    """
    lang = language()

    @functools.wraps(fn)
    def in_language(*args, **kwargs) -> T:
        with use_language(lang):
            return fn(*args, **kwargs)

    return in_language
