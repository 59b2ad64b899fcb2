"""The camera scanner inside Telegram, end to end: the real `qm run`, the
Telegram test server, and Debian's Chromium reading barcodes from a fake
camera with the ZXing-C++ WebAssembly reader the project serves."""
from __future__ import annotations

import asyncio
import time
from contextlib import contextmanager

import httpx
import pytest
from sqlmodel import func, select

from domain.models import SalesOrder, SalesOrderLine, StockMove
from storage.engine import create_engine, session_factory

from ..fakes.telegram_server import TelegramServer
from ..qm_process import TOKEN, QmRun, free_port, qm, qm_env
from .camera_video import write_y4m
from .scenario import TAP_QUANTITY, build_pick, chromium, init_data, local_page, schedule_for

CHAT = 8801


@pytest.fixture
def telegram():
    with TelegramServer(token=TOKEN) as server:
        yield server


@contextmanager
def picking(telegram, database_url, tmp_path, language_code: str = "en"):
    """`qm run` on a warehouse with a 10-line order; a worker joined over Telegram has sent /pick.
    Yields (the pick, the HTTP port, the bot's answer to /pick)."""
    pick = asyncio.run(build_pick(database_url))
    port = free_port()
    env = qm_env(database_url, telegram, QM_HTTP_PORT=str(port), QM_PUBLIC_URL="https://qm.example.test")
    code = qm(["invite", "--role", "warehouse"], env).stdout.splitlines()[0]
    with QmRun(env, tmp_path / "qm.log"):
        telegram.send_text(CHAT, f"/start {code}", first_name="Georgi", language_code=language_code)
        telegram.wait_for(chat_id=CHAT, method="sendMessage", timeout=20)
        telegram.send_text(CHAT, f"/pick {pick.order_number}")
        yield pick, port, telegram.wait_for(chat_id=CHAT, method="sendMessage", timeout=20)


def _scanner_url(calls) -> str | None:
    for call in reversed(calls):
        for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("web_app"):
                    return button["web_app"]["url"]
    return None


async def _picked(database_url: str, number: str) -> tuple[list, int, str]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as s:
            order = (await s.exec(select(SalesOrder).where(SalesOrder.number == number))).one()
            lines = (await s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order.id)
                                  .order_by(SalesOrderLine.line_no))).all()
            moves = (await s.exec(select(func.count()).select_from(StockMove).where(StockMove.reason == "pick"))).one()
            return [(l.quantity, l.picked_qty) for l in lines], moves, str(order.status)
    finally:
        await engine.dispose()


def test_a_whole_pick_from_the_camera_page(telegram, database_url, tmp_path):
    with picking(telegram, database_url, tmp_path) as (pick, port, answer):
        url = _scanner_url(answer)
        assert url and url.startswith("https://qm.example.test/webapp/scan?") and "flow=pick" in url

        video = tmp_path / "camera.y4m"
        write_y4m(video, schedule_for(pick))
        with chromium(video) as browser:
            browser.get(local_page(url, port) + "#tgWebAppData=" + _hash_value(init_data(CHAT)))
            assert "A-01-01" in browser.find_element("id", "instruction").text or _wait_text(browser, "A-01-01")
            browser.execute_script(TAP_QUANTITY)
            deadline = time.monotonic() + 150
            while time.monotonic() < deadline:
                lines, _, status = asyncio.run(_picked(database_url, pick.order_number))
                if all(picked == qty for qty, picked in lines):
                    break
                time.sleep(1)
            stats = browser.execute_script("return window.scannerStats")
            assert not stats.get("cameraError"), stats.get("cameraError")

        lines, moves, status = asyncio.run(_picked(database_url, pick.order_number))
        assert [p for _, p in lines] == [q for q, _ in lines], f"picked {lines}; page figures {stats}"
        assert moves == len(lines)
        # the chat followed along: every line confirmed there too, and the end of the pick
        chat = "\n".join(c.params.get("text", "") for c in telegram.sent(chat_id=CHAT, method="sendMessage"))
        for i, qty in enumerate(pick.quantities, start=1):
            assert f"Picked {qty} {'pc' if qty == 1 else 'pcs'} of SKU-{i:02d}." in chat
        assert f"Order {pick.order_number} is picked." in chat
        good = [c for c in stats["confirmations"] if c["ok"]]
        assert len(good) >= 3 * len(lines)  # bin, product and quantity of every line went through the page


