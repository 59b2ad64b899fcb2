"""Translation of user-facing text through gettext catalogs (bot/locale/<lang>/LC_MESSAGES/messages.mo).

Templates are English with {named} fields; a missing catalog falls back to English.
"""
from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from domain.errors import Contextual, Plural, counted

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ru", "bg", "ro", "zh")


def normalise_language(code: str | None, default: str = "en") -> str:
    """Telegram sends IETF tags like 'ru', 'en-GB', 'zh-hans': keep the supported base language."""
    if not code:
        return default
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else default


@lru_cache(maxsize=None)
def _catalog(lang: str) -> gettext.NullTranslations:
    return gettext.translation("messages", localedir=LOCALE_DIR, languages=[lang], fallback=True)


def translate(lang: str, template: str) -> str:
    if isinstance(template, Plural) and template.n is not None:
        return _catalog(lang).ngettext(str(template), template.plural, gettext_count(template.n))
    if isinstance(template, Contextual):
        return _catalog(lang).pgettext(template.context, str(template))
    return _catalog(lang).gettext(template)


def gettext_count(n) -> int:
    """gettext's plural rules take whole numbers; a fractional quantity reads like "2" in every
    language we have (ru 1,5 коробки, ro 1,5 cutii, en 1.5 boxes)."""
    n = getattr(n, "value", n)  # a Quantity counts by its number
    try:
        whole = int(n)
        return whole if whole == n else 2
    except (TypeError, ValueError):
        return 2


def tr(lang: str, template: str, **params) -> str:
    text = translate(lang, counted(template, params))
    return text.format(**params) if params else text


def trn(lang: str, singular: str, plural: str, n, **params) -> str:
    """A countable message: the form of `n` in the language ({n} and any other fields filled)."""
    return tr(lang, Plural(singular, plural, "n"), n=n, **params)


def trp(lang: str, context: str, template: str, **params) -> str:
    """A message with a context (gettext's pgettext), e.g. trp(lang, "delivery note column", "Ordered")."""
    return tr(lang, Contextual(context, template), **params)
