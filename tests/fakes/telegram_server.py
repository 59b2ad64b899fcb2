"""A local HTTP server speaking the Telegram Bot API, for running the real
python-telegram-bot client in tests.

Parameters and required ones come from the Bot API OpenAPI description in
tests/specs (loaded once at start-up); answers have Telegram's shape:
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": 400,
"description": "Bad Request: ..."}``, 401 for a wrong token, 404 for an unknown
method. Unknown parameters are ignored, as Telegram does.

Usage with PTB::

    with TelegramServer() as server:
        app = (ApplicationBuilder().token(server.token)
               .base_url(server.base_url).base_file_url(server.base_file_url).build())
        ...  # add handlers, start polling
        server.send_text(1001, "/start")
        call = server.wait_for(chat_id=1001, method="sendMessage")[0]
        assert call.params["text"] == "Hello"

Not implemented (answered "Bad Request: method is not supported by the test
server" unless the method just returns True): inline queries, payments,
games, stickers sets, forum topics, media groups, polls, chat administration
returning objects; photos sent by URL (only uploads and known file_ids).
Webhooks may be plain http (Telegram requires https).
"""
from __future__ import annotations

import collections
import functools
import http.client
import io
import itertools
import json
import math
import mimetypes
import re
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .telegram_format import EntityParseError, apply_parse_mode, detect_entities, utf16_len
from ._http import QuietHandler, Recorder, ServerThread, UploadedPart, decode_form, read_body

# The API descriptions are the project's own copies in tests/specs (source and version in its README).
SPECS_DIR = Path(__file__).resolve().parents[1] / "specs"
SPEC_PATH = SPECS_DIR / "telegram_bot_api_8.1.openapi.json"
DEFAULT_TOKEN = "123456789:AAH-test_token_for_the_local_server"

# Methods whose polling noise is left out of sent()/wait_for() unless asked for.
_POLLING = {"getUpdates"}
_CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}
_MISSING_DESCRIPTIONS = {
    "text": "message text is empty",
    "chat_id": "chat_id is empty",
    "photo": "there is no photo in the request",
    "document": "there is no document in the request",
    "voice": "there is no voice in the request",
    "audio": "there is no audio in the request",
    "video": "there is no video in the request",
    "sticker": "there is no sticker in the request",
    "animation": "there is no animation in the request",
    "file_id": "file_id not specified",
    "callback_query_id": "query is too old and response timeout expired or query ID is invalid",
    "action": "action is empty",
    "url": "url is empty",
}
_MEDIA_FIELDS = {
    "sendPhoto": "photo", "sendDocument": "document", "sendVoice": "voice", "sendAudio": "audio",
    "sendVideo": "video", "sendAnimation": "animation", "sendSticker": "sticker",
    "sendVideoNote": "video_note",
}
_MEDIA_DIRS = {
    "photo": "photos", "document": "documents", "voice": "voice", "audio": "music",
    "video": "videos", "animation": "animations", "sticker": "stickers", "video_note": "video_notes",
}
MAX_DOWNLOAD = 20 * 1024 * 1024


class TelegramError(Exception):
    """An error answer: becomes {"ok": false, ...} with this HTTP status."""

    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> TelegramError:
    return TelegramError(400, f"Bad Request: {text}")


