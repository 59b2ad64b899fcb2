"""The fake Twilio server driven by the real twilio 9.13 client."""
from __future__ import annotations

import datetime as dt
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.fakes.twilio_server import TwilioServer
from tests.fakes.twilio_signing import sign, signed_post

SHOP = "+15017122661"
ANN = "+15558675310"
BOB = "+15558675311"


@pytest.fixture
def server():
    with TwilioServer(numbers=[SHOP]) as srv:
        yield srv


@pytest.fixture
def client(server):
    client = Client(server.account_sid, server.auth_token)
    client.api.base_url = server.base_url  # how the project points the client (TWILIO_API_BASE_URL)
    return client


class Receiver:
    """Plain HTTP endpoint recording the form posts it gets (status callbacks, inbound SMS)."""

    def __init__(self):
        self.posts: list[tuple[str, dict, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.posts.append((self.path, dict(self.headers), dict(urllib.parse.parse_qsl(body))))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_create_fetch_and_list_with_the_real_client(server, client):
    created = client.messages.create(to=ANN, from_=SHOP, body="Order 1042 shipped")
    assert created.sid.startswith("SM") and len(created.sid) == 34
    assert created.status == "queued" and created.date_sent is None and created.num_segments == "1"

    server.deliver_all()
    fetched = client.messages(created.sid).fetch()
    assert fetched.status == "delivered" and fetched.body == "Order 1042 shipped"
    assert fetched.date_sent.tzinfo is not None and fetched.price.startswith("-")

    client.messages.create(to=BOB, from_=SHOP, body="for Bob")
    assert [m.sid for m in client.messages.list(to=ANN)] == [created.sid]
    # DateSent> keeps messages sent on or after that (GMT) day; Bob's is not sent yet
    yesterday = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    tomorrow = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    assert [m.sid for m in client.messages.list(date_sent_after=yesterday)] == [created.sid]
    assert client.messages.list(date_sent_after=tomorrow) == []
    assert [m.sid for m in client.messages.list(date_sent=dt.datetime.now(dt.timezone.utc).date())] == [created.sid]


def test_paging_follows_next_page_uri(server, client):
    sids = [client.messages.create(to=ANN, from_=SHOP, body=f"msg {i}").sid for i in range(5)]
    page = client.messages.page(page_size=2)
    assert [m.sid for m in page] == sids[::-1][:2]  # newest first
    assert page.next_page_url.startswith(server.base_url)
    assert [m.sid for m in client.messages.stream(page_size=2)] == sids[::-1]
    assert len(client.messages.list(page_size=2, limit=3)) == 3
    paged = [r for r in server.requests if "PageToken" in r[2]]
    assert paged, "the client followed next_page_uri"


def test_base_url_set_after_the_client_was_used(server):
    client = Client(server.account_sid, server.auth_token)
    messages = client.messages  # the shortcut already built before redirecting
    client.api.base_url = server.base_url
    sid = messages.create(to=ANN, from_=SHOP, body="hi").sid
    assert server.message(sid).body == "hi"


# aiohttp deprecates the BasicAuth the twilio async client still passes
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_async_client(server):
    http_client = AsyncTwilioHttpClient()
    client = Client(server.account_sid, server.auth_token, http_client=http_client)
    client.api.base_url = server.base_url
    try:
        created = await client.messages.create_async(to=ANN, from_=SHOP, body="async hi")
        fetched = await client.messages(created.sid).fetch_async()
        listed = await client.messages.list_async(to=ANN)
    finally:
        await http_client.close()
    assert fetched.body == "async hi" and [m.sid for m in listed] == [created.sid]


def test_twilio_errors_reach_the_client(server, client):
    server.opt_out(BOB)
    with pytest.raises(TwilioRestException) as opted_out:
        client.messages.create(to=BOB, from_=SHOP, body="promo")
    assert opted_out.value.code == 21610 and opted_out.value.status == 400

    server.fail_next(429)
    with pytest.raises(TwilioRestException) as throttled:
        client.messages.create(to=ANN, from_=SHOP, body="x")
    assert throttled.value.status == 429 and throttled.value.code == 20429

    server.fail_next(500, times=2)
    with pytest.raises(TwilioRestException) as broken:
        client.messages.create(to=ANN, from_=SHOP, body="x")
    assert broken.value.status == 500
    with pytest.raises(TwilioException):  # list calls raise the plain base class on 500
        client.messages.list()

    cases = [
        (dict(to=ANN, from_=SHOP), 21602),  # no body
        (dict(to=ANN, body="x"), 21603),  # neither From nor MessagingServiceSid
        (dict(to="12345", from_=SHOP, body="x"), 21211),
        (dict(to=ANN, from_="+15550000000", body="x"), 21606),  # not the account's number
        (dict(to=ANN, from_=SHOP, body="x" * 1601), 21617),
    ]
    for kwargs, code in cases:
        with pytest.raises(TwilioRestException) as error:
            client.messages.create(**kwargs)
        assert error.value.code == code, kwargs
    with pytest.raises(TwilioRestException) as missing:
        client.messages("SM" + "0" * 32).fetch()
    assert missing.value.status == 404 and missing.value.code == 20404
    assert server.messages() == []  # nothing above was accepted

    wrong = Client(server.account_sid, "not-the-token")
    wrong.api.base_url = server.base_url
    with pytest.raises(TwilioRestException) as unauthorized:
        wrong.messages.create(to=ANN, from_=SHOP, body="x")
    assert unauthorized.value.status == 401 and unauthorized.value.code == 20003


def test_status_callbacks_are_signed_like_twilio(server, client, receiver):
    server.set_outcome(BOB, "undelivered", 30003)
    callback_url = f"{receiver.base}/twilio/status?tenant=7"
    ok = client.messages.create(to=ANN, from_=SHOP, body="hello", status_callback=callback_url)
    bad = client.messages.create(to=BOB, from_=SHOP, body="hello", status_callback=callback_url)
    assert receiver.posts == []  # no callback for the initial status

    server.deliver_all()

    validator = RequestValidator(server.auth_token)
    for path, headers, params in receiver.posts:
        assert path == "/twilio/status?tenant=7"
        assert validator.validate(callback_url, params, headers["X-Twilio-Signature"])
        assert not validator.validate(callback_url, dict(params, MessageStatus="forged"),
                                      headers["X-Twilio-Signature"])
    by_sid = {}
    for _, _, params in receiver.posts:
        by_sid.setdefault(params["MessageSid"], []).append(params["MessageStatus"])
    assert by_sid == {ok.sid: ["sending", "sent", "delivered"], bad.sid: ["sending", "sent", "undelivered"]}
    last_bad = [p for _, _, p in receiver.posts if p["MessageSid"] == bad.sid][-1]
    assert last_bad["ErrorCode"] == "30003" and last_bad["AccountSid"] == server.account_sid
    assert client.messages(bad.sid).fetch().error_code == 30003
    assert [c.response_status for c in server.callbacks] == [204] * 6


def test_messaging_service_starts_accepted(server, client, receiver):
    service = "MG" + "a" * 32
    msg = client.messages.create(to=ANN, messaging_service_sid=service, body="hi",
                                 status_callback=f"{receiver.base}/s")
    assert msg.status == "accepted" and msg.from_ is None
    server.advance(msg.sid)
    assert [p["MessageStatus"] for _, _, p in receiver.posts] == ["queued"]
    assert receiver.posts[0][2]["MessagingServiceSid"] == service
    assert client.messages(msg.sid).fetch().from_ == SHOP


def test_crash_after_accept_loses_the_answer_not_the_message(server, client):
    server.crash_after_accept()
    with pytest.raises(requests.exceptions.ConnectionError):  # no Twilio answer at all
        client.messages.create(to=ANN, from_=SHOP, body="exactly once?")
    (recorded,) = server.messages(to=ANN)
    assert recorded.body == "exactly once?"
    # a sender that checks before retrying can see it was accepted
    assert [m.body for m in client.messages.list(to=ANN)] == ["exactly once?"]


def test_delivery_delay_runs_the_lifecycle_by_itself(receiver):
    with TwilioServer(delivery_delay=0.01) as server:
        client = server.client()
        msg = client.messages.create(to=ANN, from_=SHOP, body="auto", status_callback=f"{receiver.base}/cb")
        (done,) = server.wait_for(to=ANN, status="delivered")
        callbacks = server.wait_for_callback(lambda c: c.params["MessageStatus"] == "delivered")
    assert done.sid == msg.sid and callbacks[0].params["MessageSid"] == msg.sid


def test_calls_create_and_fetch(server, client):
    call = client.calls.create(to=ANN, from_=SHOP, url="https://qm.example.com/voice")
    assert call.sid.startswith("CA") and call.status == "queued"
    assert client.calls(call.sid).fetch().to == ANN
    with pytest.raises(TwilioRestException) as error:
        client.calls.create(to=ANN, from_=SHOP)
    assert error.value.code == 21205


def test_inbound_stop_opts_the_sender_out(server, client, receiver):
    status, _ = server.inbound(f"{receiver.base}/sms", ANN, SHOP, "STOP")
    path, headers, params = receiver.posts[0]
    assert status == 204 and params["Body"] == "STOP" and params["From"] == ANN
    assert RequestValidator(server.auth_token).validate(f"{receiver.base}/sms", params,
                                                        headers["X-Twilio-Signature"])
    with pytest.raises(TwilioRestException) as error:
        client.messages.create(to=ANN, from_=SHOP, body="still there?")
    assert error.value.code == 21610
    server.inbound(f"{receiver.base}/sms", ANN, SHOP, "START")
    assert client.messages.create(to=ANN, from_=SHOP, body="welcome back").status == "queued"


def test_sign_matches_twilio_and_signed_post_passes_validation():
    token = "12345"
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
              "From": "+12349013030", "To": "+18005551212"}
    # the worked example of Twilio's webhook security guide
    assert sign(url, params, token) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert sign(url, [("MediaUrl", "b"), ("MediaUrl", "a")], token) == \
        sign(url, {"MediaUrl": ["a", "b"]}, token)


async def test_signed_post_against_an_asgi_app_behind_a_tls_proxy():
    token = "secret-token"
    public = "https://qm.example.com"

    async def sms(request: Request):
        form = await request.form()
        valid = RequestValidator(token).validate(f"{public}{request.url.path}", dict(form),
                                                 request.headers.get("X-Twilio-Signature", ""))
        return PlainTextResponse("ok" if valid else "forbidden", status_code=200 if valid else 403)

    app = Starlette(routes=[Route("/twilio/sms", sms, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://internal") as http:
        good = await signed_post(http, "/twilio/sms", {"From": ANN, "Body": "stock A1?"}, token, public)
        wrong_url = await signed_post(http, "/twilio/sms", {"From": ANN, "Body": "x"}, token)
        wrong_token = await signed_post(http, "/twilio/sms", {"From": ANN}, "other", public)
    assert (good.status_code, wrong_url.status_code, wrong_token.status_code) == (200, 403, 403)


from tests.fakes.fixtures import fake_env, telegram_server, twilio_server  # noqa: E402,F401 - fixtures


def test_settings_from_fake_env_drive_the_client(fake_env):
    from bot.settings import load_settings

    _, twilio = fake_env
    settings = load_settings().twilio
    client = Client(settings.account_sid, settings.auth_token.get_secret_value())
    client.api.base_url = settings.api_base_url
    sid = client.messages.create(to=ANN, from_=settings.from_number, body="from settings").sid
    assert twilio.message(sid).from_ == settings.from_number == twilio.numbers[0]


def test_inbound_call_and_gather_result_are_signed(server, receiver):
    status, _ = server.inbound_call(f"{receiver.base}/twilio/voice", ANN, SHOP, call_sid="CA" + "1" * 32)
    server.inbound_call(f"{receiver.base}/twilio/voice/gather", ANN, SHOP, call_sid="CA" + "1" * 32,
                        status="in-progress", SpeechResult="order status please", Confidence="0.9")
    validator = RequestValidator(server.auth_token)
    (p1, h1, ring), (p2, h2, gather) = receiver.posts
    assert ring["CallStatus"] == "ringing" and ring["Direction"] == "inbound" and ring["From"] == ANN
    assert gather["SpeechResult"] == "order status please" and gather["CallSid"] == ring["CallSid"]
    assert validator.validate(f"{receiver.base}{p1}", ring, h1["X-Twilio-Signature"])
    assert validator.validate(f"{receiver.base}{p2}", gather, h2["X-Twilio-Signature"])


def test_custom_http_client_also_redirects_every_call(server):
    from twilio.http.http_client import TwilioHttpClient

    class LocalTwilio(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            return super().request(method, url.replace("https://api.twilio.com", server.base_url), *args, **kwargs)

    client = Client(server.account_sid, server.auth_token, http_client=LocalTwilio())
    sids = [client.messages.create(to=ANN, from_=SHOP, body=f"m{i}").sid for i in range(3)]
    assert client.messages(sids[0]).fetch().body == "m0"
    assert [m.sid for m in client.messages.stream(to=ANN, page_size=2)] == sids[::-1]
