"""Sends outbox rows of channel "email" over SMTP (stdlib smtplib, in a thread).

The first line of the row's text is the subject; the whole text is the body; an
attachment the row describes (a chart, a sheet) is drawn now and attached. SMTP has
no way to ask afterwards whether a message went out, so a send cut off after the
server may have taken it is sent again (a rare duplicate e-mail beats a lost report)."""
from __future__ import annotations

import asyncio
import mimetypes
import smtplib
import socket
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from domain.models import Outbox
from domain.outbox import PermanentFailure, TemporaryFailure

from .smtp import deliver
from ..reports.attachments import RENDERERS
from ..settings import Settings


def message_for(settings: Settings, recipient: str, body: str, payload: dict[str, Any] | None) -> EmailMessage:
    cfg = settings.email
    msg = EmailMessage()
    msg["From"] = cfg.from_address
    msg["To"] = recipient
    msg["Subject"] = (body.strip().splitlines() or [settings.company.name])[0][:200]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=cfg.from_address.rpartition("@")[2] or None)
    msg.set_content(body)
    attachment = (payload or {}).get("attachment")
    if attachment:
        render = RENDERERS.get(attachment.get("render", ""))
        if render is None:
            raise PermanentFailure(f"unknown attachment renderer {attachment.get('render')!r}")
        filename = attachment.get("filename") or "report"
        ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(render(**attachment.get("args", {})), maintype=maintype, subtype=subtype, filename=filename)
    return msg


class EmailNotifier:
    channel = "email"

    def __init__(self, settings: Settings):
        self.settings = settings

    async def send(self, recipient: str, body: str, payload: dict[str, Any] | None) -> str:
        msg = message_for(self.settings, recipient, body, payload)
        try:
            await asyncio.to_thread(deliver, self.settings.email, msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise TemporaryFailure(f"SMTP login refused ({exc.smtp_code}): check email.username and SMTP_PASSWORD") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            raise TemporaryFailure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        except (smtplib.SMTPConnectError, ConnectionRefusedError, socket.gaierror) as exc:
            raise TemporaryFailure(f"SMTP server not reachable: {exc}") from exc
        return msg["Message-ID"]

    async def lookup(self, row: Outbox) -> None:
        return None  # SMTP cannot be asked
