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

__all__ = ["LANGS", "ParseResult", "parse", "parse_many", "load"]


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
    from nlu import intents

    for lang in langs or LANGS:
        _check_lang(lang)
        intents.pipeline(lang)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        from domain.errors import InvalidInput

        raise InvalidInput("Unknown language {lang}; use one of: {langs}", lang=lang, langs=", ".join(LANGS))


def parse(text: str, lang: str | None = None, now: datetime | None = None, tz=None,
          region: str = "BG", names=None, intent: str | None = None) -> ParseResult:
    """Understands one message.

    lang: "en", "ru", "bg", "ro", "zh", or None/"auto" to detect it.
    now: the moment relative dates are resolved against (default: the current time).
    tz: an IANA name or tzinfo; dates are resolved in it (default: now's zone, else UTC).
    region: default country for phone numbers written without "+".
    names: the company's names (nlu.names.Names); default: the snapshot file, if any.
    intent: the intent when the person has chosen it (a clarification button): the entities
    are then read for that intent, and the classifier is not asked.
    """
    return parse_many([{"text": text, "lang": lang, "now": now, "tz": tz, "region": region, "intent": intent}],
                      names=names)[0]


def parse_many(items: list[dict], names=None) -> list[ParseResult]:
    """Understands a batch: each item is {"text", "lang"?, "now"?, "tz"?, "region"?} as
    for parse(). Results come back in order; the classifier scores each language's
    messages in one pass, which is several times faster than one call per message."""
    from nlu import entities, intents
    from nlu import names as gazetteer
    from nlu.langid import detect

    names = names if names is not None else gazetteer.current()

    prepared = []
    for item in items:
        text = item.get("text")
        if not isinstance(text, str):
            from domain.errors import InvalidInput

            raise InvalidInput("The message must be text, not {kind}", kind=type(text).__name__)
        now = _resolve_now(item.get("now"), item.get("tz"))
        clean = " ".join(text.split())
        lang = item.get("lang")
        if lang in (None, "", "auto"):
            lang = detect(clean) if clean else "en"
        _check_lang(lang)
        prepared.append((text, clean, lang, now, item.get("region") or "BG"))
    ranked: dict[int, list] = {}
    for i, item in enumerate(items):
        chosen = item.get("intent")
        if chosen:
            if chosen not in intents.INTENTS:
                from domain.errors import InvalidInput

                raise InvalidInput("Unknown intent {intent}", intent=chosen)
            ranked[i] = [(chosen, 1.0)]
    words = {i: _words(p[1]) for i, p in enumerate(prepared) if p[1] and i not in ranked}
    for i, w in words.items():
        if not w:
            ranked[i] = [("unknown", 1.0)]  # only endless "words" (a held key, pasted noise): nothing to classify
    for lang in {p[2] for p in prepared}:
        idx = [i for i, p in enumerate(prepared) if p[2] == lang and p[1] and i not in ranked]
        for i, scores in zip(idx, intents.classify_many([words[i] for i in idx], lang)):
            ranked[i] = scores
    results = []
    for i, (text, clean, lang, now, region) in enumerate(prepared):
        if not clean:
            results.append(ParseResult(text, "unknown", 1.0, lang, {}, [("unknown", 1.0)]))
            continue
        intent, score = ranked[i][0]
        ents = entities.extract(clean, lang, intent, now, region, names)
        results.append(ParseResult(text, intent, round(float(score), 4), lang, ents,
                                   [(name, round(float(s), 4)) for name, s in ranked[i][:3]]))
    return results


LONGEST_WORD = 40  # longer "words" are codes run together or noise, never words a classifier learned


def _words(clean: str) -> str:
    """The text the classifier sees: without "words" longer than any word (Chinese is written without
    spaces, so a run with a CJK character is kept whatever its length)."""
    return " ".join(w for w in clean.split() if len(w) <= LONGEST_WORD or any("\u4e00" <= c <= "\u9fff" for c in w))


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
