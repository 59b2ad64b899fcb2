"""Camera scanner benchmark: python -m bench.webapp [--screenshots DIR]

Runs the real `qm run` against the local Bot API server and opens the scanner
page in Debian's Chromium with a fake camera (a video of the pick's labels,
moving, tilted and slightly blurred), then a whole 10-line pick is done from
the page. Printed:

  frames/s       frames the page decoded per second (ZXing-C++ WebAssembly)
  decode ms      time of one decode in the page
  seen->booked   from the first frame that read a code to the server's answer
                 (a code entering the frame adds at most one frame interval)
Baseline in the same run: the photo round trip of today's chat, from sending
a photo of the same label to the bot's reply (Telegram download, decode, reply).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.fakes.telegram_server import TelegramServer
from tests.qm_process import TOKEN, QmRun, free_port, qm, qm_env
from tests.webapp.camera_video import FPS, render, write_y4m
from tests.webapp.scenario import TAP_QUANTITY, build_pick, chromium, init_data, local_page, schedule_for

CHAT = 9901


def pct(values: list[float]) -> str:
    if not values:
        return "n/a"
    q = statistics.quantiles(values, n=100) if len(values) > 1 else [values[0]] * 99
    return f"p50 {q[49]:.0f} / p90 {q[89]:.0f} / p99 {q[98]:.0f} ms (n={len(values)})"


def photo_of(code: str) -> bytes:
    """A phone-sized JPEG of the label: the same code the camera sees, as a photo sent to the chat."""
    import cv2
    import numpy as np

    label = render(code)
    scene = np.full((1200, 1600), 110, np.uint8)
    big = cv2.resize(label, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
    y, x = (1200 - big.shape[0]) // 2, (1600 - big.shape[1]) // 2
    scene[y:y + big.shape[0], x:x + big.shape[1]] = big
    ok, buf = cv2.imencode(".jpg", cv2.GaussianBlur(scene, (3, 3), 0.8), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return buf.tobytes()


def photo_round_trips(server: TelegramServer, pick) -> list[float]:
    """Today's way: photograph the bin, then the product, type the quantity; time each photo's reply."""
    times = []
    start = time.time()
    server.send_text(CHAT, f"/pick {pick.order_number}")
    server.wait_for(lambda c: c.at >= start, chat_id=CHAT, method="sendMessage", timeout=30)
    for (bin_code, product_code), qty in zip(pick.codes, pick.quantities):
        for code in (bin_code, product_code):
            t0 = time.time()
            server.send_photo(CHAT, photo_of(code), first_name="Georgi")
            call = server.wait_for(lambda c, t0=t0: c.at >= t0, chat_id=CHAT, method="sendMessage", timeout=30)[-1]
            times.append((call.at - t0) * 1000)
        t1 = time.time()
        server.send_text(CHAT, str(qty))
        server.wait_for(lambda c, t1=t1: c.at >= t1, chat_id=CHAT, method="sendMessage", timeout=30)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.webapp")
    ap.add_argument("--screenshots", type=Path, help="save the page at each state as PNG files here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, TelegramServer(token=TOKEN) as server:
        tmp = Path(tmp)
        db = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        port = free_port()
        env = qm_env(db, server, QM_HTTP_PORT=str(port), QM_PUBLIC_URL="https://qm.example.test")
        qm(["db", "upgrade"], env)
        camera_pick = asyncio.run(build_pick(db, "7001"))
        photo_pick = asyncio.run(build_pick_more(db))
        code = qm(["invite", "--role", "warehouse"], env).stdout.splitlines()[0]
        with QmRun(env, tmp / "qm.log"):
            server.send_text(CHAT, f"/start {code}", first_name="Georgi")
            server.wait_for(chat_id=CHAT, method="sendMessage", timeout=30)
            server.send_text(CHAT, f"/pick {camera_pick.order_number}")
            url = next(b["web_app"]["url"] for c in server.wait_for(chat_id=CHAT, method="sendMessage", timeout=30)
                       for row in (c.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row if b.get("web_app"))
            video = tmp / "camera.y4m"
            length = write_y4m(video, schedule_for(camera_pick))
            from urllib.parse import quote

            with chromium(video) as browser:
                t0 = time.monotonic()
                browser.get(local_page(url, port) + "#tgWebAppData=" + quote(init_data(CHAT), safe=""))
                shots = args.screenshots
                if shots:
                    shots.mkdir(parents=True, exist_ok=True)
                    time.sleep(1.5)
                    browser.save_screenshot(str(shots / "1-instruction.png"))
                browser.execute_script(TAP_QUANTITY)
                done_at, saved = None, set()
                while time.monotonic() - t0 < 240:
                    stats = browser.execute_script("return window.scannerStats")
                    oks = [c for c in stats["confirmations"] if c["ok"]]
                    if shots and len(oks) == 1 and "scanned" not in saved:
                        browser.save_screenshot(str(shots / "2-bin-scanned.png")); saved.add("scanned")
                    if shots and "qty" not in saved and browser.execute_script(
                            "return !!document.querySelector('#buttons button[data-data^=\"pick_qty:\"]')"):
                        browser.save_screenshot(str(shots / "3-quantity.png")); saved.add("qty")
                    if "is picked" in browser.find_element("id", "instruction").text or any(
                            "is picked" in t for t in [browser.find_element("id", "last").text]):
                        done_at = time.monotonic()
                        break
                    if len(oks) >= 3 * len(camera_pick.codes):
                        done_at = time.monotonic()
                        break
                    time.sleep(0.25)
                stats = browser.execute_script("return window.scannerStats")
                if shots:
                    browser.save_screenshot(str(shots / "4-done.png"))
            if shots:
                with chromium(None) as browser:
                    browser.get(local_page(url, port) + "#tgWebAppData=" + quote(init_data(CHAT), safe=""))
                    time.sleep(3)
                    browser.save_screenshot(str(shots / "5-no-camera.png"))
            photos = photo_round_trips(server, photo_pick)
    elapsed = stats and (time.monotonic() - t0)
    scans = [c for c in stats["confirmations"] if c["ok"] and not c["code"].replace(".", "").isdigit() or len(c["code"]) > 6]
    seen_to_booked = [c["confirmedAt"] - c["seenAt"] for c in stats["confirmations"] if c["ok"] and len(c["code"]) > 6]
    fps = stats["frames"] / ((stats["confirmations"][-1]["confirmedAt"] - stats["started"]) / 1000) if stats["confirmations"] else 0
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; camera video {length:.0f} s at {FPS} fps, looped")
    print(f"camera page: {len(camera_pick.codes)}-line pick {'completed' if done_at else 'NOT completed'} in {elapsed:.1f} s;"
          f" {fps:.1f} frames/s decoded, {stats['decodeMs'] / max(1, stats['frames']):.1f} ms per decode")
    print(f"camera page, code seen -> server booked: {pct(seen_to_booked)}")
    print(f"baseline, photo sent -> bot's reply (today's chat): {pct(photos)}")
    if seen_to_booked and photos:
        print(f"ratio (photo median / camera median): {statistics.median(photos) / statistics.median(seen_to_booked):.1f}x faster per scan")
    return 0 if done_at else 1


async def build_pick_more(db: str):
    """A second order of ten lines in the same bins, for the photo baseline."""
    from tests.webapp.scenario import Pick

    from domain.inventory.reservations import reserve_order
    from domain.models import Customer, Product, SalesOrder, SalesOrderLine, Warehouse
    from sqlmodel import select
    from storage.engine import create_engine, session_factory
    from decimal import Decimal

    engine = create_engine(db)
    try:
        async with session_factory(engine)() as s:
            wh = (await s.exec(select(Warehouse))).first()
            customer = (await s.exec(select(Customer))).first()
            products = (await s.exec(select(Product).order_by(Product.sku))).all()
            order = SalesOrder(number="7002", customer_id=customer.id, warehouse_id=wh.id, status="confirmed")
            s.add(order)
            await s.flush()
            for i, p in enumerate(products, start=1):
                s.add(SalesOrderLine(order_id=order.id, line_no=i, product_id=p.id, quantity=Decimal(1), price=Decimal(1)))
            await s.flush()
            await reserve_order(s, order)
            await s.commit()
    finally:
        await engine.dispose()
    from tests.webapp.scenario import ean13

    return Pick("7002", [(f"MAIN-A-{i:02d}-01", ean13(f"460123400{i:03d}")) for i in range(1, 11)], [1] * 10)


if __name__ == "__main__":
    raise SystemExit(main())
