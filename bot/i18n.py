"""Translation of user-facing text through gettext catalogs (bot/locale/<lang>/LC_MESSAGES/messages.mo).

Templates are English with {named} fields; a missing catalog falls back to English.
"""
from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

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
    return _catalog(lang).gettext(template)


def tr(lang: str, template: str, **params) -> str:
    text = translate(lang, template)
    return text.format(**params) if params else text
