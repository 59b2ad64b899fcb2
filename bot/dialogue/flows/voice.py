"""Voice notes: transcribed offline, shown back ("I heard: …"), then handled
exactly like typed text — after a confirm tap whenever it would book something."""
from __future__ import annotations

import asyncio

from ..messages import Button
from ..router import Router
from ..turn import Turn

# Questions that change nothing run straight away; everything else waits for "Do it".
READ_ONLY = {"order_status", "check_stock", "customer_info", "list_tasks", "help", "sales_report", "replenishment_plan"}


async def on_voice(turn: Turn) -> None:
    stt = turn.services.transcribe
    if stt is None:
        turn.say(turn.t("I can't listen to voice notes on this server. Please type it."))
        return
    vocabulary = await _vocabulary(turn)
    transcript = await asyncio.to_thread(stt.transcribe, turn.inbound.data, lang=turn.lang, vocabulary=vocabulary)
    from ...speech import words_to_digits

    text = words_to_digits(transcript.text.strip())
    if not text:
        turn.say(turn.t("I couldn't make out any words. Please try again closer to the phone, or type it."))
        return
    heard = turn.t("I heard: \u201c{text}\u201d", text=text)
    if not turn.conv.step and turn.services.parse is not None:
        parsed = turn.services.parse(text, lang=None, now=turn.now(), tz=str(turn.tz))
        if parsed.intent in READ_ONLY:
            turn.say(heard)
            await turn.dialogue.route_free_text(turn, text)
            return
    turn.conv.data = {**turn.state, "voice_text": text}
    turn.say(heard, [[Button(turn.t("Do it"), "voice:ok"), Button(turn.t("Cancel"), "voice:no")]])


async def on_voice_button(turn: Turn) -> None:
    text = turn.state.get("voice_text")
    data = dict(turn.state)
    data.pop("voice_text", None)
    turn.conv.data = data
    if not text or turn.args != "ok":
        turn.say(turn.t("OK, nothing done."), edit=True)
        return
    turn.inbound.kind, turn.inbound.text = "text", text
    await turn.dialogue.handle_text(turn)


async def _vocabulary(turn: Turn) -> list[str]:
    """Names to bias recognition towards, read once per process (they change rarely)."""
    cached = turn.services.extras.get("speech_vocabulary")
    if cached is None:
        from ...speech.vocabulary import speech_vocabulary

        cached = turn.services.extras["speech_vocabulary"] = await speech_vocabulary(turn.session)
    return cached


def register(router: Router) -> None:
    router.command("@voice")(on_voice)
    router.callback("voice")(on_voice_button)
