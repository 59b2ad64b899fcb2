"""The HTTP server of `qm run`: health, metrics, and webhooks (Telegram here;
Twilio routes are added by their channel)."""
from __future__ import annotations

import hmac
import logging

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import metrics  # noqa: F401  (registers the metrics served on /metrics)
from ..services import Services

log = logging.getLogger(__name__)


def build_http_app(services: Services, telegram_app=None, extra_routes: list[Route] | None = None) -> Starlette:
    async def healthz(_: Request) -> Response:
        try:
            async with services.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # report, don't crash: this is what the probe is for
            log.warning("health check: database unreachable: %s", exc)
            return JSONResponse({"status": "degraded", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

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

    routes.extend(sms_routes(services))
    routes.extend(voice_routes(services))
    routes.extend(extra_routes or [])
    return Starlette(routes=routes)
