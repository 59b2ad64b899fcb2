"""A local HTTP server speaking Twilio's REST API 2010-04-01 (Messages, Calls)
for running the real twilio client in tests.

Routes, parameters and required ones come from the OpenAPI description in
tests/specs (loaded at start-up); Twilio's own extra rules are added (From or
MessagingServiceSid, Body/MediaUrl/ContentSid, E.164 numbers, 1600 characters).
Resources and errors have Twilio's JSON shape ({"code", "message", "more_info",
"status"}); HTTP Basic auth is checked against the account sid and auth token.

Pointing twilio 9.13 at it (checked by test_twilio_server.py for create,
fetch, list and paging, sync and async)::

    client = twilio.rest.Client(server.account_sid, server.auth_token)
    client.api.base_url = server.base_url      # e.g. from TWILIO_API_BASE_URL

`client.api.base_url` covers every api.twilio.com resource (Messages, Calls),
including next_page_uri paging, and may be set after the client was used. A
custom `http_client` (a TwilioHttpClient subclass replacing
"https://api.twilio.com" in each URL) works too. `server.client()` returns a
Client configured the first way.

`crash_after_accept()` drops the connection after the message is recorded: the
sync client raises requests.exceptions.ConnectionError (no TwilioRestException),
although the message will be sent; a retry would send it twice.

Message lifecycle: created `queued` (with From) or `accepted` (with
MessagingServiceSid); then queued (service only) -> sending -> sent ->
delivered, or -> undelivered / failed for numbers given an outcome. No status
callback for the initial status (as Twilio); one per later change, signed with
X-Twilio-Signature. Steps happen when the test calls `advance()` /
`deliver_all()` (deterministic), or by themselves after `delivery_delay`
seconds per step when that is set.

Not implemented: scheduled messages (SendAt), Media/Feedback subresources,
message redaction/deletion, Calls beyond create/fetch/list (no TwiML is
fetched), API-key auth, other Twilio domains (Verify, Lookups, ...).
"""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import email.utils
import functools
import http.client
import json
import re
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ._http import QuietHandler, Recorder, ServerThread, read_body
from .twilio_signing import SIGNATURE_HEADER, sign

# The API descriptions are the project's own copies in tests/specs (source and version in its README).
SPECS_DIR = Path(__file__).resolve().parents[1] / "specs"
SPEC_PATH = SPECS_DIR / "twilio_api_v2010.json"
DEFAULT_ACCOUNT_SID = "AC" + "5ef8732a3c49700934481addd5ce1659"
DEFAULT_AUTH_TOKEN = "9f2c1e7d4b6a8c0e2f4a6b8d0c2e4f6a"
SERVICE_NUMBER = "+15005550006"
STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
START_WORDS = {"start", "unstop", "yes"}
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_FINAL = {"delivered", "undelivered", "failed", "canceled", "read", "received"}
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = set("^{}\\[~]|€\f")
_ERROR_MESSAGES = {
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    30003: "Unreachable destination handset",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
}


