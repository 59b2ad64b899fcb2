"""HTTP side of the camera scanner: the page, its files, and three calls.

    GET  /webapp/scan?flow=pick&lang=ru   the page (texts in the person's language)
    GET  /webapp/static/...               its script, style and the ZXing-C++ WebAssembly reader
    POST /webapp/api/state                the current step's question
    POST /webapp/api/scan                 a code read by the camera (or typed on the page)
    POST /webapp/api/press                a button of the step's question

Every call carries Telegram's signed initData; it names the person, and their
scans go through the same dialogue, permissions and flow checks as the chat.
What the dialogue answers is also sent to the chat, so the chat shows progress."""
from __future__ import annotations

import json
import logging
import time
import uuid
from pathlib import Path

from sqlmodel import select
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from domain.errors import N_
from domain.models import Conversation

from ..dialogue.messages import Inbound
from ..dialogue.prompts import PROMPT_KEY  # the page reads the step's question under this key
from ..i18n import normalise_language, tr
from .init_data import InitDataError, verify
from .scanner_step import FLOW_KEY, SCANNER_FLOWS

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
MAX_BODY = 8192

# The page's own words, translated like every other message.
PAGE_TEXTS = {
    "title": N_("Scanner"),
    "starting": N_("Starting the camera…"),
    "point": N_("Point the camera at the barcode."),
    "no_camera": N_("No camera here, or no permission to use it. Type the code below, or send a photo in the chat."),
    "type_code": N_("Type a code"),
    "send": N_("Send"),
    "nothing": N_("Nothing to scan right now: start a pick, put-away, receipt or count in the chat."),
    "refused": N_("This page could not prove who you are. Open it again from the chat."),
    "sent": N_("Sent: {code}"),
    "offline": N_("No connection to the server. Try again."),
}


class _ScannerApi:
    """The page and its three calls, for one dialogue (and the Telegram bot that mirrors replies)."""

    def __init__(self, dialogue, telegram_app=None):
        self.dialogue, self.services, self.telegram_app = dialogue, dialogue.services, telegram_app

    def token(self) -> str:
        secret = self.services.settings.telegram.bot_token
        return secret.get_secret_value() if secret else ""

    async def page(self, request: Request) -> Response:
        lang = normalise_language(request.query_params.get("lang"), self.services.settings.company.language)
        texts = {k: tr(lang, v) for k, v in PAGE_TEXTS.items()}
        html = (STATIC / "scan.html").read_text(encoding="utf-8")
        html = html.replace("__LANG__", lang).replace("__TITLE__", texts["title"]).replace(
            "__TEXTS__", json.dumps(texts, ensure_ascii=False).replace("</", "<\\/"))
        return HTMLResponse(html, headers={"Cache-Control": "no-store", "Content-Security-Policy":
                                           "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
                                           "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:"})

    async def _body(self, request: Request) -> tuple[dict, object]:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise InitDataError("body too large")
        try:
            body = json.loads(raw or b"{}")
        except ValueError as exc:
            raise InitDataError("not JSON") from exc
        if not isinstance(body, dict):
            raise InitDataError("not an object")
        user = verify(str(body.get("initData", "")), self.token(), max_age_s=self.services.settings.webapp.init_data_max_age_s)
        return body, user

    @staticmethod
    def refused(exc: Exception) -> Response:
        log.warning("scanner page refused: %s", exc)
        return JSONResponse({"error": "forbidden"}, status_code=403)

    async def _prompt(self, user_id: int) -> dict:
        async with self.services.uow() as uow:
            conv = (await uow.session.exec(select(Conversation).where(
                Conversation.channel == "telegram", Conversation.external_id == str(user_id)))).first()
            if conv is None or conv.flow not in SCANNER_FLOWS:
                return {"flow": None, "text": "", "buttons": []}
            return {"flow": conv.flow, **(conv.data or {}).get(PROMPT_KEY, {"text": "", "buttons": []})}

    async def state(self, request: Request) -> Response:
        try:
            _, user = await self._body(request)
        except InitDataError as exc:
            return self.refused(exc)
        return JSONResponse(await self._prompt(user.id))

    async def _mirror(self, user_id: int, replies) -> None:
        """The chat shows the same progress; the page's answer doesn't wait on Telegram failing."""
        if self.telegram_app is None or not replies:
            return
        from ..telegram.render import send_replies

        try:
            await send_replies(self.telegram_app.bot, user_id, replies)
        except Exception:
            log.warning("scanner: could not mirror the replies to chat %s", user_id, exc_info=True)

    async def act(self, request: Request, kind: str) -> Response:
        try:
            body, user = await self._body(request)
        except InitDataError as exc:
            return self.refused(exc)
        flow, value = str(body.get("flow", "")), str(body.get("code" if kind == "text" else "data", "")).strip()
        if flow not in SCANNER_FLOWS or not value or len(value) > 512:
            return JSONResponse({"error": "bad request"}, status_code=400)
        started = time.perf_counter()
        inbound = Inbound(channel="telegram", external_id=str(user.id), kind=kind,
                          text=value if kind == "text" else None, callback=value if kind == "callback" else None,
                          sender_name=user.first_name, language_code=user.language_code,
                          event_id=f"webapp:{user.id}:{str(body.get('id') or uuid.uuid4())[:64]}", meta={FLOW_KEY: flow})
        replies = await self.dialogue.handle(inbound)
        await self._mirror(user.id, replies)
        ok = bool(replies) and not any(r.error for r in replies)
        return JSONResponse({"ok": ok, "replies": [r.text for r in replies if r.text],
                             "state": await self._prompt(user.id), "server_ms": round((time.perf_counter() - started) * 1000, 1)})

    async def scan(self, request: Request) -> Response:
        return await self.act(request, "text")

    async def press(self, request: Request) -> Response:
        return await self.act(request, "callback")


def webapp_routes(dialogue, telegram_app=None) -> list:
    api = _ScannerApi(dialogue, telegram_app)
    return [
        Route("/webapp/scan", api.page, methods=["GET"]),
        Route("/webapp/api/state", api.state, methods=["POST"]),
        Route("/webapp/api/scan", api.scan, methods=["POST"]),
        Route("/webapp/api/press", api.press, methods=["POST"]),
        Mount("/webapp/static", app=StaticFiles(directory=STATIC), name="webapp-static"),
    ]