@dataclass
class BotCall:
    """One Bot API call the bot made, with parameters decoded by their declared types."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedPart]
    ok: bool = True
    result: Any = None
    error: dict | None = None
    at: float = field(default_factory=time.time)

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        """The text or caption sent, as the user sees it (after parse_mode)."""
        if isinstance(self.result, dict):
            return self.result.get("text", self.result.get("caption"))
        return self.params.get("text", self.params.get("caption"))

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.params.items() if k != "reply_markup"}
        status = "ok" if self.ok else f"error {self.error}"
        return f"BotCall({self.method} {shown} -> {status})"


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    kind: str  # photo, document, voice, ...
    filename: str | None = None
    mime_type: str | None = None
    chat_id: Any = None
    uploaded_by_bot: bool = False

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class _Fault:
    code: int
    description: str
    parameters: dict | None
    drop: bool = False          # close the connection without answering
    after_processing: bool = False  # ...but only after the call took effect


@functools.lru_cache(maxsize=4)
def _load_spec(path: Path) -> dict[str, dict]:
    """method name -> {"params": {name: schema}, "required": set, "result": schema}"""
    spec = json.loads(path.read_text())
    methods: dict[str, dict] = {}
    for route, item in spec["paths"].items():
        operation = item["post"]
        content = operation.get("requestBody", {}).get("content", {})
        schema = next(iter(content.values()), {}).get("schema", {}) if content else {}
        result = operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["result"]
        methods[route.lstrip("/")] = {
            "params": schema.get("properties", {}),
            "required": set(schema.get("required", [])),
            "result": result,
        }
    return methods


def _decode_value(value: Any, schema: dict) -> Any:
    """Form values arrive as strings with non-strings JSON-encoded (that is how
    PTB sends them); decode each by the type the API declares."""
    if not isinstance(value, str):
        return value
    kinds = {s.get("type") for s in schema.get("anyOf", [])} | {schema.get("type")}
    if schema.get("type") == "string":
        return value
    if "integer" in kinds and "string" in kinds:  # chat_id: integer or @username
        return int(value) if re.fullmatch(r"-?\d+", value.strip()) else value
    if "string" in kinds and ("$ref" in json.dumps(schema)):  # InputFile or string
        return value
    if schema.get("type") == "boolean":
        return value.lower() in ("true", "1")
    return json.loads(value)  # ValueError: the caller answers 400


class TelegramServer:
    """Fake Telegram Bot API server. Thread-safe; start()/stop() or use as a context manager."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "qm_test_bot",
        bot_first_name: str = "Quartermaster",
        spec_path: Path | str = SPEC_PATH,
        webhook_retry_delay: float = 0.1,
        webhook_connections: int = 1,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user = {
            "id": self.bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False,
        }
        self.methods = _load_spec(Path(spec_path))
        self._methods_lower = {name.lower(): name for name in self.methods}
        self.webhook_retry_delay = webhook_retry_delay
        # Telegram posts to a webhook over up to max_connections connections at once; by default the
        # test server posts one update at a time (in order), more only when a benchmark asks.
        self.webhook_connections = webhook_connections
        self._webhook_workers: list[threading.Thread] = []

        self._cond = threading.Condition(threading.RLock())
        self._calls = Recorder(self._cond)
        self._http = ServerThread(_TelegramHandler, self)
        self._reset_state()

    def _reset_state(self) -> None:
        self._updates: list[dict] = []  # not yet confirmed, oldest first
        self._update_ids = itertools.count(1)
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._chats: dict[int, dict] = {}
        self._users: dict[int, dict] = {}
        self._blocked: set[int] = set()
        self._message_ids: dict[int, itertools.count] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callback_queries: dict[str, dict] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._limits: dict[str, int | None] = {}
        self._sends: collections.deque[tuple[float, Any]] = collections.deque()
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._menu_buttons: dict[Any, dict] = {}
        self._webhook: dict | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._webhook_thread: threading.Thread | None = None
        self._stopping = False
        self._offline = False

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> "TelegramServer":
        self._stopping = False
        self._http.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()  # wake long polls and the webhook sender
        self._http.stop()
        thread = self._webhook_thread
        if thread is not None:
            thread.join(timeout=5)
        for worker in self._webhook_workers:
            worker.join(timeout=5)

    def __enter__(self) -> "TelegramServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> "TelegramServer":
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.port}"

    @property
    def base_url(self) -> str:
        """Give to ApplicationBuilder().base_url(); PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Give to ApplicationBuilder().base_file_url()."""
        return f"{self.url}/file/bot"

    def env(self) -> dict[str, str]:
        """The settings' environment variables that point the bot at this server."""
        return {"TELEGRAM_BOT_TOKEN": self.token, "TELEGRAM_API_BASE_URL": self.base_url,
                "TELEGRAM_API_FILE_URL": self.base_file_url}

    # -------------------------------------------------------- test-side helpers
    def _user(self, user_id: int, first_name: str, language_code: str | None, username: str | None) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def _chat(self, user: dict, chat_type: str, chat_id: int | None, title: str | None = None) -> dict:
        if chat_type == "private":
            chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
        else:
            if chat_id is None:
                raise ValueError("a group chat needs chat_id (negative, as Telegram's)")
            chat = {"id": chat_id, "type": chat_type, "title": title or f"Test {chat_type} {chat_id}"}
        self._chats[chat["id"]] = chat
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _user_message(self, user_id: int, *, first_name: str = "Ann", language_code: str | None = "en",
                      chat_type: str = "private", chat_id: int | None = None, username: str | None = None,
                      reply_to: dict | None = None, **content: Any) -> dict:
        with self._cond:
            user = self._user(user_id, first_name, language_code, username)
            chat = self._chat(user, chat_type, chat_id)
            message = {"message_id": self._next_message_id(chat["id"]), "from": user, "chat": chat,
                       "date": int(time.time()), **content}
            if reply_to is not None:
                message["reply_to_message"] = reply_to
            self._messages[(chat["id"], message["message_id"])] = message
            self.push_update({"message": message})
            return message

    def send_text(self, user_id: int, text: str, *, first_name: str = "Ann", language_code: str | None = "en",
                  chat_type: str = "private", chat_id: int | None = None, username: str | None = None,
                  reply_to: dict | None = None) -> dict:
        """A user writes `text`; returns the Message delivered to the bot. Entities
        (bot_command at offset 0 for "/start", URLs, mentions) are added as Telegram does."""
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        return self._user_message(user_id, first_name=first_name, language_code=language_code,
                                  chat_type=chat_type, chat_id=chat_id, username=username,
                                  reply_to=reply_to, **content)

    def send_photo(self, user_id: int, jpeg_bytes: bytes, caption: str | None = None, **user: Any) -> dict:
        """A user sends a photo: stored, delivered as PhotoSize list (smallest
        first; the largest carries the original bytes)."""
        with self._cond:
            sizes = self._store_photo(jpeg_bytes, chat_id=user.get("chat_id") or user_id, by_bot=False)
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
            entities = detect_entities(caption)
            if entities:
                content["caption_entities"] = entities
        return self._user_message(user_id, **user, **content)

    def send_document(self, user_id: int, data: bytes, filename: str, mime: str | None = None,
                      caption: str | None = None, **user: Any) -> dict:
        with self._cond:
            stored = self._store_file(data, "document", filename=filename,
                                      mime_type=mime or mimetypes.guess_type(filename)[0] or "application/octet-stream",
                                      chat_id=user.get("chat_id") or user_id, by_bot=False)
        content: dict[str, Any] = {"document": self._media_object(stored)}
        if caption:
            content["caption"] = caption
        return self._user_message(user_id, **user, **content)

    def send_voice(self, user_id: int, ogg_bytes: bytes, duration: int, **user: Any) -> dict:
        with self._cond:
            stored = self._store_file(ogg_bytes, "voice", mime_type="audio/ogg",
                                      chat_id=user.get("chat_id") or user_id, by_bot=False)
        voice = self._media_object(stored)
        voice["duration"] = int(duration)
        return self._user_message(user_id, **user, voice=voice)

    def send_sticker(self, user_id: int, emoji: str = "👍", data: bytes = b"RIFF\x00\x00\x00\x00WEBP",
                     **user: Any) -> dict:
        with self._cond:
            stored = self._store_file(data, "sticker", mime_type="image/webp",
                                      chat_id=user.get("chat_id") or user_id, by_bot=False)
        sticker = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": emoji,
                   "file_size": stored.size}
        return self._user_message(user_id, **user, sticker=sticker)

    def edit_text(self, user_id: int, message: dict, text: str) -> dict:
        """The user edits a message they sent earlier: an edited_message update."""
        with self._cond:
            key = (message["chat"]["id"], message["message_id"])
            stored = self._messages.get(key, message)
            if stored["from"]["id"] != user_id:
                raise ValueError("a user can only edit their own messages")
            edited = dict(stored, text=text, edit_date=int(time.time()))
            edited.pop("entities", None)
            entities = detect_entities(text)
            if entities:
                edited["entities"] = entities
            self._messages[key] = edited
            self.push_update({"edited_message": edited})
            return edited

    def press_button(self, user_id: int, message: Any, data: str, *, first_name: str = "Ann",
                     language_code: str | None = "en") -> dict:
        """The user presses an inline button with callback_data `data` under a
        message the bot sent (a BotCall, a Message dict, or (chat_id, message_id))."""
        with self._cond:
            if isinstance(message, BotCall):
                message = message.result
            if isinstance(message, tuple):
                message = self._messages[message]
            current = self._messages.get((message["chat"]["id"], message["message_id"]), message)
            buttons = [b for row in (current.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
            if not any(b.get("callback_data") == data for b in buttons):
                raise ValueError(f"message {current['message_id']} has no button with callback_data {data!r}")
            user = self._users.get(user_id) or self._user(user_id, first_name, language_code, None)
            query = {"id": str(secrets.randbelow(10**18)), "from": user, "message": current,
                     "chat_instance": str(abs(hash(current["chat"]["id"]))), "data": data}
            self._callback_queries[query["id"]] = {"query": query, "answered": None}
            return self.push_update({"callback_query": query})

    def push_update(self, update: dict) -> dict:
        """Queues a raw update (update_id is assigned), or posts it to the webhook if one is set."""
        with self._cond:
            update = dict(update)
            update["update_id"] = next(self._update_ids)
            self._updates.append(update)
            self._cond.notify_all()
            return update

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to them get 403 "Forbidden: bot was blocked by the user"."""
        with self._cond:
            self._blocked.add(user_id)

    # ------------------------------------------------------------- inspection
    def sent(self, chat_id: Any = None, method: str | None = None) -> list[BotCall]:
        """Recorded bot calls (all but getUpdates unless method="getUpdates"), oldest first."""
        return [c for c in self._calls.all() if self._matches(c, chat_id, method)]

    @staticmethod
    def _matches(call: BotCall, chat_id: Any, method: str | None) -> bool:
        if method is None and call.method in _POLLING:
            return False
        if method is not None and call.method.lower() != method.lower():
            return False
        return chat_id is None or call.chat_id == chat_id

    def _matcher(self, predicate, chat_id, method) -> Callable[[BotCall], bool]:
        return lambda c: self._matches(c, chat_id, method) and (predicate is None or predicate(c))

    def wait_for(self, predicate: Callable[[BotCall], bool] | None = None, *, chat_id: Any = None,
                 method: str | None = None, timeout: float = 5.0, count: int = 1) -> list[BotCall]:
        """Blocks until `count` matching bot calls not yet returned by an earlier
        wait_for have been recorded (including ones made before this call); returns them."""
        return self._calls.wait_for(self._matcher(predicate, chat_id, method), timeout=timeout, count=count,
                                    what=f"bot call(s) method={method} chat_id={chat_id}")

    async def await_for(self, predicate: Callable[[BotCall], bool] | None = None, *, chat_id: Any = None,
                        method: str | None = None, timeout: float = 5.0, count: int = 1) -> list[BotCall]:
        """wait_for() for async tests: does not block the event loop."""
        return await self._calls.await_for(self._matcher(predicate, chat_id, method), timeout=timeout,
                                           count=count, what=f"bot call(s) method={method} chat_id={chat_id}")

    @property
    def commands(self) -> list[dict]:
        """Commands stored by setMyCommands for the default scope and no language."""
        return self.commands_for()

    def commands_for(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        with self._cond:
            return list(self._commands.get(self._scope_key(scope, language_code), []))

    @property
    def uploaded_files(self) -> list[StoredFile]:
        """Files the bot uploaded (sendPhoto, sendDocument, ...), oldest first."""
        with self._cond:
            return [f for f in self._files.values() if f.uploaded_by_bot]

    def file(self, file_id: str) -> StoredFile:
        with self._cond:
            return self._files[file_id]

    def message(self, chat_id: int, message_id: int) -> dict:
        """The current state of a message (after edits)."""
        with self._cond:
            return self._messages[(chat_id, message_id)]

    def callback_answer(self, query_id: str) -> dict | None:
        """The answerCallbackQuery parameters given for a query, or None while unanswered."""
        with self._cond:
            return self._callback_queries[query_id]["answered"]

    @property
    def pending_updates(self) -> list[dict]:
        with self._cond:
            return list(self._updates)

    # --------------------------------------------------------- fault injection
    def go_offline(self) -> None:
        """Telegram becomes unreachable: the port stops listening (connection refused). What
        users send meanwhile (send_text ...) is kept and delivered after come_back()."""
        with self._cond:
            self._offline = True
            self._cond.notify_all()  # end long polls in flight (their answer is dropped)
        self._http.stop()

    def come_back(self) -> None:
        """Listening again on the same port."""
        self._http.start()
        with self._cond:
            self._offline = False

    @property
    def online(self) -> bool:
        return self._http.running

    def fail_next(self, method: str, error_code: int = 429, description: str | None = None, *,
                  retry_after: int | None = None, times: int = 1, parameters: dict | None = None) -> None:
        """The next `times` calls of `method` fail like Telegram. 429 defaults to
        retry_after=1 with "Too Many Requests: retry after N" and parameters.retry_after."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        params = dict(parameters or {})
        if retry_after is not None:
            params["retry_after"] = retry_after
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                400: "Bad Request", 401: "Unauthorized", 403: "Forbidden: bot was blocked by the user",
                404: "Not Found", 409: "Conflict", 500: "Internal Server Error", 502: "Bad Gateway",
            }.get(error_code, "Error")
        self._add_fault(method, _Fault(error_code, description, params or None), times)

    def limit_rate(self, *, per_second: int | None = 30, per_chat_per_second: int | None = None,
                   per_group_per_minute: int | None = 20) -> None:
        """Enforces Telegram's flood limits on sends (sendX/copy/forward): over a
        limit the call gets 429 "Too Many Requests: retry after N" with
        parameters.retry_after, as Telegram answers. Off until called; None
        disables one limit."""
        with self._cond:
            self._limits = {"global": per_second, "chat": per_chat_per_second, "group": per_group_per_minute}

    def _check_flood(self, chat_id: Any) -> None:
        if not self._limits:
            return
        with self._cond:
            now = time.monotonic()
            while self._sends and self._sends[0][0] < now - 60:
                self._sends.popleft()
            is_group = isinstance(chat_id, int) and chat_id < 0
            windows = [("global", 1.0, lambda c: True), ("chat", 1.0, lambda c: c == chat_id)]
            if is_group:
                windows.append(("group", 60.0, lambda c: c == chat_id))
            for name, span, same in windows:
                limit = self._limits.get(name)
                if limit is None:
                    continue
                recent = [t for t, c in self._sends if t >= now - span and same(c)]
                if len(recent) >= limit:
                    wait = max(1, math.ceil(recent[-limit] + span - now))
                    raise TelegramError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
            self._sends.append((now, chat_id))

    def drop_next(self, method: str, *, after_processing: bool = True, times: int = 1) -> None:
        """The next `times` calls of `method` get no answer: the connection is
        closed. With after_processing (default) the call took effect first (the
        message is sent), as when a response is lost on the way back."""
        self._add_fault(method, _Fault(0, "dropped", None, drop=True, after_processing=after_processing), times)

    def _add_fault(self, method: str, fault: _Fault, times: int) -> None:
        with self._cond:
            self._faults.setdefault(method.lower(), []).extend([fault] * times)

    def _take_fault(self, method: str) -> _Fault | None:
        with self._cond:
            queue = self._faults.get(method.lower())
            return queue.pop(0) if queue else None

    # ----------------------------------------------------------- dispatching
    def handle(self, http_method: str, path: str, query: str, content_type: str, body: bytes) -> tuple[int, Any, bool]:
        """Serves one API call: returns (HTTP status, JSON payload, drop connection)."""
        if self._offline:  # a kept-alive connection from before go_offline(): no answer either
            return 0, None, True
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if not match:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, False
        token, method_name = urllib.parse.unquote(match.group(1)), match.group(2)
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, False
        method = self._methods_lower.get(method_name.lower())
        if method is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, False
        try:
            raw, files = decode_form(content_type, body) if body else ({}, {})
        except ValueError:
            return 400, bad_request("can't parse request body").payload(), False
        raw.update(dict(urllib.parse.parse_qsl(query)) if query else {})
        spec = self.methods[method]
        params = {}
        for key, value in raw.items():
            if key not in spec["params"]:
                continue  # unknown parameters are ignored, as Telegram does
            try:
                params[key] = _decode_value(value, spec["params"][key])
            except ValueError:
                description = ("can't parse reply keyboard markup JSON object" if key == "reply_markup"
                               else f"can't parse {key} JSON object")
                self._calls.add(BotCall(method, dict(raw), files, ok=False, error=bad_request(description).payload()))
                return 400, bad_request(description).payload(), False
        call = BotCall(method, params, files)
        fault = self._take_fault(method)
        try:
            if fault and not fault.drop:
                raise TelegramError(fault.code, fault.description, fault.parameters)
            if fault and fault.drop and not fault.after_processing:
                call.ok, call.error = False, {"dropped": True}
                self._calls.add(call)
                return 0, None, True
            for name in spec["required"]:
                value = params.get(name, files.get(name))
                if value is None or value == "" or value == []:
                    if name in params and name not in ("text", "chat_id"):
                        continue  # present but empty: the method's own check speaks
                    raise bad_request(_MISSING_DESCRIPTIONS.get(name, f"parameter \"{name}\" is required"))
            if method.startswith(("send", "copyMessage", "forwardMessage")):
                self._check_flood(params.get("chat_id"))
            try:
                call.result = self._dispatch(method, params, files)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                # a parameter of the wrong type or shape: Telegram answers 400 too
                raise bad_request(f"can't process the parameters ({type(exc).__name__}: {exc})") from exc
        except TelegramError as error:
            call.ok, call.error = False, error.payload()
            self._calls.add(call)
            return error.code, error.payload(), False
        self._calls.add(call)
        if fault and fault.drop:
            return 0, None, True
        return 200, {"ok": True, "result": call.result}, False

    def _dispatch(self, method: str, params: dict, files: dict) -> Any:
        handler = getattr(self, f"_api_{method}", None)
        if handler is not None:
            return handler(params, files)
        if method in _MEDIA_FIELDS:
            return self._send_media(method, params, files)
        if self.methods[method]["result"].get("type") == "boolean":
            return True  # setters with nothing to show: accepted and recorded
        raise bad_request(f"method {method} is not supported by the test server")

    # ----------------------------------------------------------- API methods
    def _api_getMe(self, params: dict, files: dict) -> dict:
        return dict(self.bot_user)

    def _api_logOut(self, params: dict, files: dict) -> bool:
        return True

    def _api_getUpdates(self, params: dict, files: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0)
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._webhook is not None:
                raise TelegramError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                         "use deleteWebhook to delete the webhook first")
            if "allowed_updates" in params:
                self._allowed_updates = list(params["allowed_updates"] or []) or None
            # A newer getUpdates ends an older waiting one with 409, as Telegram does.
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()
            if offset < 0:
                self._updates = self._updates[offset:]
            elif offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while True:
                self._drop_disallowed()
                if self._updates or self._stopping or self._offline:
                    return [dict(u) for u in self._updates[:limit]]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining)
                if self._poll_generation != generation:
                    raise TelegramError(409, "Conflict: terminated by other getUpdates request; "
                                             "make sure that only one bot instance is running")
                if self._webhook is not None:
                    return []

    def _drop_disallowed(self) -> None:
        allowed = self._allowed_updates
        default_excluded = {"chat_member", "message_reaction", "message_reaction_count"}

        def wanted(update: dict) -> bool:
            kind = next(k for k in update if k != "update_id")
            return kind in allowed if allowed else kind not in default_excluded

        self._updates = [u for u in self._updates if wanted(u)]

    def _api_setWebhook(self, params: dict, files: dict) -> bool:
        url = params.get("url", "")
        with self._cond:
            if not url:
                self._webhook = None
                return True
            parsed = urllib.parse.urlsplit(url)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
            secret = params.get("secret_token")
            if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
                raise bad_request("secret token contains unallowed characters")
            if params.get("drop_pending_updates"):
                self._updates.clear()
            if "allowed_updates" in params:
                self._allowed_updates = list(params["allowed_updates"] or []) or None
            self._webhook = {"url": url, "secret_token": secret,
                             "max_connections": int(params.get("max_connections") or 40)}
            self._webhook_error = None
            self._cond.notify_all()
            if self._webhook_thread is None or not self._webhook_thread.is_alive():
                deliver = self._deliver_webhooks if self.webhook_connections <= 1 else self._deliver_webhooks_concurrently
                self._webhook_thread = threading.Thread(target=deliver, daemon=True,
                                                        name="TelegramServer-webhook")
                self._webhook_thread.start()
            self._webhook_workers = [t for t in self._webhook_workers if t.is_alive()]
            for k in range(len(self._webhook_workers), max(0, min(self.webhook_connections, self._webhook["max_connections"]) - 1)):
                worker = threading.Thread(target=self._deliver_webhooks_concurrently, daemon=True,
                                          name=f"TelegramServer-webhook-{k + 2}")
                self._webhook_workers.append(worker)
                worker.start()
        return True

    def _api_deleteWebhook(self, params: dict, files: dict) -> bool:
        with self._cond:
            self._webhook = None
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._cond.notify_all()
        return True

    def _api_getWebhookInfo(self, params: dict, files: dict) -> dict:
        with self._cond:
            info: dict[str, Any] = {"url": "", "has_custom_certificate": False,
                                    "pending_update_count": len(self._updates)}
            if self._webhook is not None:
                info["url"] = self._webhook["url"]
                info["max_connections"] = self._webhook["max_connections"]
                info["ip_address"] = "127.0.0.1"
                if self._allowed_updates:
                    info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
            return info

    def _deliver_webhooks(self) -> None:
        """POSTs queued updates to the webhook one at a time, retrying on failure
        (Telegram keeps an update until the webhook answers 2xx)."""
        while True:
            with self._cond:
                while not self._stopping and (self._webhook is None or not self._updates):
                    if self._webhook is None:
                        self._webhook_thread = None
                        return
                    self._cond.wait(0.5)
                if self._stopping:
                    self._webhook_thread = None
                    return
                self._drop_disallowed()
                if not self._updates:
                    continue
                update, hook = self._updates[0], dict(self._webhook)
            error = self._post_update(hook, update)
            with self._cond:
                if error is None:
                    if self._updates and self._updates[0] is update:
                        self._updates.pop(0)
                    continue
                self._webhook_error = (int(time.time()), error)
            time.sleep(self.webhook_retry_delay)

    def _deliver_webhooks_concurrently(self) -> None:
        """An extra connection (webhook_connections > 1): takes the next update off the queue and
        posts it while the others post theirs; a failed one goes back to the front."""
        while True:
            with self._cond:
                while not self._stopping and self._webhook is not None and not self._updates:
                    self._cond.wait(0.5)
                if self._stopping or self._webhook is None:
                    return
                self._drop_disallowed()
                if not self._updates:
                    continue
                update, hook = self._updates.pop(0), dict(self._webhook)
            error = self._post_update(hook, update)
            if error is not None:
                with self._cond:
                    self._updates.insert(0, update)
                    self._webhook_error = (int(time.time()), error)
                time.sleep(self.webhook_retry_delay)

    def _post_update(self, hook: dict, update: dict) -> str | None:
        parsed = urllib.parse.urlsplit(hook["url"])
        conn_class = http.client.HTTPSConnection if parsed.scheme == "https" else http.client.HTTPConnection
        headers = {"Content-Type": "application/json"}
        if hook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        path = parsed.path or "/"
        if parsed.query:
            path += "?" + parsed.query
        try:
            conn = conn_class(parsed.hostname, parsed.port, timeout=10)
            conn.request("POST", path, body=json.dumps(update).encode(), headers=headers)
            response = conn.getresponse()
            payload = response.read()
            conn.close()
        except OSError as exc:
            return f"Connection error: {exc}"
        if not 200 <= response.status < 300:
            return f"Wrong response from the webhook: {response.status} {response.reason}"
        # Telegram runs a method given in the webhook's answer body.
        if payload and response.getheader("Content-Type", "").startswith("application/json"):
            try:
                answer = json.loads(payload)
            except ValueError:
                answer = None
            if isinstance(answer, dict) and "method" in answer:
                method = answer.pop("method")
                self.handle("POST", f"/bot{self.token}/{method}", "", "application/json", json.dumps(answer).encode())
        return None

    def _scope_key(self, scope: Any, language_code: str | None) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        if isinstance(scope, str):
            scope = json.loads(scope)
        return json.dumps(scope, sort_keys=True), language_code or ""

    def _api_setMyCommands(self, params: dict, files: dict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("command description is empty" if not command.get("description")
                                  else "BOT_COMMAND_DESCRIPTION_INVALID")
        with self._cond:
            key = self._scope_key(params.get("scope"), params.get("language_code"))
            if commands:
                self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
            else:
                self._commands.pop(key, None)
        return True

    def _api_getMyCommands(self, params: dict, files: dict) -> list[dict]:
        with self._cond:
            return list(self._commands.get(self._scope_key(params.get("scope"), params.get("language_code")), []))

    def _api_deleteMyCommands(self, params: dict, files: dict) -> bool:
        with self._cond:
            self._commands.pop(self._scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    def _api_setChatMenuButton(self, params: dict, files: dict) -> bool:
        with self._cond:
            chat_id = params.get("chat_id")
            if chat_id is not None:
                self._known_chat(chat_id)
            self._menu_buttons[chat_id] = params.get("menu_button") or {"type": "default"}
        return True

    def _api_getChatMenuButton(self, params: dict, files: dict) -> dict:
        with self._cond:
            chat_id = params.get("chat_id")
            return self._menu_buttons.get(chat_id, self._menu_buttons.get(None, {"type": "commands"}))

    def _known_chat(self, chat_id: Any) -> dict:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            found = [c for c in self._chats.values() if c.get("username") == chat_id[1:]]
            if found:
                return found[0]
            raise bad_request("chat not found")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat_id in self._blocked:
            raise TelegramError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _api_getChat(self, params: dict, files: dict) -> dict:
        with self._cond:
            chat = dict(self._known_chat(params["chat_id"]))
        chat.update({"accent_color_id": 0, "max_reaction_count": 11})
        return chat

    def _api_sendChatAction(self, params: dict, files: dict) -> bool:
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        with self._cond:
            self._known_chat(params["chat_id"])
        return True

    def _formatted(self, params: dict, field_name: str, entities_name: str, limit: int, too_long: str) -> dict:
        """text/caption after parse_mode, with entities; Telegram's checks."""
        text = params.get(field_name)
        if text is None:
            return {}
        text = str(text)
        try:
            plain, entities = apply_parse_mode(text, params.get("parse_mode"))
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}")
        if entities is None and params.get(entities_name):
            entities = params[entities_name]
        if not plain.strip():
            if field_name == "text":
                raise bad_request("message text is empty")
            return {}
        if utf16_len(plain) > limit:
            raise bad_request(too_long)
        out: dict[str, Any] = {field_name: plain}
        if entities:
            out[entities_name] = entities
        return out

    def _bot_message(self, params: dict, content: dict) -> dict:
        """Stores and returns a Message the bot sent to params["chat_id"]."""
        with self._cond:
            chat = self._known_chat(params["chat_id"])
            sender = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
            message: dict[str, Any] = {"message_id": self._next_message_id(chat["id"]), "from": sender,
                                       "chat": dict(chat), "date": int(time.time())}
            reply = params.get("reply_parameters") or (
                {"message_id": params["reply_to_message_id"]} if params.get("reply_to_message_id") else None)
            if isinstance(reply, dict) and reply.get("message_id"):
                original = self._messages.get((chat["id"], int(reply["message_id"])))
                if original is None and not reply.get("allow_sending_without_reply"):
                    raise bad_request("message to be replied not found")
                if original is not None:
                    message["reply_to_message"] = {k: v for k, v in original.items() if k != "reply_to_message"}
            message.update(content)
            markup = params.get("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                self._check_inline_keyboard(markup)
                message["reply_markup"] = markup  # only inline keyboards come back in the Message
            self._messages[(chat["id"], message["message_id"])] = message
            return message

    @staticmethod
    def _check_inline_keyboard(markup: dict) -> None:
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise bad_request("can't parse inline keyboard button: "
                                      "Text buttons are unallowed in the inline keyboard")
                web_app = button.get("web_app")
                if web_app is not None and not str((web_app or {}).get("url", "")).startswith("https://"):
                    raise bad_request(f"inline keyboard button Web App URL '{(web_app or {}).get('url', '')}' is invalid: "
                                      "Only HTTPS links are allowed")

    def _api_sendMessage(self, params: dict, files: dict) -> dict:
        content = self._formatted(params, "text", "entities", 4096, "message is too long")
        return self._bot_message(params, content)

    def _editable(self, params: dict) -> dict:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the test server")
        if params.get("chat_id") is None:
            raise bad_request("chat_id is empty")
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat = self._known_chat(params["chat_id"])
        message = self._messages.get((chat["id"], int(params["message_id"])))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise bad_request("message can't be edited")
        return message

    def _api_editMessageText(self, params: dict, files: dict) -> dict:
        with self._cond:
            message = self._editable(params)
            if "text" not in message:
                raise bad_request("there is no text in the message to edit")
            content = self._formatted(params, "text", "entities", 4096, "MESSAGE_TOO_LONG")
            return self._apply_edit(message, content, params, ("text", "entities"))

    def _api_editMessageCaption(self, params: dict, files: dict) -> dict:
        with self._cond:
            message = self._editable(params)
            content = self._formatted(params, "caption", "caption_entities", 1024, "message caption is too long")
            return self._apply_edit(message, content, params, ("caption", "caption_entities"))

    def _api_editMessageReplyMarkup(self, params: dict, files: dict) -> dict:
        with self._cond:
            message = self._editable(params)
            return self._apply_edit(message, {}, params, ())

    def _apply_edit(self, message: dict, content: dict, params: dict, replaced: tuple[str, ...]) -> dict:
        edited = {k: v for k, v in message.items() if k not in replaced and k != "reply_markup"}
        edited.update(content)
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            self._check_inline_keyboard(markup)
            edited["reply_markup"] = markup
        same = all(edited.get(k) == message.get(k) for k in (*replaced, "reply_markup"))
        if same:
            raise bad_request("message is not modified: specified new message content and reply markup are "
                              "exactly the same as a current content and reply markup of the message")
        edited["edit_date"] = int(time.time())
        self._messages[(message["chat"]["id"], message["message_id"])] = edited
        return edited

    def _api_deleteMessage(self, params: dict, files: dict) -> bool:
        with self._cond:
            chat = self._known_chat(params["chat_id"])
            if self._messages.pop((chat["id"], int(params["message_id"])), None) is None:
                raise bad_request("message to delete not found")
        return True

    def _api_answerCallbackQuery(self, params: dict, files: dict) -> bool:
        with self._cond:
            entry = self._callback_queries.get(str(params["callback_query_id"]))
            if entry is None or entry["answered"] is not None:
                raise bad_request("query is too old and response timeout expired or query ID is invalid")
            if len(str(params.get("text") or "")) > 200:
                raise bad_request("MESSAGE_TOO_LONG")
            entry["answered"] = dict(params)
        return True

    # ----------------------------------------------------------------- files
    def _new_file_ids(self) -> tuple[str, str]:
        return "BQACAgIAAx" + secrets.token_urlsafe(24), "AgAD" + secrets.token_urlsafe(9)

    def _store_file(self, data: bytes, kind: str, *, filename: str | None = None, mime_type: str | None = None,
                    chat_id: Any = None, by_bot: bool) -> StoredFile:
        file_id, unique_id = self._new_file_ids()
        number = next(self._file_counter)
        ext = Path(filename).suffix if filename else (mimetypes.guess_extension(mime_type or "") or "")
        if kind == "voice":
            ext = ".oga"
        stored = StoredFile(file_id, unique_id, f"{_MEDIA_DIRS.get(kind, kind)}/file_{number}{ext}", data, kind,
                            filename, mime_type, chat_id, by_bot)
        self._files[file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _store_photo(self, data: bytes, *, chat_id: Any, by_bot: bool) -> list[dict]:
        """PhotoSize list as Telegram makes it: scaled copies (90/320/800 px
        sides) smaller than the original, then the original (kept byte-exact)."""
        from PIL import Image

        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except Exception as exc:  # Pillow raises several types for bad input
            raise bad_request("IMAGE_PROCESS_FAILED") from exc
        width, height = image.size
        sizes = []
        for side in (90, 320, 800):
            if max(width, height) <= side:
                break
            scaled = image.convert("RGB")
            scaled.thumbnail((side, side))
            buffer = io.BytesIO()
            scaled.save(buffer, "JPEG", quality=85)
            stored = self._store_file(buffer.getvalue(), "photo", mime_type="image/jpeg", chat_id=chat_id,
                                      by_bot=False)
            sizes.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                          "file_size": stored.size, "width": scaled.width, "height": scaled.height})
        stored = self._store_file(data, "photo", mime_type=Image.MIME.get(image.format or "", "image/jpeg"),
                                  chat_id=chat_id, by_bot=by_bot)
        sizes.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                      "file_size": stored.size, "width": width, "height": height})
        return sizes

    @staticmethod
    def _media_object(stored: StoredFile) -> dict:
        media: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                                 "file_size": stored.size}
        if stored.filename:
            media["file_name"] = stored.filename
        if stored.mime_type:
            media["mime_type"] = stored.mime_type
        return media

    def _input_file(self, params: dict, files: dict, field_name: str) -> UploadedPart | StoredFile:
        value = params.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value[len("attach://"):])
        else:
            part = files.get(field_name)
        if part is not None:
            return part
        if isinstance(value, str) and value:
            stored = self._files.get(value)
            if stored is not None:
                return stored
            if value.startswith(("http://", "https://")):
                raise bad_request("failed to get HTTP URL content")
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(_MISSING_DESCRIPTIONS.get(field_name, f"there is no {field_name} in the request"))

    def _send_media(self, method: str, params: dict, files: dict) -> dict:
        field_name = _MEDIA_FIELDS[method]
        caption = self._formatted(params, "caption", "caption_entities", 1024, "message caption is too long")
        with self._cond:
            chat = self._known_chat(params["chat_id"])
            source = self._input_file(params, files, field_name)
            if field_name == "photo":
                if isinstance(source, StoredFile):
                    photo = self._store_photo(source.data, chat_id=chat["id"], by_bot=False)
                else:
                    photo = self._store_photo(source.data, chat_id=chat["id"], by_bot=True)
                    self._files[photo[-1]["file_id"]].filename = source.filename
                media: Any = photo
            else:
                if isinstance(source, StoredFile):
                    stored = source
                else:
                    mime = (source.content_type if source.content_type != "application/octet-stream" else None) \
                        or mimetypes.guess_type(source.filename)[0] or "application/octet-stream"
                    stored = self._store_file(source.data, field_name, filename=source.filename or None,
                                              mime_type=mime, chat_id=chat["id"], by_bot=True)
                media = self._media_object(stored)
                if field_name in ("voice", "audio", "video", "animation", "video_note"):
                    media["duration"] = int(params.get("duration") or 0)
                if field_name in ("voice", "video_note"):
                    media.pop("file_name", None)
            return self._bot_message(params, {field_name: media, **caption})

    def _api_getFile(self, params: dict, files: dict) -> dict:
        with self._cond:
            stored = self._files.get(str(params["file_id"]))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": stored.size,
                "file_path": stored.file_path}

    def download(self, path: str) -> tuple[int, bytes, str]:
        """Serves GET /file/bot<token>/<file_path> (the token's colon may be percent-encoded)."""
        match = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
        if not match or urllib.parse.unquote(match.group(1)) != self.token:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}', "application/json"
        with self._cond:
            stored = self._files_by_path.get(urllib.parse.unquote(match.group(2)))
        if stored is None:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}', "application/json"
        return 200, stored.data, stored.mime_type or "application/octet-stream"


class _TelegramHandler(QuietHandler):
    owner: TelegramServer

    def _serve(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        body = read_body(self)
        if parsed.path.startswith("/file/"):
            status, data, ctype = self.owner.download(parsed.path)
            self.send_bytes(status, data, ctype)
            return
        status, payload, drop = self.owner.handle(self.command, parsed.path, parsed.query,
                                                  self.headers.get("Content-Type", ""), body)
        if drop:
            self.drop_connection()
            return
        headers = {}
        if payload and payload.get("parameters", {}).get("retry_after"):
            headers["Retry-After"] = str(payload["parameters"]["retry_after"])
        self.send_json(status, payload, headers)

    do_GET = _serve
    do_POST = _serve
