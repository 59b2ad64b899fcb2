"""Per-person budgets on expensive work (bot/ratelimits.py): photos decoded, voice notes
transcribed, reports and exports, inbound SMS and calls per phone number. A refusal says how
long to wait, does no work and books nothing; other people are not affected."""
from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlmodel import func, select
from twilio.request_validator import RequestValidator

from bot.app import load_speech
from bot.http.app import build_http_app
from bot.ratelimits import RateLimiter
from bot.settings import load_settings
from domain.models import Barcode, Conversation, ProcessedUpdate, Product, Role, StockMove, User

from ..barcodes.images import jpeg, page, symbol
from ..dialogue_helpers import Chat, dialogue_for
from .conftest import BOSS, WORKER, add_people, build_services

TOKEN = "test_auth_token_0123456789abcdef"
PUBLIC = "https://qm.example.com"


async def _limited(demo_engine, demo_database_url, **rates):
    services = build_services(demo_engine, demo_database_url, rate_limits=rates,
                              twilio={"auth_token": TOKEN}, http={"public_url": PUBLIC})
    await add_people(services)
    return services


async def _count(services, model) -> int:
    async with services.uow() as uow:
        return (await uow.session.exec(select(func.count()).select_from(model))).one()


async def _widget_photo(services) -> bytes:
    async with services.uow() as uow:
        code = (await uow.session.exec(select(Barcode.code).join(Product, Product.id == Barcode.product_id)
                                       .where(Product.sku == "WID-001", Barcode.pack_qty == 1))).one()
    return jpeg(page(symbol(code, "EAN13")))


async def _state(services, external_id: str):
    async with services.uow() as uow:
        conv = (await uow.session.exec(select(Conversation).where(Conversation.external_id == external_id))).one()
        return conv.flow, conv.step, dict(conv.data)


async def test_photos_over_the_budget_are_refused_without_decoding(demo_engine, demo_database_url):
    services = await _limited(demo_engine, demo_database_url, photo="2/minute")
    decoded = []
    real = services.decode_image
    services.decode_image = lambda data, **kw: decoded.append(len(data)) or real(data, **kw)
    worker = Chat(dialogue_for(services), external_id=str(WORKER))
    photo = await _widget_photo(services)
    moves = await _count(services, StockMove)

    for _ in range(2):
        assert "Blue widget" in (await worker.send(kind="photo", data=photo))[0].text
    state = await _state(services, str(WORKER))
    [refusal] = await worker.send(kind="photo", data=photo)
    assert refusal.text.startswith("Too many photos at once: please wait ")
    seconds = int(refusal.text.split("wait ")[1].split(" s")[0])
    assert 1 <= seconds <= 60
    assert len(decoded) == 2  # the third photo was never decoded
    assert await _state(services, str(WORKER)) == state and await _count(services, StockMove) == moves
    assert "on hand" in await worker.text("/stock WID-001")  # typing still works: only photos are limited

    boss = Chat(worker.dialogue, external_id=str(BOSS))  # someone else has their own budget
    assert "Blue widget" in (await boss.send(kind="photo", data=photo))[0].text


async def test_a_telegram_photo_is_decoded_before_its_transaction_and_still_within_the_budget(demo_engine, demo_database_url):
    """As on Telegram: may_receive_files names the sender, so the photo is decoded before the message's
    transaction (no lock held while decoding); an over-budget one is still refused undecoded."""
    from bot.dialogue.messages import Inbound

    services = await _limited(demo_engine, demo_database_url, photo="2/minute")
    events = []
    real_decode, real_uow = services.decode_image, services.uow
    services.decode_image = lambda data, **kw: events.append("decode") or real_decode(data, **kw)

    def uow(*a, **kw):
        events.append("transaction")
        return real_uow(*a, **kw)
    services.uow = uow
    dialogue = dialogue_for(services)
    photo = await _widget_photo(services)

    async def send(n: int):
        inbound = Inbound(channel="telegram", external_id=str(WORKER), kind="photo", data=photo, event_id=f"tg:{n}")
        assert await dialogue.may_receive_files(inbound)
        events.clear()
        return await dialogue.handle(inbound)

    for n in range(2):
        assert "Blue widget" in (await send(n))[0].text
        assert events == ["decode", "transaction"]
    [refusal] = await send(3)
    assert refusal.text.startswith("Too many photos at once: please wait ") and "decode" not in events


async def test_waiting_the_time_said_is_enough(demo_engine, demo_database_url):
    services = await _limited(demo_engine, demo_database_url, photo="1/second")
    worker = Chat(dialogue_for(services), external_id=str(WORKER))
    photo = await _widget_photo(services)
    assert "Blue widget" in (await worker.send(kind="photo", data=photo))[0].text
    [refusal] = await worker.send(kind="photo", data=photo)
    assert "please wait 1 s" in refusal.text
    await asyncio.sleep(1.05)
    assert "Blue widget" in (await worker.send(kind="photo", data=photo))[0].text


