"""Language understanding: one message in, an intent with entities out.

    from nlu import parse
    result = parse("remind me to call Acme tomorrow at 10")
    result.intent, result.confidence, result.lang, result.entities, result.alternatives

Models are loaded lazily per language and cached; `load()` warms them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

LANGS = ("en", "ru", "bg", "ro", "zh")

__all__ = ["LANGS", "ParseResult", "parse", "load"]


@dataclass
class ParseResult:
    text: str
    intent: str
    confidence: float
    lang: str
    entities: dict[str, Any] = field(default_factory=dict)
    # (intent, score) best first, the chosen intent included
    alternatives: list[tuple[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "lang": self.lang, "intent": self.intent,
                "confidence": self.confidence, "entities": self.entities}


def load(langs=None) -> None:
    """Loads the pipelines (classifier and entity rules) of `langs` (all by default)."""
    from nlu import entities, intents

    for lang in langs or LANGS:
        _check_lang(lang)
        intents.pipeline(lang)
        entities._matcher(lang)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        from domain.errors import InvalidInput

        raise InvalidInput("Unknown language {lang}; use one of: {langs}", lang=lang, langs=", ".join(LANGS))


def parse(text: str, lang: str | None = None, now: datetime | None = None, tz=None,
          region: str = "BG") -> ParseResult:
    """Understands one message.

    lang: "en", "ru", "bg", "ro", "zh", or None/"auto" to detect it.
    now: the moment relative dates are resolved against (default: the current time).
    tz: an IANA name or tzinfo; dates are resolved in it (default: now's zone, else UTC).
    region: default country for phone numbers written without "+".
    """
    from nlu import entities, intents
    from nlu.langid import detect

    if not isinstance(text, str):
        from domain.errors import InvalidInput

        raise InvalidInput("The message must be text, not {kind}", kind=type(text).__name__)
    now = _resolve_now(now, tz)
    clean = " ".join(text.split())
    if lang in (None, "", "auto"):
        lang = detect(clean) if clean else "en"
    _check_lang(lang)
    if not clean:
        return ParseResult(text, "unknown", 1.0, lang, {}, [("unknown", 1.0)])
    ranked = intents.classify(clean, lang)
    intent, score = ranked[0]
    ents = entities.extract(clean, lang, intent, now, region)
    return ParseResult(text, intent, round(float(score), 4), lang, ents,
                       [(name, round(float(s), 4)) for name, s in ranked[:3]])


def _resolve_now(now: datetime | None, tz) -> datetime:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    zone = None
    if isinstance(tz, str) and tz:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            from domain.errors import InvalidInput

            raise InvalidInput("Unknown time zone {tz}", tz=tz) from None
    elif tz is not None:
        zone = tz
    if now is None:
        from datetime import timezone

        now = datetime.now(zone or timezone.utc)
    elif now.tzinfo is None:
        from datetime import timezone

        now = now.replace(tzinfo=zone or timezone.utc)
    elif zone is not None:
        now = now.astimezone(zone)
    return now
