"""The HTTP server of `qm run`: health, metrics, and webhooks (Telegram here;
Twilio routes are added by their channel)."""
from __future__ import annotations

import asyncio
import hmac
import logging

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import metrics
from ..health import HEALTHY
from ..services import Services

log = logging.getLogger(__name__)


TWILIO_STATUSES = {"accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered", "failed", "read",
                   "canceled", "receiving", "received"}


def _outcome(response: Response) -> str:
    if response.status_code == 403:
        return "forbidden"
    if response.status_code >= 500:
        return "unavailable" if response.status_code == 503 else "error"
    body = bytes(getattr(response, "body", b"") or b"")
    if b"<Say" in body or b"<Message" in body:
        return "answered"
    return "silent" if response.status_code < 300 else "refused"


def _counted(route: Route) -> Route:
    """Counts a Twilio webhook's outcome (qm_sms_total, qm_calls_total) without touching its handler."""
    endpoint, path = route.endpoint, route.path

    async def wrapped(request: Request) -> Response:
        try:
            response = await endpoint(request)
        except Exception:
            _count(path, "error", request, None)
            raise
        _count(path, _outcome(response), request, response)
        return response

    return Route(path, wrapped, methods=[m for m in (route.methods or ()) if m != "HEAD"] or None)


def _count(path: str, outcome: str, request: Request, response: Response | None) -> None:
    if path == "/twilio/sms":
        metrics.SMS.labels("inbound", outcome).inc()
    elif path == "/twilio/sms/status":
        form = getattr(request, "_form", None)  # parsed by the handler (cached on the request)
        status = form.get("MessageStatus") if form is not None and outcome == "silent" else None
        if status is not None and status not in TWILIO_STATUSES:
            status = "other"  # a label per made-up value would grow without bound
        metrics.SMS.labels("callback", status or outcome).inc()
    elif path.startswith("/twilio/voice"):
        metrics.CALLS.labels(path.rsplit("/", 1)[-1] or "voice", outcome).inc()


DB_PROBE_TIMEOUT_S = 3.0  # a probe must answer before the load balancer gives up on it


def build_http_app(services: Services, telegram_app=None, extra_routes: list[Route] | None = None) -> Starlette:
    health = services.health

    async def healthz(_: Request) -> Response:
        """200 while this process can serve (the database answers), 503 when it cannot; the body
        says how each part is: database, telegram, twilio, scheduler (see docs/operations.md)."""
        try:
            async with asyncio.timeout(DB_PROBE_TIMEOUT_S):
                async with services.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except Exception as exc:  # report, don't crash: this is what the probe is for
            log.warning("health check: database unreachable: %s", exc)
            health.set("database", "down", f"{type(exc).__name__}: {exc}")
        else:
            health.set("database", "ok")
        parts = health.snapshot()
        serving = parts["database"]["status"] == "ok"
        overall = "ok" if all(p["status"] in HEALTHY for p in parts.values()) else "degraded" if serving else "down"
        body = {"status": overall, "database": "ok" if serving else "unreachable", "parts": parts}
        return JSONResponse(body, status_code=200 if serving else 503)

    async def metrics_endpoint(_: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    routes = [Route("/healthz", healthz, methods=["GET"]), Route("/metrics", metrics_endpoint, methods=["GET"])]

    if telegram_app is not None:
        from telegram import Update

        secret = services.settings.telegram.webhook_secret
        expected = secret.get_secret_value() if secret else ""

        async def telegram_webhook(request: Request) -> Response:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not expected or not hmac.compare_digest(given, expected):
                return Response(status_code=403)
            try:
                payload = await request.json()
                update = Update.de_json(payload, telegram_app.bot)
            except Exception:
                return Response(status_code=400)
            await telegram_app.update_queue.put(update)
            return Response()

        routes.append(Route("/telegram", telegram_webhook, methods=["POST"]))
    from ..twilio.sms_webhook import sms_routes
    from ..twilio.voice_webhook import voice_routes

    routes.extend(_counted(r) for r in sms_routes(services))
    routes.extend(_counted(r) for r in voice_routes(services))
    routes.extend(extra_routes or [])
    return Starlette(routes=routes)
