"""The HTTP server of qm run: health, metrics, and the Telegram webhook's secret check."""
import httpx
import pytest

from bot.http.app import build_http_app

from .dialogue_helpers import make_services


class _FakeTelegramApp:
    """Only what the webhook route touches: a bot for de_json and the update queue."""

    def __init__(self):
        import asyncio

        from telegram import Bot

        self.bot = Bot("123:ABC")
        self.update_queue = asyncio.Queue()


@pytest.fixture
def services(engine, database_url):
    return make_services(engine, database_url, telegram={"webhook_secret": "s3cret_token"})


async def _client(app):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_healthz_reports_database(services):
    async with await _client(build_http_app(services)) as client:
        r = await client.get("/healthz")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "ok" and body["database"] == "ok"
    assert body["parts"]["database"]["status"] == "ok"


async def test_healthz_reports_each_part_and_stays_200_while_a_channel_is_down(services):
    """A load balancer keeps sending SMS and calls to a process whose Telegram is down: 200, and the
    body says which part is degraded."""
    services.health.set("telegram", "retrying", "NetworkError: connection refused", attempts=3)
    services.health.set("twilio", "ok")
    services.health.set("scheduler", "ok", leader=True)
    async with await _client(build_http_app(services)) as client:
        r = await client.get("/healthz")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "degraded"
    assert body["parts"]["telegram"]["status"] == "retrying" and body["parts"]["telegram"]["attempts"] == 3
    assert "connection refused" in body["parts"]["telegram"]["detail"]
    assert body["parts"]["scheduler"] == {"status": "ok", "leader": True, "since": body["parts"]["scheduler"]["since"]}
    services.health.set("telegram", "off")
    async with await _client(build_http_app(services)) as client:
        assert (await client.get("/healthz")).json()["status"] == "ok"  # switched off is not degraded


async def test_healthz_degraded_when_database_is_gone(tmp_path):
    from storage.engine import create_engine

    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    services = make_services(engine, "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    async with await _client(build_http_app(services)) as client:
        r = await client.get("/healthz")
    await engine.dispose()
    assert r.status_code == 503 and r.json()["database"] == "unreachable"
    assert r.json()["status"] == "down" and r.json()["parts"]["database"]["status"] == "down"


async def test_metrics_are_prometheus_text(services):
    async with await _client(build_http_app(services)) as client:
        r = await client.get("/metrics")
    assert r.status_code == 200 and "qm_updates_total" in r.text


async def test_telegram_webhook_needs_the_secret(services):
    tg = _FakeTelegramApp()
    update = {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
                                          "from": {"id": 1, "is_bot": False, "first_name": "A"}, "text": "hi"}}
    async with await _client(build_http_app(services, telegram_app=tg)) as client:
        assert (await client.post("/telegram", json=update)).status_code == 403
        assert (await client.post("/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})).status_code == 403
        assert tg.update_queue.empty()
        ok = await client.post("/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret_token"})
    assert ok.status_code == 200
    assert (await tg.update_queue.get()).message.text == "hi"
