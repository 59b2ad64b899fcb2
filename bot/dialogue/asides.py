"""Words typed in the middle of a flow that are no answer to its question.

"где заказ 1042?" during a count, or "what's my stock of A4 paper" mid-pick, must
not be looked up as a product code. The person is told which flow they are in and
asked the question again; a stock or order question is answered on the side, and the
flow stays exactly where it was."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from domain.errors import DomainError
from domain.permissions import can

from . import prompts
from .step_words import DONE_WORDS

if TYPE_CHECKING:
    from .engine import Dialogue
    from .turn import Turn

log = logging.getLogger(__name__)

# Read-only questions worth answering without leaving the flow.
ASIDE_INTENTS = ("order_status", "check_stock")
# Short words the steps themselves take ("done", "no lot"): never asides.
STEP_WORDS = DONE_WORDS | {"no lot", "none", "без партии", "без", "нет", "няма", "fără", "fara", "无", "没有"}


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def not_an_answer(text: str, *, code_step: bool) -> bool:
    """A question, or (where the answer is a code or a number) a sentence of words."""
    t = text.strip()
    if not t or t.lower() in STEP_WORDS:
        return False
    if any(c in t for c in "?\uff1f\u00bf"):
        return True
    if not code_step:
        return False
    words = t.split()
    wordy = [w for w in words if sum(ch.isalpha() for ch in w) >= 2 and not any(ch.isdigit() for ch in w)]
    return (len(words) >= 3 and len(wordy) >= 2) or sum(_is_cjk(ch) for ch in t) >= 4


async def answer_aside(dialogue: "Dialogue", turn: "Turn", text: str) -> bool:
    """True when the message was no answer to the step: then it was handled here (and the flow kept)."""
    key = f"{turn.conv.flow}.{turn.conv.step}"
    router = dialogue.router
    if turn.inbound.kind != "text" or key not in router.code_steps | router.question_steps:
        return False
    if not not_an_answer(text, code_step=key in router.code_steps):
        return False
    flow, step, data = turn.conv.flow, turn.conv.step, dict(turn.conv.data or {})
    name = turn.t(router.flow_names.get(flow, flow))
    answered = await _aside(dialogue, turn, text)
    turn.conv.flow, turn.conv.step, turn.conv.data = flow, step, data  # whatever the aside did, the flow stays
    if answered:
        turn.say(turn.t("You are still in the middle of {flow}:", flow=name))
    else:
        turn.say(turn.t("You are in the middle of {flow}, and \u201c{text}\u201d is no answer to my question, so I did nothing "
                        "with it. Answer the question, or send /cancel to stop {flow}.", flow=name, text=text[:80]))
    prompts.ask_again(turn)
    return True


async def _aside(dialogue: "Dialogue", turn: "Turn", text: str) -> bool:
    parse = dialogue.services.parse
    if parse is None:
        return False
    from .engine import LOW_CONFIDENCE

    parsed = parse(text, lang=None, now=turn.now(), tz=str(turn.tz))
    route = dialogue.router.intents.get(parsed.intent)
    if parsed.intent not in ASIDE_INTENTS or route is None or parsed.confidence < LOW_CONFIDENCE:
        return False
    if route.capability and not can(turn.user, route.capability):
        return False
    turn.parsed, turn.args = parsed, ""
    try:
        await route.handler(turn)
    except DomainError as err:  # read-only questions: a refusal is an answer too ("no order 1042")
        turn.say(err.render(turn.t))
    return True
