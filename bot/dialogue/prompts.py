"""The question a flow is waiting on, and the buttons it offered.

After every turn inside a flow, the latest question (text and buttons) is kept
with the conversation: a stale or foreign button is refused in one place (the
router, see flow_buttons) and the question asked again; the camera scanner page
shows the same question."""
from __future__ import annotations

from typing import Any

from .messages import Button, Reply

PROMPT_KEY = "_prompt"  # {"text": ..., "buttons": [[{"label", "data"}]]}
BUTTONS_KEY = "_buttons"  # callback data of the latest buttons the flow offered
BUTTONS_AT_KEY = "_buttons_at"  # the step ("flow.step") they were offered at: a later step makes them stale


def remember(turn: Any) -> None:
    if turn.conv.flow is None or not turn.replies:
        return
    data = dict(turn.conv.data)
    question = next((r for r in reversed(turn.replies) if r.text and not r.error), None)
    if question is not None:
        data[PROMPT_KEY] = prompt_of(question)
    offered = [b.data for r in turn.replies for row in r.buttons for b in row if b.data and not b.web_app]
    if offered:  # a message without buttons leaves the earlier ones as they are (while the step stays)
        data[BUTTONS_KEY] = offered
        data[BUTTONS_AT_KEY] = f"{turn.conv.flow}.{turn.conv.step}"
    turn.conv.data = data


def prompt_of(reply: Reply) -> dict[str, Any]:
    return {"text": reply.text, "buttons": [[{"label": b.label, "data": b.data} for b in row if not b.web_app]
                                            for row in reply.buttons if any(not b.web_app for b in row)]}


def is_current(turn: Any, flow: str, data: str) -> bool:
    """Pressed in the flow it belongs to ("*": any flow), on the latest buttons that flow offered,
    at the step it is still at."""
    conv = turn.conv
    return (conv.flow is not None and flow in (conv.flow, "*") and data in conv.data.get(BUTTONS_KEY, ())
            and conv.data.get(BUTTONS_AT_KEY, f"{conv.flow}.{conv.step}") == f"{conv.flow}.{conv.step}")


def ask_again(turn: Any) -> None:
    prompt = turn.conv.data.get(PROMPT_KEY) if turn.conv.flow else None
    if prompt and prompt.get("text"):
        turn.say(prompt["text"], [[Button(b["label"], b["data"]) for b in row] for row in prompt.get("buttons", [])])
