"""The database unavailable for a while (tests/faults/outage.py: PostgreSQL refusing and
terminating connections; SQLite locked by another writer past busy_timeout).

The dialogue answers "try again in a moment" and saves nothing; once the database is back the
same message works and is booked once. The outbox keeps its rows and sends them after, exactly
once, even when the database went away between Twilio taking a message and our recording it.
Webhooks answer callers and Twilio sensibly meanwhile."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator

from bot.http.app import build_http_app
from bot.twilio.notifier import TwilioSmsNotifier
from domain import outbox
from domain.models import Customer, Outbox, ProcessedUpdate, SalesOrder
from jobs.outbox_worker import SendPolicy, drain, run_once
from storage.engine import create_engine
from storage.errors import is_unavailable
from tests.fakes.fixtures import TWILIO_NUMBER

from ..dialogue_helpers import Chat, dialogue_for
from .conftest import WORKER, add_people, build_services, ledger_snapshot, pick_up_to_quantity
from .outage import Outage

UNAVAILABLE = "The database is not answering right now. Nothing was saved; please try again in a moment."
PUBLIC = "https://qm.example.com"


class Clock:
    """Starts at the real time (rows are queued with it) and moves only when told."""

    def __init__(self):
        self.now = datetime.now(timezone.utc) + timedelta(seconds=1)

    def __call__(self):
        return self.now


@pytest.fixture
async def quick_engine(demo_database_url):
    """SQLite gives up on a held lock after 300 ms instead of 5 s (PostgreSQL refuses at once)."""
    engine = create_engine(demo_database_url, busy_timeout_ms=300)
    yield engine
    await engine.dispose()


@pytest.fixture
async def services(quick_engine, demo_database_url, twilio_server):
    s = build_services(quick_engine, demo_database_url, twilio={
        "account_sid": twilio_server.account_sid, "auth_token": twilio_server.auth_token, "api_base_url": twilio_server.base_url,
        "from_number": TWILIO_NUMBER}, http={"public_url": PUBLIC})
    s.clock = Clock()
    await add_people(s)
    return s


@pytest.fixture
async def outage(demo_database_url):
    o = Outage(demo_database_url)
    yield o
    await o.stop()  # whatever the test did


async def test_a_pick_during_an_outage_saves_nothing_and_goes_on_after(services, outage):
    worker = Chat(dialogue_for(services), external_id=str(WORKER))
    order, _ = await pick_up_to_quantity(services, worker)
    before = await ledger_snapshot(services, order)

    async with outage:
        assert await worker.text("3") == UNAVAILABLE
        assert await worker.text("/stock WID-001") == UNAVAILABLE
        replies = await worker.send("3", event_id="tg:4242")
        assert replies[0].text == UNAVAILABLE
    assert await ledger_snapshot(services, order) == before  # nothing half-booked, still at "how many?"

    replies = await worker.send("3", event_id="tg:4242")  # the same update again: not taken for a duplicate
    assert "is picked" in replies[0].text
    after = await ledger_snapshot(services, order)
    assert after["picked"] == 3 and after["moves"] > before["moves"]
    assert "is picked" not in await worker.text("3")  # nothing left to pick: not booked twice
    assert (await ledger_snapshot(services, order))["picked"] == 3


async def test_connections_killed_in_the_middle_of_a_booking(services, outage, monkeypatch):
    if outage.sqlite:
        pytest.skip("SQLite has no server connection to lose; a crash mid-transaction is test_crash_mid_flow.py")
    import domain.inventory.picking as picking

    real, killed = picking.book_task, []

    async def booking_after_the_server_dropped_us(*args, **kw):
        if not killed:
            killed.append(True)
            await outage.terminate_connections()  # this transaction's connection dies under it
        return await real(*args, **kw)

    monkeypatch.setattr(picking, "book_task", booking_after_the_server_dropped_us)
    worker = Chat(dialogue_for(services), external_id=str(WORKER))
    order, _ = await pick_up_to_quantity(services, worker)
    before = await ledger_snapshot(services, order)
    assert await worker.text("3") == UNAVAILABLE
    assert await ledger_snapshot(services, order) == before
    assert "is picked" in await worker.text("3")  # the pool replaced the dead connections by itself
    assert (await ledger_snapshot(services, order))["picked"] == 3


async def _queue_sms(services, body="Your order 1042 has shipped") -> int:
    async with services.uow() as uow:
        row = await outbox.enqueue(uow.session, channel="sms", recipient="+359888100001", body=body)
        await uow.commit()
        return row.id


POLICY = SendPolicy(limit=10, concurrency=1, retry_base_s=1, stale_after=timedelta(seconds=30))


async def test_outbox_waits_out_the_outage_and_sends_once(services, outage, twilio_server):
    row_id = await _queue_sms(services)
    sms = TwilioSmsNotifier(services.settings)
    async with outage:
        with pytest.raises(Exception) as failed:  # the scheduler's job guard logs it and tries again next tick
            await run_once(services.uow, sms, now=services.clock, policy=POLICY)
        assert is_unavailable(failed.value)
    assert twilio_server.messages() == []
    result = await drain(services.uow, sms, now=services.clock, policy=POLICY)
    assert (result.sent, result.retried) == (1, 0)
    async with services.uow() as uow:
        row = await uow.session.get(Outbox, row_id)
    assert row.status == "sent" and row.provider_id == twilio_server.messages()[0].sid


async def test_outage_between_twilio_taking_the_sms_and_our_record(services, outage, twilio_server):
    """The worst moment: Twilio has the message, the database goes before mark_sent. The row stays
    "sending"; once it is stale the worker asks Twilio, finds the message and adopts it: sent once."""
    row_id = await _queue_sms(services)
    sms = TwilioSmsNotifier(services.settings)
    real_send = sms.send

    async def send_then_lose_the_database(*args):
        sid = await real_send(*args)
        await outage.start()
        return sid

    sms.send = send_then_lose_the_database
    with pytest.raises(Exception) as failed:
        await run_once(services.uow, sms, now=services.clock, policy=POLICY)
    assert is_unavailable(failed.value)
    await outage.stop()
    sms.send = real_send
    async with services.uow() as uow:
        assert (await uow.session.get(Outbox, row_id)).status == "sending"
    assert not (await drain(services.uow, sms, now=services.clock, policy=POLICY)).claimed  # not stale yet
    services.clock.now += POLICY.stale_after + timedelta(seconds=1)
    result = await drain(services.uow, sms, now=services.clock, policy=POLICY)
    assert (result.reconciled, result.sent) == (1, 0)
    assert Counter(m.to for m in twilio_server.messages()) == {"+359888100001": 1}
    async with services.uow() as uow:
        row = await uow.session.get(Outbox, row_id)
    assert row.status == "sent" and row.provider_id == twilio_server.messages()[0].sid


def _signed(token, path, params):
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(PUBLIC + path, params)}


async def test_webhooks_during_an_outage(services, outage):
    async with services.uow() as uow:
        c = (await uow.session.exec(select(Customer).where(Customer.phone.is_not(None)))).first()
        order = (await uow.session.exec(select(SalesOrder).where(SalesOrder.customer_id == c.id))).first()
    sms = {"MessageSid": "SMout1", "AccountSid": "AC1", "From": c.phone, "To": TWILIO_NUMBER, "Body": order.number}
    call = {"CallSid": "CA1", "AccountSid": "AC1", "From": c.phone, "To": TWILIO_NUMBER, "Digits": order.number}
    status = {"MessageSid": "SMx", "MessageStatus": "delivered", "AccountSid": "AC1"}
    transport = httpx.ASGITransport(app=build_http_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        async def post(path, params):
            return await client.post(path, data=params, headers=_signed(services.settings.twilio.auth_token.get_secret_value(), path, params))

        async with outage:
            assert (await client.get("/healthz")).status_code == 503
            r = await post("/twilio/sms", sms)
            assert r.status_code == 200 and "look that up right now" in r.text
            r = await post("/twilio/voice", call)
            assert r.status_code == 200 and "<Gather" in r.text  # the call goes on in the company's language
            r = await post("/twilio/voice/order?attempt=1", call)
            assert r.status_code == 200 and "look up orders right now" in r.text and "<Hangup" in r.text
            assert (await post("/twilio/sms/status", status)).status_code == 503
        assert (await client.get("/healthz")).status_code == 200
        r = await post("/twilio/sms", sms)  # Twilio's retry, or the customer texting again
        assert order.number in r.text and "right now" not in r.text
    async with services.uow() as uow:
        assert await uow.session.get(ProcessedUpdate, "sms:SMout1") is not None
