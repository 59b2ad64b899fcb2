"""Pieces shared by the fake Telegram and Twilio servers: request body decoding,
a threaded stdlib HTTP server that can be started and stopped from sync or async
tests, and a blocking/async "wait until recorded calls match" helper."""
from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import threading
import time
from dataclasses import dataclass
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl


@dataclass
class UploadedPart:
    """One multipart part that carried a file name: an uploaded file."""

    name: str
    filename: str
    content_type: str
    data: bytes


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """Reads the request body, by Content-Length or chunked transfer coding."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size_line = handler.rfile.readline().strip()
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                # trailer section ends with an empty line
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def decode_form(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, UploadedPart]]:
    """Decodes a form-urlencoded, multipart or JSON body into (fields, files).

    Form fields stay strings (callers decode them by the API's declared types);
    JSON bodies keep their JSON types."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype == "application/json":
        data = json.loads(body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("JSON body must be an object")
        return data, {}
    if ctype == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        fields: dict[str, Any] = {}
        files: dict[str, UploadedPart] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename is not None:
                files[name] = UploadedPart(name, filename, part.get_content_type(), payload)
            else:
                charset = part.get_content_charset() or "utf-8"
                fields[name] = payload.decode(charset)
        return fields, files
    # form-urlencoded (also the default when no content type is given)
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)), {}


class QuietHandler(BaseHTTPRequestHandler):
    """Keep-alive handler without per-request logging or delayed-ACK stalls."""

    protocol_version = "HTTP/1.1"
    # Without this every keep-alive response stalls ~40 ms on delayed ACKs.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def send_bytes(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drop_connection(self) -> None:
        """Closes the socket without answering: the client sees a broken connection."""
        self.close_connection = True
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: forty sends opening connections at once on a loaded
    # machine overflowed it and the client saw a reset (httpx.ReadError), which the real API never does.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a cancelled long poll, a stopped bot) is normal here.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class ServerThread:
    """Runs a ThreadingHTTPServer on 127.0.0.1 in a daemon thread: a free port at the first
    start, the same port again after a stop (a server that went away and came back)."""

    def __init__(self, handler_class: type[BaseHTTPRequestHandler], owner: Any) -> None:
        self._handler_class = handler_class
        self._owner = owner
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    @property
    def port(self) -> int:
        if self._httpd is None and not self._port:
            raise RuntimeError("server not started")
        return self._port

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self) -> None:
        if self._httpd is not None:
            return
        handler = type(self._handler_class.__name__, (self._handler_class,), {"owner": self._owner})
        httpd = _Server(("127.0.0.1", self._port), handler)
        self._httpd = httpd
        self._port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
            name=f"{type(self._owner).__name__}-http",
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None


class Recorder:
    """Thread-safe list of recorded items with blocking and async waits.

    With consume=True (events: bot calls, callbacks) wait_for() hands out each
    item at most once across calls, so successive waits see successive items;
    with consume=False (states: messages whose status changes) it returns the
    first matching items each time. all() sees everything."""

    def __init__(self, cond: threading.Condition, *, consume: bool = True) -> None:
        self._cond = cond
        self._consume = consume
        self._items: list[Any] = []
        self._taken: set[int] = set()

    def add(self, item: Any) -> None:
        with self._cond:
            self._items.append(item)
            self._cond.notify_all()

    def all(self) -> list[Any]:
        with self._cond:
            return list(self._items)

    def clear(self) -> None:
        with self._cond:
            self._items.clear()
            self._taken.clear()

    def wait_for(self, match: Callable[[Any], bool], *, timeout: float, count: int, what: str) -> list[Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [i for i, item in enumerate(self._items) if i not in self._taken and match(item)]
                if len(found) >= count:
                    chosen = found[:count]
                    if self._consume:
                        self._taken.update(chosen)
                    return [self._items[i] for i in chosen]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = "\n  ".join(repr(item) for item in self._items[-10:]) or "(nothing)"
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {count} {what}; "
                        f"{len(found)} matched. Last recorded:\n  {recent}"
                    )
                self._cond.wait(remaining)

    async def await_for(self, match: Callable[[Any], bool], *, timeout: float, count: int, what: str) -> list[Any]:
        # A worker thread keeps the event loop free for the bot under test.
        return await asyncio.to_thread(self.wait_for, match, timeout=timeout, count=count, what=what)
