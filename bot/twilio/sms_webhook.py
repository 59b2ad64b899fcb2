"""Inbound SMS (POST /twilio/sms) and delivery callbacks (POST /twilio/sms/status).

A customer texts "where is my order 1042", "статус заказа 1042" or just "1042";
opt-out keywords are recorded; everything is answered with TwiML."""
from __future__ import annotations

import logging

import phonenumbers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.twiml.messaging_response import MessagingResponse

from domain import outbox, sms_consent
from domain.audit import Actor
from domain.errors import N_
from domain.processed import first_time
from domain.orders.status import language_for_phone, order_ref_in, order_status_for_phone

from storage.errors import is_unavailable

from ..i18n import normalise_language, tr
from ..ratelimits import REFUSALS
from ..services import Services
from .caller_language import caller_language
from .order_status_text import order_status_text
from .signature import verified_form

log = logging.getLogger(__name__)


UNAVAILABLE = N_("We can't look that up right now. Please text again in a few minutes.")
REFUSAL = REFUSALS["sms"]  # outside tr(): the catalog takes the template from bot/ratelimits.py

def _twiml(text: str | None) -> Response:
    resp = MessagingResponse()
    if text:
        resp.message(text)
    return Response(str(resp), media_type="application/xml")


def e164(raw: str, region: str) -> str | None:
    try:
        num = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164) if phonenumbers.is_valid_number(num) else None


def sms_routes(services: Services) -> list[Route]:
    settings = services.settings

    def token() -> str | None:
        return settings.twilio.auth_token.get_secret_value() if settings.twilio.auth_token else None

    async def inbound(request: Request) -> Response:
        form = await verified_form(request, token(), settings.http.public_url)
        if form is None:
            return Response("forbidden", status_code=403)
        phone = e164(form.get("From", ""), settings.company.country)
        body = (form.get("Body") or "").strip()
        sid = form.get("MessageSid") or form.get("SmsSid")
        verdict = await services.limiter.acquire("sms", phone or form.get("From", "")) if services.limiter else None
        if verdict is not None and not verdict.allowed:
            # Every reply is a paid SMS: say "wait" once per window, then stay silent.
            if not verdict.first_refusal:
                return _twiml(None)
            return _twiml(tr(await caller_language(services, phone), REFUSAL, seconds=verdict.seconds))
        try:
            async with services.uow(actor=Actor.customer(phone, "sms")) as uow:
                s = uow.session
                if sid and not await first_time(s, f"sms:{sid}"):
                    return _twiml(None)  # a retry of a message already answered
                reply = await answer_sms(services, s, phone, body)
                await uow.commit()
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            log.warning("SMS from %s: database unavailable: %s", phone, exc)
            return _twiml(tr(settings.company.language, UNAVAILABLE))  # nothing recorded: a resend is handled
        return _twiml(reply)

    async def status(request: Request) -> Response:
        form = await verified_form(request, token(), settings.http.public_url)
        if form is None:
            return Response("forbidden", status_code=403)
        sid, state = form.get("MessageSid"), form.get("MessageStatus")
        if sid and state:
            try:
                async with services.uow() as uow:
                    error = f"twilio {form['ErrorCode']}" if form.get("ErrorCode") else None
                    await outbox.record_delivery_status(uow.session, sid, state, error)
                    await uow.commit()
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                log.warning("delivery status %s for %s: database unavailable: %s", state, sid, exc)
                return Response(status_code=503)
        return Response(status_code=204)

    return [Route("/twilio/sms", inbound, methods=["POST"]), Route("/twilio/sms/status", status, methods=["POST"])]


async def answer_sms(services: Services, session, phone: str | None, body: str) -> str | None:
    settings = services.settings
    lang = normalise_language((await language_for_phone(session, phone)) if phone else None, settings.company.language)
    word = sms_consent.keyword(body)
    if phone and word == "stop":
        await sms_consent.opt_out(session, phone, body.strip().upper())
        return None  # carriers/Twilio confirm STOP themselves; a second text would be noise
    if phone and word == "start":
        await sms_consent.opt_in(session, phone)
        return tr(lang, "You will receive our messages again. Reply STOP to opt out.")
    if word == "help":
        return tr(lang, "{company}: text your order number (e.g. 1042) to get its status. Reply STOP to opt out.",
                 company=settings.company.name)
    ref = _order_ref(services, body)
    if ref is None:
        return tr(lang, "Send your order number (e.g. 1042) and we will tell you its status.")
    view = await order_status_for_phone(session, phone, ref) if phone else None
    if view is None:
        return tr(lang, "We could not find order {ref} for this phone number. Please check the number, or call us.", ref=ref)
    return order_status_text(view, lang)


def _order_ref(services: Services, body: str) -> str | None:
    if services.parse is not None:
        try:
            ref = services.parse(body).entities.get("order_ref")
            if ref:
                return str(ref)
        except Exception:  # the regex below still answers
            log.warning("nlu failed on an SMS", exc_info=True)
    return order_ref_in(body)
