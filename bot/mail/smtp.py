"""The one way e-mail leaves: through the SMTP server of config.yaml's `email` section
(reports to managers without Telegram, purchase orders to suppliers).

The password is read only from the environment (SMTP_PASSWORD); config.yaml holds host, port,
username, from_address and the security mode (starttls, ssl or none).
"""
from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage


class MailNotConfigured(RuntimeError):
    pass


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    data: bytes
    mime: str = "application/pdf"


def deliver(cfg, msg: EmailMessage) -> None:
    """Connects, secures, logs in and sends (blocking: call it in a thread)."""
    password = cfg.password.get_secret_value() if cfg.password else None
    if cfg.security == "ssl":
        client = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_s, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
    with client:
        if cfg.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if cfg.username:
            client.login(cfg.username, password or "")
        client.send_message(msg)


def _send(cfg, to: str, subject: str, body: str, attachments: list[MailAttachment]) -> None:
    if not cfg.host or not cfg.from_address:
        raise MailNotConfigured("email.host and email.from_address are not set")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg.from_address, to, subject
    msg.set_content(body)
    for a in attachments:
        main, _, sub = a.mime.partition("/")
        msg.add_attachment(a.data, maintype=main, subtype=sub, filename=a.filename)
    deliver(cfg, msg)


async def send_mail(cfg, to: str, subject: str, body: str, attachments: list[MailAttachment]) -> None:
    """Blocking smtplib in a worker thread: the chat keeps answering while the server is slow."""
    await asyncio.to_thread(_send, cfg, to, subject, body, attachments)
