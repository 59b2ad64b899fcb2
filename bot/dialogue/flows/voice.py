"""Voice notes: transcribed offline, shown back ("I heard: …", unsure words in
[brackets]), then handled exactly like typed text — after Confirm whenever it
would book something; Edit lets the person type it instead."""
from __future__ import annotations

import asyncio
import logging
import re

from babel import Locale, UnknownLocaleError

from domain.speech import SpeechUnavailable

from ..messages import Button
from ..router import Router
from ..turn import Turn

log = logging.getLogger(__name__)

# Questions that change nothing run straight away; everything else waits for Confirm.
READ_ONLY = {"order_status", "check_stock", "customer_info", "list_tasks", "help", "sales_report", "replenishment_plan"}


async def on_voice(turn: Turn) -> None:
    stt = turn.services.transcribe
    if stt is None:
        turn.say(turn.t("I can't listen to voice notes on this server. Please type it."))
        return
    expected, vocabulary = await _vocabulary(turn)
    try:
        transcript = await asyncio.to_thread(stt.transcribe, turn.inbound.data, lang=turn.lang, vocabulary=vocabulary,
                                             expected=expected, score=_judge(turn))
    except SpeechUnavailable as exc:
        # The person gets a plain answer in their language; the operator gets the key to set.
        log.warning("speech: a voice note was not transcribed: %s", exc.render())
        turn.say(turn.t("I can't listen to voice notes in {language} yet. Please type it.",
                        language=language_name(turn.lang, turn.lang)))
        return
    text = transcript.text.strip()
    if not text:
        turn.say(turn.t("I couldn't make out any words. Please try again closer to the phone, or type it."))
        return
    heard = turn.t("I heard: \u201c{text}\u201d", text=mark_unsure(text, transcript.unsure))
    if transcript.unsure:
        heard += "\n" + turn.t("I'm not sure of the words in [brackets].")
    if not turn.conv.step and turn.services.parse is not None:
        parsed = turn.services.parse(text, lang=None, now=turn.now(), tz=str(turn.tz))
        if parsed.intent in READ_ONLY:
            turn.say(heard)
            await turn.dialogue.route_free_text(turn, text)
            return
    turn.conv.data = {**turn.state, "voice_text": text}
    turn.say(heard, [[Button(turn.t("Confirm"), "voice:ok"), Button(turn.t("Edit"), "voice:edit"),
                      Button(turn.t("Cancel"), "voice:no")]])


def _judge(turn: Turn):
    """A free note (no step waiting for an answer): how surely the parser understands a hearing of it, so an engine
    that hears a garbled note again several ways keeps the hearing that makes most sense. In a step: none."""
    parse = turn.services.parse
    if turn.conv.step or parse is None:
        return None
    now, tz = turn.now(), str(turn.tz)

    def score(text: str) -> float:
        return float(parse(text, lang=None, now=now, tz=tz).confidence) if text.strip() else 0.0

    return score


async def on_voice_button(turn: Turn) -> None:
    text = turn.state.get("voice_text")
    data = dict(turn.state)
    data.pop("voice_text", None)
    turn.conv.data = data
    if not text or turn.args not in ("ok", "edit"):
        turn.say(turn.t("OK, nothing done."), edit=True)
        return
    if turn.args == "edit":
        turn.say(turn.t("Type it the way you meant it. I heard: \u201c{text}\u201d", text=text), edit=True)
        if not turn.conv.step:  # inside a flow the typed text goes to that flow's step anyway
            turn.goto("voice", "edit")
        return
    turn.inbound.kind, turn.inbound.text = "text", text
    await turn.dialogue.handle_text(turn)


async def on_edited_text(turn: Turn) -> None:
    """The typed correction after Edit: handled as any typed text."""
    turn.end()
    await turn.dialogue.route_free_text(turn, (turn.inbound.text or "").strip())


def mark_unsure(text: str, unsure: tuple[str, ...] | list[str]) -> str:
    """'pick C-25' with unsure ('c-25',) -> 'pick [C-25]'."""
    if not unsure:
        return text
    doubtful = {u.lower() for u in unsure}

    def mark(m: re.Match[str]) -> str:
        word = m.group(0)
        return f"[{word}]" if word.lower() in doubtful else word

    return re.sub(r"[^\s.,!?;:\"'«»“”]+(?:[.,][^\s.,!?;:\"'«»“”]+)*", mark, text)


def language_name(code: str, in_lang: str) -> str:
    """'ru' -> 'Russian' (in English), 'русский' (in Russian); the code itself when Babel has no name."""
    try:
        return Locale.parse(code).get_display_name(Locale.parse(in_lang)) or code
    except (UnknownLocaleError, ValueError):
        return code


async def _vocabulary(turn: Turn) -> tuple[list[str], list[str]]:
    """(what the current flow asks for, the names from the database: the person's own
    customers first; read once per person and process, they change rarely)."""
    expected: list[str] = []
    hint = turn.dialogue.router.expectations.get(turn.conv.flow or "") if turn.conv.step else None
    if hint is not None:
        expected = await hint(turn)
    person_id = turn.user.id if turn.user is not None else None
    cache = turn.services.extras.setdefault("speech_vocabulary", {})
    if person_id not in cache:
        from ...speech.vocabulary import speech_vocabulary

        cache[person_id] = await speech_vocabulary(turn.session, person_id=person_id)
    return expected, list(cache[person_id])


def register(router: Router) -> None:
    router.declare(commands={"@voice": on_voice}, callbacks={"voice": on_voice_button}, steps={"voice": {"edit": on_edited_text}})
