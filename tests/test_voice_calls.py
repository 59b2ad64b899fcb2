"""Customers calling: asked for the order number, status read back, signed requests only."""
import httpx
import pytest
from twilio.request_validator import RequestValidator

from bot.http.app import build_http_app

from .test_sms_status import PUBLIC, TOKEN, order, services  # noqa: F401  (fixtures)


async def post_voice(services, path, params, *, signed=True):
    url = PUBLIC + path
    headers = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, params)} if signed else {}
    transport = httpx.ASGITransport(app=build_http_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        return await client.post(path, data=params, headers=headers)


CALL = {"CallSid": "CA1", "AccountSid": "AC123", "From": "+359888123456", "To": "+15005550006"}


async def test_call_asks_for_the_number_in_the_callers_language(services, order):
    r = await post_voice(services, "/twilio/voice", CALL)
    assert r.status_code == 200
    assert '<Gather' in r.text and 'input="speech dtmf"' in r.text and 'language="ru-RU"' in r.text


@pytest.mark.parametrize("answer", [{"Digits": "1042"}, {"SpeechResult": "one zero four two."}, {"SpeechResult": "order 1042"},
                                    {"SpeechResult": "1, 0, 4, 2."}, {"SpeechResult": "ten forty-two"},
                                    {"SpeechResult": "заказ тысяча сорок два"}])
async def test_status_read_back_for_speech_or_keypad(services, order, answer):
    r = await post_voice(services, "/twilio/voice/order?attempt=1", {**CALL, **answer})
    assert "1042" in r.text and "<Say" in r.text and "<Hangup" in r.text


async def test_other_phone_hears_nothing_about_the_order(services, order):
    r = await post_voice(services, "/twilio/voice/order?attempt=1", {**CALL, "From": "+359899999999", "Digits": "1042"})
    assert "A4" not in r.text


async def test_no_number_asks_again_then_gives_up(services, order):
    again = await post_voice(services, "/twilio/voice/order?attempt=1", {**CALL, "SpeechResult": "hmm"})
    assert "attempt=2" in again.text
    last = await post_voice(services, "/twilio/voice/order?attempt=3", {**CALL, "SpeechResult": "hmm"})
    assert "<Gather" not in last.text


async def test_unsigned_call_is_refused(services, order):
    assert (await post_voice(services, "/twilio/voice", CALL, signed=False)).status_code == 403
