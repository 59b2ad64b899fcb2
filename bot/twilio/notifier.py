"""Sends outbox rows of channel "sms" through Twilio's Messages API.

Twilio takes no idempotency key, so a row whose send was interrupted (the
worker died after claiming it, or the connection dropped before Twilio's
answer) is looked up first: a message to the same number with the same body
created since the row was queued, and not already recorded on another row, is
adopted instead of sending again."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from domain.models import Outbox
from domain.outbox import PermanentFailure, RecipientOptedOut, TemporaryFailure

from ..settings import Settings

log = logging.getLogger(__name__)

# Errors that retrying cannot fix: invalid or unreachable number, not SMS-capable, blocked.
PERMANENT_CODES = {21211, 21214, 21408, 21612, 21614, 30003, 30005, 30006, 30007}
OPTED_OUT_CODE = 21610
CLOCK_SLACK = timedelta(minutes=2)  # our clock against Twilio's date_created (whole seconds)


def twilio_client(settings: Settings) -> Client:
    from twilio.http.http_client import TwilioHttpClient

    tw = settings.twilio
    # A bounded wait: a Twilio that hangs must not hold an outbox send (and its thread) for ever;
    # a timed-out send is "maybe sent" and is looked up before it is tried again.
    client = Client(tw.account_sid, tw.auth_token.get_secret_value() if tw.auth_token else None,
                    http_client=TwilioHttpClient(timeout=tw.timeout_s))
    if tw.api_base_url and tw.api_base_url.rstrip("/") != "https://api.twilio.com":
        client.api.base_url = tw.api_base_url.rstrip("/")  # a local test server or a proxy
    return client


class TwilioSmsNotifier:
    channel = "sms"

    def __init__(self, settings: Settings, client: Client | None = None):
        self.settings = settings
        self.client = client or twilio_client(settings)

    def _sender(self) -> dict[str, str]:
        tw = self.settings.twilio
        if tw.messaging_service_sid:
            return {"messaging_service_sid": tw.messaging_service_sid}
        return {"from_": tw.from_number}

    def _callback(self) -> dict[str, str]:
        base = self.settings.http.public_url
        return {"status_callback": base.rstrip("/") + "/twilio/sms/status"} if base else {}

    async def send(self, recipient: str, body: str, payload: dict[str, Any] | None) -> str:
        def _create() -> str:
            return self.client.messages.create(to=recipient, body=body, **self._sender(), **self._callback()).sid

        try:
            return await asyncio.to_thread(_create)
        except TwilioRestException as exc:  # Twilio answered: the message was not taken
            if exc.code == OPTED_OUT_CODE:
                raise RecipientOptedOut(f"{recipient} has opted out (21610)") from exc
            if exc.code in PERMANENT_CODES or (400 <= exc.status < 500 and exc.status != 429):
                raise PermanentFailure(f"twilio {exc.code}: {exc.msg}") from exc
            raise TemporaryFailure(f"twilio {exc.status}/{exc.code}: {exc.msg}") from exc
        # anything else (connection dropped, timeout, a 5xx without Twilio's body) may have been
        # taken: the worker looks it up before sending again

    async def lookup(self, row: Outbox) -> list[str]:
        """Sids of messages to the row's number with its body since it was queued, oldest first
        (the worker adopts the first one no other row has recorded)."""
        since = row.created_at - CLOCK_SLACK

        def _find() -> list[str]:
            # Newest first; a queued message has no DateSent yet, so filter on date_created here.
            # Paging stops at the first message older than the row.
            found = []
            for msg in self.client.messages.stream(to=row.recipient, page_size=100):
                if msg.date_created and msg.date_created < since:
                    break
                if msg.body == row.body:
                    found.append(msg.sid)
            return found[::-1]

        return await asyncio.to_thread(_find)
