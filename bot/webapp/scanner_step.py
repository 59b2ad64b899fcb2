"""Where the camera scanner meets the dialogue.

The steps that wait for a scan (pick, put-away, receive, count) offer a
"Scan with camera" button on Telegram; the page's scans come back in as typed
text, marked with the flow they were made for, and act only while that flow is
still the person's current one. The page shows the step's question, kept with
the conversation by bot/dialogue/prompts.py."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from domain.errors import N_, InvalidInput

from ..dialogue.messages import Button, Inbound

# conversation flows whose steps take a scan
SCANNER_FLOWS = frozenset({"pick", "task", "receive", "count"})
# Inbound.meta key: the flow the page was opened for
FLOW_KEY = "scanner_flow"


def check_scanner_flow(inbound: Inbound, current_flow: str | None) -> None:
    """A scan from the page acts only on the flow it was opened for: a page left open from a finished
    pick cannot book into today's count."""
    wanted = inbound.meta.get(FLOW_KEY)
    if wanted is not None and wanted != current_flow:
        raise InvalidInput(N_("This scanner was opened for a step that is over. Close it and carry on in the chat."))


def scanner_url(public_url: str, flow: str, lang: str) -> str:
    return f"{public_url.rstrip('/')}/webapp/scan?" + urlencode({"flow": flow, "lang": lang})


def after_turn(turn: Any) -> None:
    """On Telegram, a step that takes a scan offers the camera with its question."""
    flow = turn.conv.flow
    if flow not in SCANNER_FLOWS or not turn.replies:
        return
    settings = turn.services.settings
    if (turn.inbound.channel != "telegram" or FLOW_KEY in turn.inbound.meta or not settings.webapp.enabled
            or not settings.http.public_url.startswith("https://")):  # Telegram opens Mini Apps over HTTPS only
        return
    target = next((r for r in reversed(turn.replies) if r.text and not r.error), turn.replies[-1])
    target.buttons = [*target.buttons, [Button(turn.t("📷 Scan with camera"), "", web_app=scanner_url(
        settings.http.public_url, flow, turn.lang))]]
