"""Sends outbox rows of channel "sms" through Twilio's Messages API.

Twilio takes no idempotency key, so a row whose send was interrupted (the
worker died after claiming it) is looked up first: a message to the same
number with the same body created since the claim is adopted instead of
sending again."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from domain.models import Outbox
from domain.outbox import PermanentFailure

from ..settings import Settings

log = logging.getLogger(__name__)

# Errors that retrying cannot fix: opted out, invalid or unreachable number, not SMS-capable.
PERMANENT_CODES = {21610, 21211, 21614, 21408, 21612, 30003, 30005, 30006}


class OptedOut(PermanentFailure):
    pass


def twilio_client(settings: Settings) -> Client:
    tw = settings.twilio
    client = Client(tw.account_sid, tw.auth_token.get_secret_value() if tw.auth_token else None)
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
            msg = self.client.messages.create(to=recipient, body=body, **self._sender(), **self._callback())
            return msg.sid

        try:
            return await asyncio.to_thread(_create)
        except TwilioRestException as exc:
            if exc.code == 21610:
                raise OptedOut(f"{recipient} has opted out (21610)") from exc
            if exc.code in PERMANENT_CODES:
                raise PermanentFailure(f"twilio {exc.code}: {exc.msg}") from exc
            raise  # 429, 5xx...: the worker retries with back-off

    async def lookup(self, row: Outbox) -> str | None:
        since = (row.claimed_at or row.created_at) - timedelta(minutes=5)

        def _find() -> str | None:
            # Newest first; a queued message has no DateSent yet, so filter on date_created here.
            for msg in self.client.messages.list(to=row.recipient, limit=50):
                if msg.date_created and msg.date_created >= since and msg.body == row.body:
                    return msg.sid
            return None

        try:
            return await asyncio.to_thread(_find)
        except TwilioException:
            log.warning("twilio lookup for outbox %s failed", row.id, exc_info=True)
            raise
