"""Reports reach managers who are not on Telegram, by e-mail (a local SMTP server, aiosmtpd);
`qm report NAME` and /report make any report now."""
from __future__ import annotations

import email
import email.header
from datetime import datetime, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from bot.mail.notifier import EmailNotifier
from bot.i18n import translate
from domain.models import Outbox, Role, User
from jobs.outbox_worker import SendPolicy, drain
from jobs.reports import send_report_now, stock_digest_job, weekly_funnel_job
from tests.qm_process import free_port, qm

from ..dialogue_helpers import Chat, dialogue_for, make_services

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=timezone.utc)  # a Monday morning: what the reports are about


def real_now() -> datetime:  # the outbox's clock (rows are due from when they were queued)
    return datetime.now(timezone.utc)


class Inbox:
    """Collects what the SMTP server is given; recipients starting with "bounce" are refused (550)."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class MailServer:
    """The SMTP server on a fixed port; stop() and start() again (a new controller each time)."""

    def __init__(self, inbox: Inbox, port: int):
        self.inbox, self.port, self.controller = inbox, port, None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = MailServer(Inbox(), free_port())
    server.start()
    yield server.inbox, server.port, server
    server.stop()


def services_with_smtp(engine, url, port):
    return make_services(engine, url, email={"host": "127.0.0.1", "port": port, "security": "none",
                                             "from_address": "reports@example.com", "timeout_s": 5})


async def _people(services):
    async with services.uow() as uow:
        uow.session.add_all([User(name="Tg Boss", role=Role.manager, telegram_id=7001),
                             User(name="Mila Mail", role=Role.manager, email="mila@example.com", language="bg"),
                             User(name="Wendy Store", role=Role.warehouse, email="wendy@example.com"),
                             User(name="Nobody Reachable", role=Role.manager)])
        await uow.commit()


async def _rows(services):
    async with services.uow() as uow:
        return (await uow.session.exec(select(Outbox).order_by(Outbox.id))).all()


async def test_a_manager_without_telegram_gets_the_reports_by_email(engine, database_url, smtp):
    inbox, port, _ = smtp
    services = services_with_smtp(engine, database_url, port)
    await _people(services)
    assert await stock_digest_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate) == 2
    assert await weekly_funnel_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate, currency="EUR") == 2
    rows = await _rows(services)
    assert sorted((r.channel, r.recipient) for r in rows) == [("email", "mila@example.com")] * 2 + [("telegram", "7001")] * 2

    policy = SendPolicy(retry_base_s=1)
    result = await drain(services.uow, EmailNotifier(services.settings), now=real_now, policy=policy)
    assert result.sent == 2 and result.failed == 0
    assert [m["To"] for m in inbox.messages] == ["mila@example.com"] * 2
    digest, funnel = sorted(inbox.messages, key=lambda m: "funnel" in m.get_content_type() or m.is_multipart())
    subject = str(email.header.make_header(email.header.decode_header(digest["Subject"])))
    assert subject == "Проблеми с наличностите, 23.11.2026\u202fг."  # in Mila's language and date format
    assert digest["From"] == "reports@example.com"
    png = [p for p in funnel.walk() if p.get_filename() == "funnel.png"]
    assert png and png[0].get_payload(decode=True).startswith(b"\x89PNG")
    assert all(r.status == "sent" and r.provider_id for r in await _rows(services) if r.channel == "email")

    # the same period again (a restart, a fail-over catching up): nothing twice
    assert await stock_digest_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate) == 0


async def test_smtp_down_then_back_sends_once_and_a_refused_address_fails_for_good(engine, database_url, smtp):
    inbox, port, controller = smtp
    services = services_with_smtp(engine, database_url, port)
    async with services.uow() as uow:
        uow.session.add_all([User(name="Mila Mail", role=Role.manager, email="mila@example.com"),
                             User(name="Gone", role=Role.manager, email="bounce@example.com")])
        await uow.commit()
    await stock_digest_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate)
    notifier = EmailNotifier(services.settings)
    policy = SendPolicy(retry_base_s=1)

    controller.stop()  # the mail server is down
    clock = [real_now()]
    result = await drain(services.uow, notifier, now=lambda: clock[0], policy=policy)
    assert result.retried == 2 and inbox.messages == []
    assert {r.status for r in await _rows(services)} == {"pending"}

    controller.start()
    clock[0] = clock[0] + timedelta(minutes=1)  # past the back-off
    result = await drain(services.uow, notifier, now=lambda: clock[0], policy=policy)
    assert result.sent == 1 and result.failed == 1
    assert [m["To"] for m in inbox.messages] == ["mila@example.com"]
    by_to = {r.recipient: r for r in await _rows(services)}
    assert by_to["mila@example.com"].status == "sent"
    assert by_to["bounce@example.com"].status == "failed" and "refused" in by_to["bounce@example.com"].error


async def test_report_now_is_queued_beside_the_scheduled_one(engine, database_url, smtp):
    _, port, _ = smtp
    services = services_with_smtp(engine, database_url, port)
    await _people(services)
    await stock_digest_job(services.uow, now=NOW, tz="Europe/Sofia", translate=translate)
    assert await send_report_now("stock_digest", services.uow, now=NOW, settings=services.settings,
                                 translate=translate) == 2  # asked for now: not taken for the scheduled one
    assert len(await _rows(services)) == 4


async def test_report_command_in_the_chat(demo_engine, demo_database_url):
    services = make_services(demo_engine, demo_database_url)
    async with services.uow() as uow:
        uow.session.add_all([User(name="Boss", role=Role.manager, telegram_id=8001),
                             User(name="Georgi", role=Role.warehouse, telegram_id=8002)])
        await uow.commit()
    dialogue = dialogue_for(services)
    boss, worker = Chat(dialogue, external_id="8001"), Chat(dialogue, external_id="8002")
    listing = await boss.text("/report")
    assert "/report stock_digest" in listing and "/report funnel" in listing and "/report replenishment" in listing
    assert (await boss.text("/report stock")).startswith("Stock exceptions")
    funnel = await boss.text("/report funnel")
    assert funnel.startswith("Sales funnel") and boss.last[0].attachments[0].data.startswith(b"\x89PNG")
    assert "Replenishment" in await boss.text("/report replenishment")
    refused = await worker.text("/report funnel")
    assert "Sales funnel" not in refused  # a warehouse worker has no reports


def test_qm_report_prints_any_report_now(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_", "QM_", "DATABASE_URL"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'qm.sqlite3'}"
    assert qm(["demo", "seed"], env).returncode == 0
    done = qm(["report", "stock_digest", "--lang", "ru"], env)
    assert done.returncode == 0 and done.stdout.startswith("Отклонения по остаткам, "), done
    out = tmp_path / "funnel.png"
    done = qm(["report", "funnel", "--out", str(out)], env)
    assert done.returncode == 0 and out.read_bytes().startswith(b"\x89PNG"), done.stderr
    done = qm(["person", "add", "Mila", "--role", "manager", "--email", "not-an-address"], env)
    assert done.returncode == 2 and "nothing changed" in done.stderr
    done = qm(["person", "add", "Mila", "--role", "manager", "--email", "mila@example.com"], env)
    assert done.returncode == 0
    done = qm(["report", "stock_digest", "--send"], env)
    assert done.returncode == 0 and "queued for 1 recipient" in done.stdout, done.stdout + done.stderr
