"""Customers text the company number and get their order status, signed webhooks only."""
from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator

from bot.http.app import build_http_app
from domain.models import AuditEntry, Contact, Customer, Product, ProcessedUpdate, SalesOrder, SalesOrderLine, SmsOptOut

from .dialogue_helpers import make_services

TOKEN = "test_auth_token_0123456789abcdef"
PUBLIC = "https://qm.example.com"


@pytest.fixture
def services(engine, database_url):
    return make_services(engine, database_url, twilio={"auth_token": TOKEN}, http={"public_url": PUBLIC})


@pytest.fixture
async def order(services):
    async with services.uow() as uow:
        s = uow.session
        c = Customer(code="C1", name="ACME Ltd.", phone="+359888123456", language="ru")
        s.add(c)
        p = Product(sku="PAP-1", name="A4 paper")
        s.add(p)
        await s.flush()
        s.add(Contact(customer_id=c.id, name="Olga", phone="+359877000111"))
        o = SalesOrder(number="1042", customer_id=c.id, status="shipped", promised_date=date(2026, 11, 25))
        s.add(o)
        await s.flush()
        s.add(SalesOrderLine(order_id=o.id, line_no=1, product_id=p.id, quantity=Decimal(5), shipped_qty=Decimal(5)))
        await uow.commit()


async def post_sms(services, params, *, sign_url=PUBLIC + "/twilio/sms", token=TOKEN, signature=None):
    headers = {}
    if token is not None:
        headers["X-Twilio-Signature"] = signature or RequestValidator(token).compute_signature(sign_url, params)
    transport = httpx.ASGITransport(app=build_http_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        return await client.post("/twilio/sms", data=params, headers=headers)


def sms(body, sender="+359888123456", sid="SM0001"):
    return {"MessageSid": sid, "AccountSid": "AC123", "From": sender, "To": "+15005550006", "Body": body}


async def test_customer_gets_status_in_their_language(services, order):
    r = await post_sms(services, sms("статус заказа 1042"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    assert "1042" in r.text and "<Message>" in r.text
    assert "A4 paper 5/5" in r.text  # what has shipped


async def test_contact_phone_in_local_format_counts_as_the_customer(services, order):
    r = await post_sms(services, sms("where is my order #1042?", sender="0877 000 111", sid="SM2"))
    assert "A4 paper" in r.text


async def test_stranger_cannot_tell_whether_the_order_exists(services, order):
    other = await post_sms(services, sms("1042", sender="+359899999999", sid="SM3"))
    missing = await post_sms(services, sms("1043", sender="+359899999999", sid="SM4"))
    assert "A4" not in other.text
    assert other.text.replace("1042", "N") == missing.text.replace("1043", "N")


@pytest.mark.parametrize("how", ["unsigned", "forged", "other_url"])
async def test_bad_signatures_get_403_and_change_nothing(services, order, how):
    kwargs = {"unsigned": dict(token=None), "forged": dict(signature="bm9wZQ=="),
              "other_url": dict(sign_url="https://evil.example.com/twilio/sms")}[how]
    r = await post_sms(services, sms("STOP", sid="SM9"), **kwargs)
    assert r.status_code == 403
    async with services.uow() as uow:
        assert (await uow.session.exec(select(SmsOptOut))).all() == []
        assert (await uow.session.exec(select(ProcessedUpdate))).all() == []


async def test_stop_and_start(services, order):
    await post_sms(services, sms("Stop", sid="SM10"))
    async with services.uow() as uow:
        assert await uow.session.get(SmsOptOut, "+359888123456") is not None
    r = await post_sms(services, sms("START", sid="SM11"))
    assert "STOP" in r.text
    async with services.uow() as uow:
        assert await uow.session.get(SmsOptOut, "+359888123456") is None
        # the customer's own doing, by SMS, in the audit log
        log = (await uow.session.exec(select(AuditEntry).where(AuditEntry.entity == "phone").order_by(AuditEntry.id))).all()
    assert [(e.entity_id, e.action, e.channel, e.actor) for e in log] == [
        ("+359888123456", "created", "sms", "+359888123456"), ("+359888123456", "deleted", "sms", "+359888123456")]
    assert log[0].after == {"keyword": "STOP"}


async def test_a_retried_message_is_processed_once(services, order):
    first = await post_sms(services, sms("1042", sid="SM20"))
    again = await post_sms(services, sms("1042", sid="SM20"))
    assert "<Message>" in first.text and "<Message>" not in again.text