def _wait_text(browser, text: str, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in browser.find_element("id", "instruction").text:
            return True
        time.sleep(0.2)
    raise AssertionError(f"the page never showed {text!r}: {browser.find_element('id', 'instruction').text!r}")


def test_forged_old_or_missing_init_data_is_refused_and_changes_nothing(telegram, database_url, tmp_path):
    with picking(telegram, database_url, tmp_path) as (pick, port, _):
        api = f"http://127.0.0.1:{port}/webapp/api/scan"
        bin_code = pick.codes[0][0]
        good = init_data(CHAT)
        forged = good.replace("Georgi", "Mallory")  # the signature no longer matches
        other_person = init_data(CHAT + 1)[:-4] + "0000"
        for data in (forged, other_person, init_data(CHAT, age_s=7200), "", "hash=abc"):
            r = httpx.post(api, json={"initData": data, "flow": "pick", "code": bin_code, "id": "x1"}, timeout=10)
            assert r.status_code == 403, (data, r.text)
        # a page left open for another flow acts on nothing
        r = httpx.post(api, json={"initData": good, "flow": "count", "code": bin_code, "id": "x2"}, timeout=10)
        assert r.status_code == 200 and r.json()["ok"] is False and "step that is over" in " ".join(r.json()["replies"])
        # the genuine page works, and a repeated request (same id) is booked once
        for _ in range(2):
            r = httpx.post(api, json={"initData": good, "flow": "pick", "code": bin_code, "id": "x3"}, timeout=10)
            assert r.status_code == 200
        state = httpx.post(f"http://127.0.0.1:{port}/webapp/api/state", json={"initData": good}, timeout=10).json()
        assert state["flow"] == "pick" and "scan" in state["text"].lower() and "Article 1" in state["text"]
    lines, moves, _ = asyncio.run(_picked(database_url, pick.order_number))
    assert moves == 0 and all(p == 0 for _, p in lines)


def test_without_a_camera_the_page_says_so_and_takes_a_typed_code(telegram, database_url, tmp_path):
    with picking(telegram, database_url, tmp_path, language_code="ru") as (pick, port, answer):
        url = _scanner_url(answer)
        assert "lang=ru" in url
        with chromium(None) as browser:
            theme = _hash_value('{"bg_color":"#17212b","text_color":"#f5f5f5","button_color":"#5288c1"}')
            browser.get(local_page(url, port) + "#tgWebAppData=" + _hash_value(init_data(CHAT, language_code="ru"))
                        + "&tgWebAppThemeParams=" + theme)
            # Telegram's theme colours (a dark theme here) are the page's
            assert browser.execute_script("return getComputedStyle(document.body).backgroundColor") == "rgb(23, 33, 43)"
            deadline = time.monotonic() + 20
            while "nocamera" not in browser.find_element("tag name", "body").get_attribute("class"):
                assert time.monotonic() < deadline, "the page never noticed there is no camera"
                time.sleep(0.2)
            assert "камер" in browser.find_element("id", "status").text.lower()  # told in the person's language
            field = browser.find_element("id", "code")
            field.send_keys(pick.codes[0][0])
            browser.find_element("id", "send").click()
            _wait_text(browser, "Article 1")
        texts = [c.params.get("text", "") for c in telegram.sent(chat_id=CHAT, method="sendMessage")]
        assert any("A-01-01" in t for t in texts[-2:])  # the chat shows the bin confirmed


def _hash_value(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def test_init_data_is_never_accepted_without_a_bot_token():
    from bot.webapp.init_data import InitDataError, sign, verify

    forged = sign({"auth_date": str(int(time.time())), "user": '{"id": 1}'}, "")  # anyone can make this
    with pytest.raises(InitDataError):
        verify(forged, "", max_age_s=3600)
