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

from .. import metrics  # noqa: F401  (registers the metrics served on /metrics)
from ..health import HEALTHY
from ..services import Services

log = logging.getLogger(__name__)


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

    routes.extend(sms_routes(services))
    routes.extend(voice_routes(services))
    routes.extend(extra_routes or [])
    return Starlette(routes=routes)
