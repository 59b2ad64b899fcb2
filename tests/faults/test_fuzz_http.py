"""Hypothesis-generated requests to the HTTP endpoints of `qm run` (bot/http/app.py through
httpx's ASGI transport): Twilio webhooks with random form fields and query strings, signed
right, signed wrong or not signed; random JSON and random Telegram-shaped updates for the
Telegram webhook, with and without the secret, the shaped ones then handled by the dialogue.

Never a 5xx; a request without a valid signature or secret is refused (403) and changes nothing."""
from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from hypothesis import example, given, strategies as st
from twilio.request_validator import RequestValidator

from bot.http.app import build_http_app
from bot.telegram.application import build_application
from bot.telegram.inbound import to_inbound

from ..dialogue_helpers import dialogue_for
from .conftest import add_people, build_services
from .fuzz import FUZZ, GENERIC_FAILURE, CrashWatch, fingerprint
from .test_fuzz_dialogue import NO_RATE_LIMITS, any_text, markup

TOKEN = "test_auth_token_0123456789abcdef"
PUBLIC = "https://qm.example.com"
SECRET = "hook_secret_1"


@pytest.fixture
async def web(demo_engine, demo_database_url):
    services = build_services(demo_engine, demo_database_url, rate_limits=NO_RATE_LIMITS,
                              twilio={"auth_token": TOKEN}, http={"public_url": PUBLIC},
                              telegram={"bot_token": "123456:TEST-token", "webhook_secret": SECRET})
    await add_people(services)
    dialogue = dialogue_for(services)
    telegram_app = build_application(dialogue, webhook=True)
    app = build_http_app(services, telegram_app=telegram_app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://127.0.0.1:8080") as client:
        yield services, dialogue, telegram_app, client


# --- Twilio ---------------------------------------------------------------------------------------
TWILIO_FIELDS = ["MessageSid", "SmsSid", "AccountSid", "From", "To", "Body", "MessageStatus", "ErrorCode", "CallSid",
                 "Digits", "SpeechResult", "NumMedia", "CallStatus"]
value = st.one_of(any_text, markup, st.from_regex(r"\+?[0-9 ()-]{0,20}", fullmatch=True),
                  st.sampled_from(["+359888123456", "+15005550006", "1042", "STOP", "START", "HELP", "delivered",
                                   "undelivered", "30003", "", "0" * 500, "SM\x00x", "10\x0042"]))
form = st.dictionaries(st.one_of(st.sampled_from(TWILIO_FIELDS), st.text(min_size=1, max_size=20)), value, max_size=8)
target = st.one_of(st.sampled_from(["/twilio/sms", "/twilio/sms/status", "/twilio/voice", "/twilio/voice/order"]),
                   st.builds(lambda q: "/twilio/voice/order?attempt=" + quote(q, safe=""), st.text(max_size=20)))


@FUZZ
@given(path=target, params=form, signing=st.sampled_from(["valid", "valid", "none", "wrong", "other url"]))
@example(path="/twilio/sms", params={"MessageSid": "SM\x00", "From": "+359888123456", "Body": "10\x0042"}, signing="valid")
@example(path="/twilio/sms/status", params={"MessageSid": "SM\x00", "MessageStatus": "delivered"}, signing="valid")
@example(path="/twilio/voice/order?attempt=x", params={"Digits": "1042"}, signing="valid")
async def test_fuzz_twilio_webhooks(web, path, params, signing):
    services, _, _, client = web
    headers = {}
    if signing != "none":
        signed_url = PUBLIC + path if signing != "other url" else PUBLIC + "/elsewhere"
        token = TOKEN if signing != "wrong" else TOKEN[::-1]
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(signed_url, params)
    before = await fingerprint(services)
    r = await client.post(path, data=params, headers=headers)
    assert r.status_code < 500, (path, params, r.status_code, r.text[:300])
    if signing == "valid":
        assert r.status_code in (200, 204), (path, params, r.status_code, r.text[:300])
    else:
        assert r.status_code == 403
        assert await fingerprint(services) == before


# --- Telegram -------------------------------------------------------------------------------------
json_value = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | any_text,
                          lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
                          max_leaves=20)
ids = st.integers(-(2**52), 2**52)
user = st.fixed_dictionaries({"id": ids, "is_bot": st.booleans(), "first_name": any_text},
                             optional={"language_code": st.text(max_size=8), "last_name": any_text, "username": any_text})
chat = st.fixed_dictionaries({"id": ids, "type": st.sampled_from(["private", "private", "group", "supergroup", "channel",
                                                                   "sender", "nonsense"])})
message = st.fixed_dictionaries(
    {"message_id": st.integers(1, 2**31), "date": st.integers(0, 2**32), "chat": chat},
    optional={"from": user, "text": st.one_of(any_text, markup), "caption": any_text,
              "sticker": st.just({"file_id": "s", "file_unique_id": "u", "width": 1, "height": 1, "is_animated": False,
                                  "is_video": False, "type": "regular"}),
              "entities": st.lists(st.fixed_dictionaries({"type": st.sampled_from(["bot_command", "bold", "url", "x"]),
                                                          "offset": st.integers(-5, 50), "length": st.integers(-5, 50)}),
                                   max_size=3)})
callback = st.fixed_dictionaries({"id": st.text(max_size=20), "from": user, "chat_instance": st.text(max_size=20)},
                                 optional={"data": st.text(max_size=64), "message": message})
update = st.fixed_dictionaries({"update_id": st.integers(0, 2**31)},
                               optional={"message": message, "edited_message": message, "callback_query": callback,
                                         "channel_post": message})


@FUZZ
@given(body=st.one_of(json_value, update.map(lambda u: {**u, "junk": 1})), secret=st.sampled_from([SECRET, None, "wrong"]))
async def test_fuzz_telegram_webhook_random_json(web, body, secret):
    services, _, telegram_app, client = web
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    queued = telegram_app.update_queue.qsize()
    r = await client.post("/telegram", json=body, headers=headers)
    assert r.status_code < 500, (body, r.status_code)
    if secret != SECRET:
        assert r.status_code == 403 and telegram_app.update_queue.qsize() == queued
    else:
        assert r.status_code in (200, 400)


@FUZZ
@given(body=update)
async def test_fuzz_telegram_updates_through_to_the_dialogue(web, body):
    """Shaped like Telegram's updates, with random content: accepted by the webhook, turned into
    an Inbound (or ignored) and answered by the dialogue without an unhandled exception."""
    services, dialogue, telegram_app, client = web
    r = await client.post("/telegram", json=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert r.status_code in (200, 400), (body, r.status_code)
    if r.status_code == 400:
        return
    update = telegram_app.update_queue.get_nowait()
    inbound = await to_inbound(update, services.settings)
    if inbound is None:
        return
    with CrashWatch() as watch:
        replies = await dialogue.handle(inbound)
    watch.check(body)
    assert not any(GENERIC_FAILURE in r.text for r in replies), (body, replies)