async def test_reports_and_exports_share_one_budget_checked_after_permissions(demo_engine, demo_database_url):
    services = await _limited(demo_engine, demo_database_url, report="1/minute")
    dialogue = dialogue_for(services)
    worker, boss = Chat(dialogue, external_id=str(WORKER)), Chat(dialogue, external_id=str(BOSS))
    assert "can't do that" in await worker.text("/export products")  # refused by role: nothing counted
    assert "can't do that" in await worker.text("/export products")

    [first] = await boss.send("/export products")
    assert first.attachments and first.attachments[0].filename == "products.xlsx"
    [again] = await boss.send("/export products")
    assert again.text.startswith("Too many reports at once: please wait") and not again.attachments
    assert "Too many reports" in await boss.text("/chart WID-001")  # same budget
    assert "Too many" not in await boss.text("/stock WID-001")  # cheap questions are not limited
    async with services.uow() as uow:
        uow.session.add(User(name="Second boss", role=Role.manager, telegram_id=903))
        await uow.commit()
    [other] = await Chat(dialogue, external_id="903").send("/export products")
    assert other.attachments


async def test_voice_notes_over_the_budget_are_not_transcribed(demo_engine, demo_database_url):
    services = await _limited(demo_engine, demo_database_url, voice="1/minute")
    services.transcribe = load_speech(services.settings)
    boss = Chat(dialogue_for(services), external_id=str(BOSS))
    [first] = await boss.send(kind="voice", data=b"definitely not audio")
    assert "audio" in first.text.lower()  # decoded, and refused as not audio
    [second] = await boss.send(kind="voice", data=b"definitely not audio")
    assert second.text.startswith("Too many voice notes at once")


def _signed(path: str, params: dict) -> dict:
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)}


async def _post(services, path: str, params: dict) -> httpx.Response:
    transport = httpx.ASGITransport(app=build_http_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        return await client.post(path, data=params, headers=_signed(path, params))


async def test_sms_per_phone_one_wait_reply_then_silence(demo_engine, demo_database_url):
    services = await _limited(demo_engine, demo_database_url, sms="2/minute")
    updates = await _count(services, ProcessedUpdate)

    def sms(i: int, sender: str = "+359888123456") -> dict:
        return {"MessageSid": f"SMrate{sender[-3:]}{i}", "AccountSid": "AC1", "From": sender, "To": "+15005550006",
                "Body": "1042"}

    answers = [(await _post(services, "/twilio/sms", sms(i))).text for i in range(5)]
    assert all("<Message>" in a and "Too many" not in a for a in answers[:2])
    assert "Too many messages from this number: please wait" in answers[2]
    assert all("<Message>" not in a for a in answers[3:])  # no paid reply to every flood message
    assert await _count(services, ProcessedUpdate) == updates + 2  # the refused ones were not handled
    other = await _post(services, "/twilio/sms", sms(0, "+359877000111"))
    assert "<Message>" in other.text and "Too many" not in other.text


async def test_calls_per_phone(demo_engine, demo_database_url):
    services = await _limited(demo_engine, demo_database_url, call="1/minute")
    call = {"CallSid": "CA1", "AccountSid": "AC1", "From": "+359888123456", "To": "+15005550006"}
    assert "<Gather" in (await _post(services, "/twilio/voice", call)).text
    again = (await _post(services, "/twilio/voice", {**call, "CallSid": "CA2"})).text
    assert "Too many calls from this number" in again and "<Hangup" in again and "<Gather" not in again
    # the order step of a call already answered is not another call
    follow = (await _post(services, "/twilio/voice/order?attempt=1", {**call, "Digits": "1042"})).text
    assert "<Say" in follow and "Too many" not in follow


async def test_several_windows_and_no_limit():
    limiter = RateLimiter({"photo": "2/minute;3/hour", "voice": ""})
    assert [(await limiter.acquire("photo", "a")).allowed for _ in range(3)] == [True, True, False]
    refusal = await limiter.acquire("photo", "a")
    assert not refusal.allowed and not refusal.first_refusal and 1 <= refusal.seconds <= 60
    assert all([(await limiter.acquire("voice", "a")).allowed for _ in range(100)])  # "" = no limit
    assert (await limiter.acquire("photo", "b")).allowed


@pytest.mark.parametrize("spec", ["ten per minute", "5/fortnight", "-1/minute"])
def test_bad_rate_limits_are_refused_at_start(spec):
    with pytest.raises(ValueError, match="bad rate limit"):
        load_settings(rate_limits={"photo": spec})