def rfc2822(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(dt.timezone.utc)).replace("-0000", "+0000")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def segments(body: str) -> int:
    """SMS segments as carriers count them: GSM-7 160/153, else UCS-2 70/67."""
    if all(ch in _GSM7 or ch in _GSM7_EXT for ch in body):
        units = sum(2 if ch in _GSM7_EXT else 1 for ch in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


class TwilioError(Exception):
    def __init__(self, status: int, code: int | None, message: str, *, detail: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.detail = status, code, message, detail

    def payload(self) -> dict:
        more_info = f"https://www.twilio.com/docs/errors/{self.code}" if self.code else None
        body: dict[str, Any] = {"code": self.code, "message": self.message, "more_info": more_info,
                                "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        return body


@dataclass
class SmsMessage:
    """An outbound message as the server holds it; `resource` is what the API returns."""

    resource: dict
    status_callback: str | None
    outcome: tuple[str, int | None] = ("delivered", None)
    next_step_at: float | None = None

    @property
    def sid(self) -> str:
        return self.resource["sid"]

    @property
    def to(self) -> str:
        return self.resource["to"]

    @property
    def from_(self) -> str | None:
        return self.resource["from"]

    @property
    def body(self) -> str:
        return self.resource["body"]

    @property
    def status(self) -> str:
        return self.resource["status"]

    def __repr__(self) -> str:
        return f"SmsMessage({self.sid} to={self.to} status={self.status} body={self.body[:40]!r})"


@dataclass
class StatusCallback:
    """A status callback the server POSTed (or tried to)."""

    url: str
    params: dict[str, str]
    signature: str
    response_status: int | None  # None: the connection failed
    at: float = field(default_factory=time.time)


@dataclass
class _Fault:
    status: int
    code: int | None
    message: str


@functools.lru_cache(maxsize=4)
def _load_routes(path: Path) -> list[tuple[re.Pattern, str, dict]]:
    """[(path regex, HTTP method, {"operation_id", "form", "required", "query"})] from the spec."""
    spec = json.loads(path.read_text())
    routes = []
    for route, item in spec["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(route)) + "$")
        for method in ("get", "post", "delete"):
            operation = item.get(method)
            if not operation:
                continue
            schema = (operation.get("requestBody", {}).get("content", {})
                      .get("application/x-www-form-urlencoded", {}).get("schema", {}))
            routes.append((pattern, method.upper(), {
                "operation_id": operation.get("operationId"),
                "form": set(schema.get("properties", {})),
                "required": list(schema.get("required", [])),
                "query": {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"},
            }))
    return routes


def _parse_date_filter(value: str) -> dt.date:
    """The GMT day of a DateSent filter: Twilio's filters are day-granular
    ("YYYY-MM-DD"; twilio-python sends date-times, of which the day counts)."""
    value = value.strip().lstrip("<>=")
    return dt.date.fromisoformat(value[:10])


class TwilioServer:
    """Fake Twilio REST server. Thread-safe; start()/stop() or use as a context manager."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        numbers: list[str] | None = None,
        delivery_delay: float | None = None,
        spec_path: Path | str = SPEC_PATH,
    ) -> None:
        """numbers: the account's own phone numbers (From must be one of them when
        given). delivery_delay: seconds per lifecycle step when set; None means
        steps happen only when the test calls advance()/deliver_all()."""
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.numbers = list(numbers) if numbers else None
        self.delivery_delay = delivery_delay
        self.routes = _load_routes(Path(spec_path))
        self._cond = threading.Condition(threading.RLock())
        self._messages: dict[str, SmsMessage] = {}
        self._calls: dict[str, dict] = {}
        self._message_log = Recorder(self._cond, consume=False)
        self._callback_log = Recorder(self._cond)
        self._requests: list[tuple[str, str, dict]] = []
        self._opted_out: set[str] = set()
        self._outcomes: dict[str, tuple[str, int | None]] = {}
        self._faults: list[_Fault] = []
        self._crashes = 0
        self._hangs: list[float] = []
        self._stopping = False
        self._ticker: threading.Thread | None = None
        self._http = ServerThread(_TwilioHandler, self)

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> "TwilioServer":
        self._stopping = False
        self._http.start()
        if self.delivery_delay is not None:
            self._ticker = threading.Thread(target=self._tick, daemon=True, name="TwilioServer-delivery")
            self._ticker.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._http.stop()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
            self._ticker = None

    def __enter__(self) -> "TwilioServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> "TwilioServer":
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Set as `client.api.base_url` (TWILIO_API_BASE_URL)."""
        return f"http://127.0.0.1:{self._http.port}"

    def env(self) -> dict[str, str]:
        """The settings' environment variables that point the assistant at this server."""
        env = {"TWILIO_ACCOUNT_SID": self.account_sid, "TWILIO_AUTH_TOKEN": self.auth_token,
               "TWILIO_API_BASE_URL": self.base_url}
        if self.numbers:
            env["TWILIO_FROM_NUMBER"] = self.numbers[0]
        return env

    def client(self, **kwargs: Any):
        """A real twilio.rest.Client pointed at this server."""
        from twilio.rest import Client

        client = Client(self.account_sid, self.auth_token, **kwargs)
        client.api.base_url = self.base_url
        return client

    # ----------------------------------------------------------- test controls
    def opt_out(self, number: str) -> None:
        """The number has opted out (sent STOP): sends to it get 400 / code 21610."""
        with self._cond:
            self._opted_out.add(number)

    def opt_in(self, number: str) -> None:
        with self._cond:
            self._opted_out.discard(number)

    def set_outcome(self, number: str, status: str = "undelivered", error_code: int | None = 30003) -> None:
        """Messages to `number` end as `status` (undelivered or failed) with error_code."""
        if status not in ("delivered", "undelivered", "failed"):
            raise ValueError("outcome must be delivered, undelivered or failed")
        with self._cond:
            self._outcomes[number] = (status, error_code if status != "delivered" else None)

    def fail_next(self, status: int = 429, times: int = 1, *, code: int | None = None,
                  message: str | None = None) -> None:
        """The next `times` API requests get Twilio's error for `status`
        (429 -> code 20429 "Too Many Requests", 500 -> 20500, 503 -> 20503)."""
        code = code if code is not None else {429: 20429, 500: 20500, 503: 20503}.get(status, status * 100)
        message = message or _ERROR_MESSAGES.get(code, "Error")
        with self._cond:
            self._faults.extend(_Fault(status, code, message) for _ in range(times))

    def hang_next(self, seconds: float, times: int = 1) -> None:
        """The next `times` message creations are accepted and recorded (they will be sent),
        then the answer waits `seconds` before it is written: a Twilio slower than the
        client's timeout."""
        with self._cond:
            self._hangs.extend([seconds] * times)

    def crash_after_accept(self, times: int = 1) -> None:
        """The next `times` message creations are accepted and recorded (they will
        be sent) but the HTTP response is never written: the connection closes."""
        with self._cond:
            self._crashes += times

    def advance(self, sid: str | None = None) -> list[SmsMessage]:
        """Moves one message (or every unfinished one) one lifecycle step and
        POSTs the status callbacks before returning. Returns the messages moved."""
        with self._cond:
            targets = [self._messages[sid]] if sid else [m for m in self._messages.values() if m.status not in _FINAL]
            moved = [m for m in targets if self._step(m)]
            callbacks = [self._callback_for(m) for m in moved]
        for callback in callbacks:
            if callback:
                self._post_callback(*callback)
        return moved

    def deliver_all(self) -> list[SmsMessage]:
        """Runs every unfinished message to its final status, callbacks included."""
        moved: dict[str, SmsMessage] = {}
        while True:
            step = self.advance()
            if not step:
                return list(moved.values())
            moved.update((m.sid, m) for m in step)

    async def adeliver_all(self) -> list[SmsMessage]:
        """deliver_all() from async tests (the callback receiver may share the event loop)."""
        return await asyncio.to_thread(self.deliver_all)

    async def aadvance(self, sid: str | None = None) -> list[SmsMessage]:
        return await asyncio.to_thread(self.advance, sid)

    def inbound(self, webhook_url: str, from_: str, to: str, body: str, *, timeout: float = 10.0,
                **extra: str) -> tuple[int, bytes]:
        """A phone sends an SMS to the account's number: POSTs Twilio's signed
        inbound-message webhook to `webhook_url` and returns (status, body). STOP /
        START keywords change the sender's opt-out state first, as Twilio does."""
        keyword = body.strip().lower()
        if keyword in STOP_WORDS:
            self.opt_out(from_)
        elif keyword in START_WORDS:
            self.opt_in(from_)
        sid = "SM" + uuid.uuid4().hex
        params = {"ToCountry": "US", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid, "SmsStatus": "received",
                  "Body": body, "To": to, "NumSegments": str(segments(body)), "MessageSid": sid,
                  "AccountSid": self.account_sid, "From": from_, "ApiVersion": "2010-04-01", **extra}
        return self.post_webhook(webhook_url, params)

    def inbound_call(self, webhook_url: str, from_: str, to: str, *, call_sid: str | None = None,
                     status: str = "ringing", **extra: str) -> tuple[int, bytes]:
        """A phone calls the account's number: POSTs Twilio's signed voice webhook
        (CallStatus=ringing). Pass the same call_sid, status="in-progress" and
        SpeechResult= / Digits= to play a <Gather> result back to its action URL."""
        params = {"AccountSid": self.account_sid, "ApiVersion": "2010-04-01", "CallSid": call_sid or
                  "CA" + uuid.uuid4().hex, "CallStatus": status,
                  "Called": to, "Caller": from_, "Direction": "inbound", "From": from_, "To": to, **extra}
        return self.post_webhook(webhook_url, params)

    async def ainbound(self, webhook_url: str, from_: str, to: str, body: str, **extra: str) -> tuple[int, bytes]:
        """inbound() for async tests (the app may be served from the test's event loop)."""
        return await asyncio.to_thread(self.inbound, webhook_url, from_, to, body, **extra)

    async def ainbound_call(self, webhook_url: str, from_: str, to: str, **kwargs: str) -> tuple[int, bytes]:
        return await asyncio.to_thread(self.inbound_call, webhook_url, from_, to, **kwargs)

    async def apost_webhook(self, url: str, params: dict[str, str]) -> tuple[int, bytes]:
        return await asyncio.to_thread(self.post_webhook, url, params)

    def post_webhook(self, url: str, params: dict[str, str]) -> tuple[int, bytes]:
        """POSTs form `params` to `url` signed with X-Twilio-Signature, as Twilio
        calls an app; returns (HTTP status, body)."""
        return self._post_form(url, params)

    # ------------------------------------------------------------- inspection
    def messages(self, to: str | None = None) -> list[SmsMessage]:
        """Messages created through the API, oldest first."""
        with self._cond:
            return [m for m in self._messages.values() if to is None or m.to == to]

    def message(self, sid: str) -> SmsMessage:
        with self._cond:
            return self._messages[sid]

    @property
    def calls(self) -> list[dict]:
        with self._cond:
            return list(self._calls.values())

    @property
    def callbacks(self) -> list[StatusCallback]:
        return self._callback_log.all()

    @property
    def requests(self) -> list[tuple[str, str, dict]]:
        """Every API request seen: (HTTP method, path, params)."""
        with self._cond:
            return list(self._requests)

    def _message_matcher(self, predicate, to, status) -> Callable[[SmsMessage], bool]:
        return lambda m: ((to is None or m.to == to) and (status is None or m.status == status)
                          and (predicate is None or predicate(m)))

    def wait_for(self, predicate: Callable[[SmsMessage], bool] | None = None, *, to: str | None = None,
                 status: str | None = None, timeout: float = 5.0, count: int = 1) -> list[SmsMessage]:
        """Blocks until `count` messages match (their status is re-checked as it
        changes); returns the oldest `count` matching ones. Messages are states,
        not events: a later wait_for may return the same message again."""
        return self._message_log.wait_for(self._message_matcher(predicate, to, status), timeout=timeout,
                                          count=count, what=f"message(s) to={to} status={status}")

    async def await_for(self, predicate: Callable[[SmsMessage], bool] | None = None, *, to: str | None = None,
                        status: str | None = None, timeout: float = 5.0, count: int = 1) -> list[SmsMessage]:
        return await self._message_log.await_for(self._message_matcher(predicate, to, status), timeout=timeout,
                                                 count=count, what=f"message(s) to={to} status={status}")

    def wait_for_callback(self, predicate: Callable[[StatusCallback], bool] | None = None, *,
                          timeout: float = 5.0, count: int = 1) -> list[StatusCallback]:
        return self._callback_log.wait_for(predicate or (lambda c: True), timeout=timeout, count=count,
                                           what="status callback(s)")

    # ------------------------------------------------------------- dispatching
    def handle(self, http_method: str, path: str, query: str, headers: Any, body: bytes) -> tuple[int, Any, bool]:
        """Serves one request: (HTTP status, JSON payload, drop the connection)."""
        form = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True) if body else []
        query_pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        with self._cond:
            self._requests.append((http_method, path, dict(form or query_pairs)))
        for pattern, method, operation in self.routes:
            match = pattern.match(path)
            if match and method == http_method:
                break
        else:
            return 404, TwilioError(404, 20404, f"The requested resource {path} was not found").payload(), False
        try:
            self._authenticate(headers, match.groupdict().get("AccountSid"), path)
            with self._cond:
                fault = self._faults.pop(0) if self._faults else None
            if fault:
                raise TwilioError(fault.status, fault.code, fault.message)
            op = operation["operation_id"]
            handler = getattr(self, f"_op_{op}", None)
            if handler is None:
                raise TwilioError(501, None, f"{op} is not implemented by the test server")
            params: dict[str, Any] = {}
            for key, value in form:
                if key in operation["form"]:
                    params.setdefault(key, []).append(value)
            flat = {k: v[0] if len(v) == 1 else v for k, v in params.items()}
            query_params = {k: v for k, v in query_pairs if k in operation["query"]}
            for name in operation["required"]:
                if not flat.get(name):
                    raise self._missing(name)
            status, payload = handler(match.groupdict(), flat, query_params, path, query)
        except TwilioError as error:
            return error.status, error.payload(), False
        if op == "CreateMessage":
            with self._cond:
                hang = self._hangs.pop(0) if self._hangs else 0.0
                if self._crashes:
                    self._crashes -= 1
                    return 0, None, True  # recorded and will be sent; the answer is lost
            if hang:
                time.sleep(hang)  # this request's thread only: the server goes on answering others
        return status, payload, False

    def _authenticate(self, headers: Any, account_sid: str | None, path: str) -> None:
        auth = headers.get("Authorization", "")
        try:
            scheme, encoded = auth.split(" ", 1)
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            scheme, user, password = "", "", ""
        if scheme.lower() != "basic" or user != self.account_sid or password != self.auth_token:
            raise TwilioError(401, 20003, "Authenticate", detail="Your AccountSid or AuthToken was incorrect.")
        if account_sid is not None and account_sid != self.account_sid:
            raise TwilioError(404, 20404, f"The requested resource {path} was not found")

    @staticmethod
    def _missing(name: str) -> TwilioError:
        codes = {"To": (21604, "A 'To' phone number is required."),
                 "From": (21603, "A 'From' phone number is required."),
                 "Url": (21205, "Url parameter is required.")}
        code, message = codes.get(name, (20001, f"Missing required parameter {name} in the post body"))
        return TwilioError(400, code, message)

    # --------------------------------------------------------------- Messages
    def _message_uri(self, sid: str) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"

    def _op_CreateMessage(self, path_params: dict, params: dict, query: dict, path: str, qs: str):
        to = params["To"]
        number = to.split(":", 1)[1] if to.startswith("whatsapp:") else to
        if not _E164.match(number):
            raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {to}")
        from_, service = params.get("From"), params.get("MessagingServiceSid")
        if not from_ and not service:
            raise TwilioError(400, 21603, "A 'From' phone number is required.")
        if service and not re.fullmatch(r"MG[0-9a-fA-F]{32}", service):
            raise TwilioError(400, 21701, f"The Messaging Service Sid {service} is invalid.")
        if from_:
            plain_from = from_.split(":", 1)[1] if from_.startswith("whatsapp:") else from_
            alphanumeric = re.fullmatch(r"[A-Za-z0-9 ]{1,11}", plain_from) and not plain_from.isdigit()
            if not (_E164.match(plain_from) or alphanumeric) or (
                    self.numbers is not None and _E164.match(plain_from) and plain_from not in self.numbers):
                raise TwilioError(400, 21606, f"The From phone number {from_} is not a valid, SMS-capable "
                                              "inbound phone number or short code for your account.")
            if plain_from == number:
                raise TwilioError(400, 21266, "'To' and 'From' number cannot be the same")
        body = params.get("Body", "")
        media = params.get("MediaUrl") or []
        media = media if isinstance(media, list) else [media]
        if not body and not media and not params.get("ContentSid"):
            raise TwilioError(400, 21602, "Message body is required.")
        if len(body) > 1600:
            raise TwilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        callback = params.get("StatusCallback")
        if callback and not urllib.parse.urlsplit(callback).hostname:
            raise TwilioError(400, 21609, f"Invalid StatusCallback url: {callback}")
        with self._cond:
            if number in self._opted_out:
                raise TwilioError(400, 21610, "Attempt to send to unsubscribed recipient")
            sid = "SM" + uuid.uuid4().hex
            now = rfc2822(_now())
            resource = {
                "account_sid": self.account_sid, "api_version": "2010-04-01", "body": body,
                "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
                "error_code": None, "error_message": None, "from": from_ or None,
                "messaging_service_sid": service or None, "num_media": str(len(media)),
                "num_segments": str(segments(body)), "price": None, "price_unit": "USD", "sid": sid,
                "status": "accepted" if service else "queued",
                "subresource_uris": {"media": self._message_uri(sid).replace(".json", "/Media.json"),
                                     "feedback": self._message_uri(sid).replace(".json", "/Feedback.json")},
                "to": to, "uri": self._message_uri(sid),
            }
            message = SmsMessage(resource, callback, self._outcomes.get(number, ("delivered", None)))
            if self.delivery_delay is not None:
                message.next_step_at = time.monotonic() + self.delivery_delay
            self._messages[sid] = message
            self._message_log.add(message)
            return 201, dict(resource)

    def _fetch_message(self, sid: str, path: str) -> SmsMessage:
        message = self._messages.get(sid)
        if message is None:
            raise TwilioError(404, 20404, f"The requested resource {path} was not found")
        return message

    def _op_FetchMessage(self, path_params: dict, params: dict, query: dict, path: str, qs: str):
        with self._cond:
            return 200, dict(self._fetch_message(path_params["Sid"], path).resource)

    def _op_UpdateMessage(self, path_params: dict, params: dict, query: dict, path: str, qs: str):
        """Body="" redacts a message; Status=canceled cancels a scheduled/queued one."""
        with self._cond:
            message = self._fetch_message(path_params["Sid"], path)
            if params.get("Status") == "canceled":
                if message.status not in ("queued", "accepted", "scheduled"):
                    raise TwilioError(400, 30409, "Message cannot be canceled")
                message.resource["status"] = "canceled"
            if "Body" in params:
                message.resource["body"] = params["Body"]
            message.resource["date_updated"] = rfc2822(_now())
            self._cond.notify_all()
            return 200, dict(message.resource)

    def _op_ListMessage(self, path_params: dict, params: dict, query: dict, path: str, qs: str):
        def matches(resource: dict) -> bool:
            if "To" in query and resource["to"] != query["To"]:
                return False
            if "From" in query and resource["from"] != query["From"]:
                return False
            sent = resource["date_sent"]
            for key in ("DateSent", "DateSent<", "DateSent>"):
                if key not in query:
                    continue
                if sent is None:
                    return False
                day = email.utils.parsedate_to_datetime(sent).astimezone(dt.timezone.utc).date()
                bound = _parse_date_filter(query[key])
                if (key == "DateSent" and day != bound) or (key == "DateSent<" and day > bound) \
                        or (key == "DateSent>" and day < bound):
                    return False
            return True

        with self._cond:
            # newest first, as Twilio lists
            found = [dict(m.resource) for m in reversed(list(self._messages.values())) if matches(m.resource)]
        return 200, self._page(found, "messages", path, query)

    def _page(self, items: list[dict], key: str, path: str, query: dict) -> dict:
        try:
            page_size = int(query.get("PageSize", 50))
            page = int(query.get("Page", 0))
        except ValueError:
            raise TwilioError(400, 20001, "Invalid paging parameter")
        if not 1 <= page_size <= 1000:
            raise TwilioError(400, 20001, "PageSize must be between 1 and 1000")
        start = 0
        token = query.get("PageToken")
        if token:
            # the token names the last item of the previous page ("PA" + sid)
            last = token[2:]
            sids = [item["sid"] for item in items]
            start = sids.index(last) + 1 if last in sids else len(items)
        elif page:
            start = page * page_size
        chunk = items[start:start + page_size]
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def uri(page_number: int, page_token: str | None = None) -> str:
            parts = dict(filters, PageSize=page_size, Page=page_number)
            if page_token:
                parts["PageToken"] = page_token
            return f"{path}?{urllib.parse.urlencode(parts)}"

        has_next = start + page_size < len(items)
        return {
            key: chunk,
            "end": start + len(chunk) - 1 if chunk else start,
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1, "PA" + chunk[-1]["sid"]) if has_next and chunk else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
            "start": start,
            "uri": uri(page, token),
        }

    # ------------------------------------------------------------------ Calls
    def _op_CreateCall(self, path_params: dict, params: dict, query: dict, path: str, qs: str):
        if not (params.get("Url") or params.get("Twiml") or params.get("ApplicationSid")):
            raise TwilioError(400, 21205, "Url parameter is required.")
        for name in ("To", "From"):
            number = params[name]
            if not (_E164.match(number) or number.startswith(("client:", "sip:"))):
                raise TwilioError(400, 13223 if name == "To" else 13214,
                                  "Dial: Invalid phone number format" if name == "To" else "Invalid From number")
        with self._cond:
            if self.numbers is not None and params["From"] not in self.numbers:
                raise TwilioError(400, 21210, f"The source phone number provided, {params['From']}, "
                                              "is not yet verified for your account.")
            sid = "CA" + uuid.uuid4().hex
            now = rfc2822(_now())
            uri = f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json"
            resource = {
                "account_sid": self.account_sid, "annotation": None, "answered_by": None, "api_version": "2010-04-01",
                "caller_name": None, "date_created": now, "date_updated": now, "direction": "outbound-api",
                "duration": None, "end_time": None, "forwarded_from": None, "from": params["From"],
                "from_formatted": params["From"], "group_sid": None, "parent_call_sid": None,
                "phone_number_sid": None, "price": None, "price_unit": "USD", "queue_time": "0", "sid": sid,
                "start_time": None, "status": "queued", "to": params["To"], "to_formatted": params["To"],
                "trunk_sid": None, "uri": uri,
                "subresource_uris": {"recordings": uri.replace(".json", "/Recordings.json"),
                                     "notifications": uri.replace(".json", "/Notifications.json")},
                # what the call would do, kept for tests (not part of Twilio's resource)
            }
            self._calls[sid] = dict(resource, _request={k: params.get(k) for k in ("Url", "Twiml", "StatusCallback")})
            return 201, resource

    def _op_FetchCall(self, path_params: dict, params: dict, query: dict, path: str, qs: str):
        with self._cond:
            call = self._calls.get(path_params["Sid"])
            if call is None:
                raise TwilioError(404, 20404, f"The requested resource {path} was not found")
            return 200, {k: v for k, v in call.items() if not k.startswith("_")}

    def _op_ListCall(self, path_params: dict, params: dict, query: dict, path: str, qs: str):
        with self._cond:
            found = [{k: v for k, v in c.items() if not k.startswith("_")} for c in reversed(list(self._calls.values()))
                     if all(c.get(k.lower()) == v for k, v in query.items() if k in ("To", "From", "Status"))]
        return 200, self._page(found, "calls", path, query)

    # -------------------------------------------------------- delivery steps
    def _step(self, message: SmsMessage) -> bool:
        """One lifecycle step under the lock; False when already final."""
        resource = message.resource
        status = resource["status"]
        final, error_code = message.outcome
        if status in _FINAL:
            return False
        now = _now()
        if status == "accepted":
            resource["status"] = "queued"
            resource["from"] = resource["from"] or (self.numbers[0] if self.numbers else SERVICE_NUMBER)
        elif status == "queued":
            if final == "failed":
                resource["status"] = "failed"
                resource["error_code"] = error_code
                resource["error_message"] = _ERROR_MESSAGES.get(error_code or 0)
            else:
                resource["status"] = "sending"
        elif status == "sending":
            resource["status"] = "sent"
            resource["date_sent"] = rfc2822(now)
            resource["price"] = f"-{0.0079 * int(resource['num_segments']):.5f}"
        elif status == "sent":
            resource["status"] = final
            if final == "undelivered":
                resource["error_code"] = error_code
                resource["error_message"] = _ERROR_MESSAGES.get(error_code or 0)
        resource["date_updated"] = rfc2822(now)
        if self.delivery_delay is not None:
            message.next_step_at = time.monotonic() + self.delivery_delay
        self._cond.notify_all()
        return True

    def _callback_for(self, message: SmsMessage) -> tuple[str, dict[str, str]] | None:
        if not message.status_callback:
            return None
        resource = message.resource
        params = {
            "AccountSid": self.account_sid, "ApiVersion": "2010-04-01", "From": resource["from"] or "",
            "MessageSid": resource["sid"], "MessageStatus": resource["status"], "SmsSid": resource["sid"],
            "SmsStatus": resource["status"], "To": resource["to"],
        }
        if resource["messaging_service_sid"]:
            params["MessagingServiceSid"] = resource["messaging_service_sid"]
        if resource["error_code"]:
            params["ErrorCode"] = str(resource["error_code"])
        if resource["status"] == "delivered":
            params["RawDlrDoneDate"] = _now().strftime("%y%m%d%H%M")
        return message.status_callback, params

    def _post_form(self, url: str, params: dict[str, str]) -> tuple[int, bytes]:
        signature = sign(url, params, self.auth_token)
        parsed = urllib.parse.urlsplit(url)
        conn_class = http.client.HTTPSConnection if parsed.scheme == "https" else http.client.HTTPConnection
        path = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
        conn = conn_class(parsed.hostname, parsed.port, timeout=10)
        try:
            conn.request("POST", path, body=urllib.parse.urlencode(params), headers={
                "Content-Type": "application/x-www-form-urlencoded", SIGNATURE_HEADER: signature,
                "User-Agent": "TwilioProxy/1.1", "I-Twilio-Idempotency-Token": uuid.uuid4().hex})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def _post_callback(self, url: str, params: dict[str, str]) -> None:
        try:
            status, _ = self._post_form(url, params)
        except OSError:
            status = None  # Twilio does not retry status callbacks by default
        self._callback_log.add(StatusCallback(url, params, sign(url, params, self.auth_token), status))

    def _tick(self) -> None:
        """With delivery_delay: advances each message one step per delay."""
        while True:
            with self._cond:
                if self._stopping:
                    return
                now = time.monotonic()
                due = [m for m in self._messages.values()
                       if m.status not in _FINAL and m.next_step_at is not None and m.next_step_at <= now]
                callbacks = [self._callback_for(m) for m in due if self._step(m)]
                if not due:
                    pending = [m.next_step_at for m in self._messages.values()
                               if m.status not in _FINAL and m.next_step_at is not None]
                    self._cond.wait(max(min(pending) - now, 0.001) if pending else 0.5)
            for callback in callbacks:
                if callback:
                    self._post_callback(*callback)


class _TwilioHandler(QuietHandler):
    owner: TwilioServer

    def _serve(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        body = read_body(self)
        status, payload, drop = self.owner.handle(self.command, parsed.path, parsed.query, self.headers, body)
        if drop:
            self.drop_connection()
            return
        headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if status == 401 else {}
        if status == 429:
            headers["Retry-After"] = "1"
        self.send_json(status, payload, headers)

    do_GET = _serve
    do_POST = _serve
    do_DELETE = _serve
