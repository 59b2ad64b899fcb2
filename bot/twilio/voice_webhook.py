"""Customers calling the company number (POST /twilio/voice, /twilio/voice/order).

The caller is asked for the order number and answers by speech or keypad
(<Gather input="speech dtmf">); the status is read back in the caller's
language when their phone is known, under the same phone-match rule as SMS."""
from __future__ import annotations


from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.twiml.voice_response import Gather, VoiceResponse

from domain.audit import Actor
from domain.orders.status import order_ref_in, order_status_for_phone

from storage.errors import is_unavailable

from ..i18n import tr, trp
from ..ratelimits import REFUSALS
from ..services import Services
from ..speech.normalise import normalise_spoken
from .caller_language import caller_language
from .order_status_text import order_status_text
from .signature import verified_form
from .sms_webhook import e164

# Twilio <Say>/<Gather> language tags for our UI languages.
VOICE_LANG = {"en": "en-US", "ru": "ru-RU", "bg": "bg-BG", "ro": "ro-RO", "zh": "cmn-CN"}

REFUSAL = REFUSALS["call"]  # outside tr(): the catalog takes the template from bot/ratelimits.py

def _xml(resp: VoiceResponse) -> Response:
    return Response(str(resp), media_type="application/xml")


def spoken_digits(text: str, lang: str) -> str:
    """Twilio's transcript normalised as our own voice notes are: spoken numbers as
    digits in the caller's language and in English (callers mix them), "1, 0, 4, 2"
    and "1,042" as 1042, bin codes as C-25."""
    return normalise_spoken(text, lang)


def voice_routes(services: Services) -> list[Route]:
    settings = services.settings

    def token() -> str | None:
        return settings.twilio.auth_token.get_secret_value() if settings.twilio.auth_token else None

    def _ask(resp: VoiceResponse, lang: str, attempt: int) -> None:
        gather = Gather(input="speech dtmf", action=f"/twilio/voice/order?attempt={attempt}", method="POST", timeout=6,
                        finish_on_key="#", language=VOICE_LANG[lang], hints="order, number")
        gather.say(tr(lang, "Please say or type your order number, then press the hash key."), language=VOICE_LANG[lang])
        resp.append(gather)
        resp.say(tr(lang, "We did not hear anything. Goodbye."), language=VOICE_LANG[lang])

    async def caller(request: Request):
        """Twilio's signed form, the caller's number and language; None when the signature is wrong."""
        form = await verified_form(request, token(), settings.http.public_url)
        if form is None:
            return None
        phone = e164(form.get("From", ""), settings.company.country)
        return form, phone, await caller_language(services, phone)

    async def incoming(request: Request) -> Response:
        call = await caller(request)
        if call is None:
            return Response("forbidden", status_code=403)
        form, phone, lang = call
        resp = VoiceResponse()
        verdict = await services.limiter.acquire("call", phone or form.get("From", "")) if services.limiter else None
        if verdict is not None and not verdict.allowed:
            resp.say(tr(lang, REFUSAL, seconds=verdict.seconds), language=VOICE_LANG[lang])
            resp.hangup()
            return _xml(resp)
        resp.say(trp(lang, "spoken when answering a phone call", "Hello, this is {company}.", company=settings.company.name), language=VOICE_LANG[lang])
        _ask(resp, lang, 1)
        return _xml(resp)

    async def order(request: Request) -> Response:
        call = await caller(request)
        if call is None:
            return Response("forbidden", status_code=403)
        form, phone, lang = call
        given = request.query_params.get("attempt", "1")  # ours, but signed URLs can still be replayed with anything
        attempt = int(given) if given.isascii() and given.isdigit() and len(given) <= 2 else 1
        heard = form.get("Digits") or spoken_digits(form.get("SpeechResult", ""), lang)
        ref = order_ref_in(heard)
        resp = VoiceResponse()
        if ref is None:
            if attempt < 3:
                resp.say(tr(lang, "Sorry, I did not catch a number."), language=VOICE_LANG[lang])
                _ask(resp, lang, attempt + 1)
            else:
                resp.say(tr(lang, "Sorry, I could not understand. Please text us your order number. Goodbye."), language=VOICE_LANG[lang])
            return _xml(resp)
        try:
            async with services.uow(actor=Actor.customer(phone, "voice")) as uow:
                view = await order_status_for_phone(uow.session, phone, ref) if phone else None
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            resp.say(tr(lang, "We can't look up orders right now. Please call again in a few minutes. Goodbye."),
                     language=VOICE_LANG[lang])
            resp.hangup()
            return _xml(resp)
        if view is None:
            text = tr(lang, "We could not find order {ref} for this phone number. Please check the number, or call us.", ref=" ".join(ref))
        else:
            text = order_status_text(view, lang)
        resp.say(text, language=VOICE_LANG[lang])
        resp.say(tr(lang, "Goodbye."), language=VOICE_LANG[lang])
        resp.hangup()
        return _xml(resp)

    return [Route("/twilio/voice", incoming, methods=["POST"]), Route("/twilio/voice/order", order, methods=["POST"])]
