"""The fake Telegram server driven by the real python-telegram-bot client."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from PIL import Image
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    Update,
)
from telegram.error import BadRequest, Conflict, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes import TelegramServer


@pytest.fixture
def server():
    with TelegramServer() as srv:
        yield srv


def build_app(server: TelegramServer) -> Application:
    # Generous pool timeouts: on a loaded CI machine 40 concurrent sends queue for connections.
    return (ApplicationBuilder().token(server.token).base_url(server.base_url)
            .base_file_url(server.base_file_url).connection_pool_size(16).pool_timeout(30).build())


class Polling:
    """Runs a PTB Application in polling mode for the duration of a test."""

    def __init__(self, app: Application):
        self.app = app

    async def __aenter__(self) -> Application:
        await self.app.initialize()
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0, timeout=1)
        return self.app

    async def __aexit__(self, *exc) -> None:
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()


def jpeg(width: int = 640, height: int = 480, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


def seconds(retry_after) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, dt.timedelta) else retry_after


async def test_start_reaches_command_handler_and_text_reaches_message_handler(server):
    app = build_app(server)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"Hello {update.effective_user.first_name}, args={context.args}")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text.upper())

    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with Polling(app):
        server.send_text(1001, "/start deep", first_name="Ann")
        server.send_text(1001, "where is my order")
        first, second = await server.await_for(chat_id=1001, method="sendMessage", count=2)

    assert first.text == "Hello Ann, args=['deep']"
    assert second.text == "WHERE IS MY ORDER"
    # PTB called getMe and deleteWebhook before polling, as against Telegram
    methods = [c.method for c in server.sent()]
    assert methods[:2] == ["getMe", "deleteWebhook"] or set(methods[:2]) == {"getMe", "deleteWebhook"}
    # message ids increase per chat: user 1, bot 2 ... as Telegram numbers a private chat
    ids = [c.result["message_id"] for c in server.sent(chat_id=1001, method="sendMessage")]
    assert ids == sorted(ids) and len(set(ids)) == 2


async def test_command_without_entity_is_not_a_command(server):
    # Telegram marks "/start" only at the start of a word; mid-word text stays plain.
    app = build_app(server)
    seen = []

    async def start(update, context):
        seen.append("command")

    async def text(update, context):
        seen.append("text")
        await update.message.reply_text("ok")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT, text))
    async with Polling(app):
        server.send_text(7, "a/start")
        await server.await_for(chat_id=7, method="sendMessage")
    assert seen == ["text"]


async def test_user_photo_is_downloaded_by_the_bot(server):
    app = build_app(server)
    photo_bytes = jpeg(1024, 768)

    async def on_photo(update: Update, context) -> None:
        largest = update.message.photo[-1]
        file = await largest.get_file()
        data = bytes(await file.download_as_bytearray())
        await update.message.reply_text(f"{len(data)} {largest.width}x{largest.height} {data == photo_bytes}")

    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    async with Polling(app):
        sent = server.send_photo(42, photo_bytes, caption="shelf A3")
        (reply,) = await server.await_for(chat_id=42, method="sendMessage")

    assert reply.text == f"{len(photo_bytes)} 1024x768 True"
    widths = [size["width"] for size in sent["photo"]]
    assert widths == sorted(widths) and widths[-1] == 1024 and len(widths) > 1
    # the download URL carried the token with its colon percent-encoded, and still worked
    assert [c.method for c in server.sent(method="getFile")] == ["getFile"]


async def test_bot_uploads_are_recorded_and_can_be_fetched_back(server):
    app = build_app(server)
    server.send_text(5, "hi")  # the chat becomes known
    async with app:
        photo_msg = await app.bot.send_photo(5, photo=jpeg(300, 200), caption="<b>label</b>", parse_mode="HTML")
        doc_msg = await app.bot.send_document(5, document=b"sku,qty\nA1,3\n", filename="report.csv")
        assert photo_msg.caption == "label" and photo_msg.caption_entities[0].type == "bold"
        assert doc_msg.document.file_name == "report.csv"
        assert doc_msg.document.mime_type == "text/csv"
        again = await app.bot.get_file(doc_msg.document.file_id)
        assert bytes(await again.download_as_bytearray()) == b"sku,qty\nA1,3\n"
        photo_file = await app.bot.get_file(photo_msg.photo[-1].file_id)
        assert bytes(await photo_file.download_as_bytearray()) == server.uploaded_files[0].data

    uploads = server.uploaded_files
    assert [(f.kind, f.filename) for f in uploads] == [("photo", uploads[0].filename), ("document", "report.csv")]
    assert Image.open(io.BytesIO(uploads[0].data)).size == (300, 200)
    assert [c.method for c in server.sent(chat_id=5)] == ["sendPhoto", "sendDocument"]
    assert server.sent(method="sendDocument")[0].files["document"].data == b"sku,qty\nA1,3\n"


async def test_inline_button_press_and_edit(server):
    app = build_app(server)

    async def menu(update, context):
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Confirm", callback_data="confirm:17")]])
        await update.message.reply_text("Order 17?", reply_markup=keyboard)

    async def pressed(update: Update, context):
        await update.callback_query.answer("Done")
        await update.callback_query.edit_message_text(f"Confirmed by {update.effective_user.first_name}")

    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(pressed))
    async with Polling(app):
        server.send_text(9, "/menu")
        (menu_call,) = await server.await_for(chat_id=9, method="sendMessage")
        update = server.press_button(9, menu_call, "confirm:17")
        (edit,) = await server.await_for(chat_id=9, method="editMessageText")

    assert server.callback_answer(update["callback_query"]["id"])["text"] == "Done"
    current = server.message(9, menu_call.result["message_id"])
    assert current["text"] == "Confirmed by Ann" and "reply_markup" not in current and "edit_date" in current
    with pytest.raises(ValueError):
        server.press_button(9, menu_call, "no-such-button")


async def test_telegram_errors_reach_the_client_as_ptb_exceptions(server):
    app = build_app(server)
    server.send_text(3, "hi")
    async with app:
        with pytest.raises(BadRequest, match="Chat not found"):
            await app.bot.send_message(999, "nobody")
        with pytest.raises(BadRequest, match="Message text is empty"):
            await app.bot.send_message(3, " ")
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await app.bot.send_message(3, "1 < 2 & <oops>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await app.bot.send_message(3, "Total: 5.", parse_mode="MarkdownV2")
        msg = await app.bot.send_message(3, "Total: 5\\.", parse_mode="MarkdownV2")
        assert msg.text == "Total: 5."
        with pytest.raises(BadRequest, match="Message is not modified"):
            await app.bot.edit_message_text("Total: 5.", chat_id=3, message_id=msg.message_id)

        server.fail_next("sendMessage", 429, retry_after=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RetryAfter) as caught:
                await app.bot.send_message(3, "flood")
            assert seconds(caught.value.retry_after) == 3
        server.fail_next("sendMessage", 500)
        with pytest.raises(NetworkError):
            await app.bot.send_message(3, "server trouble")
        # faults are one-shot: the next call goes through
        assert (await app.bot.send_message(3, "fine")).text == "fine"

        server.drop_next("sendMessage")  # delivered, but the answer is lost
        with pytest.raises(NetworkError):
            await app.bot.send_message(3, "lost answer")
    lost = server.sent(chat_id=3, method="sendMessage")[-1]
    assert lost.ok and lost.result["text"] == "lost answer"


def test_spec_required_parameters_and_http_level_errors(server):
    api = f"{server.base_url}{server.token}"
    server.send_text(3, "hi")
    missing_chat = httpx.post(f"{api}/sendMessage", data={"text": "x"}).json()
    assert missing_chat == {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
    assert httpx.post(f"{api}/sendPhoto", data={"chat_id": "3"}).json()["description"] == \
        "Bad Request: there is no photo in the request"
    # unknown parameters are ignored; JSON bodies work for other clients
    ok = httpx.post(f"{api}/sendMessage", json={"chat_id": 3, "text": "x", "no_such_param": 1}).json()
    assert ok["ok"] and ok["result"]["text"] == "x"
    bad_markup = httpx.post(f"{api}/sendMessage", data={"chat_id": "3", "text": "x", "reply_markup": "{oops"})
    assert bad_markup.json()["description"] == "Bad Request: can't parse reply keyboard markup JSON object"
    bad_id = httpx.post(f"{api}/editMessageText", data={"chat_id": "3", "message_id": "one", "text": "x"})
    assert bad_id.status_code == 400
    assert httpx.post(f"{server.base_url}123:wrong/getMe").status_code == 401
    not_found = httpx.post(f"{api}/sendTelepathy")
    assert not_found.status_code == 404 and not_found.json()["description"] == "Not Found"
    # method names are case-insensitive, as on Telegram
    assert httpx.get(f"{api}/getme").json()["result"]["username"] == "qm_test_bot"


def test_get_updates_offsets_and_long_poll(server):
    api = f"{server.base_url}{server.token}"
    for text in ("one", "two", "three"):
        server.send_text(1, text)
    batch = httpx.post(f"{api}/getUpdates", data={"limit": "2"}).json()["result"]
    assert [u["message"]["text"] for u in batch] == ["one", "two"]
    # unconfirmed updates come again; an offset confirms the earlier ones
    after = httpx.post(f"{api}/getUpdates", data={"offset": str(batch[1]["update_id"] + 1)}).json()["result"]
    assert [u["message"]["text"] for u in after] == ["three"]
    assert httpx.post(f"{api}/getUpdates", data={"offset": "-1"}).json()["result"][0]["message"]["text"] == "three"

    # a long poll waiting on an empty queue answers as soon as an update arrives
    offset = after[0]["update_id"] + 1
    timer = threading.Timer(0.2, server.send_text, args=(1, "late"))
    timer.start()
    waited = httpx.post(f"{api}/getUpdates", data={"offset": str(offset), "timeout": "10"}, timeout=15).json()
    timer.join()
    assert [u["message"]["text"] for u in waited["result"]] == ["late"]


async def test_commands_per_scope_and_language(server):
    app = build_app(server)
    server.send_text(77, "hi")
    async with app:
        await app.bot.set_my_commands([BotCommand("start", "Start"), BotCommand("stock", "Stock levels")])
        await app.bot.set_my_commands([BotCommand("start", "Начать")], language_code="ru")
        await app.bot.set_my_commands([BotCommand("plan", "Replenishment")], scope=BotCommandScopeChat(77))
        assert [c.command for c in await app.bot.get_my_commands()] == ["start", "stock"]
        assert [c.description for c in await app.bot.get_my_commands(language_code="ru")] == ["Начать"]
        assert [c.command for c in await app.bot.get_my_commands(scope=BotCommandScopeChat(77))] == ["plan"]
        await app.bot.delete_my_commands(language_code="ru")
        assert await app.bot.get_my_commands(language_code="ru") == ()
        with pytest.raises(BadRequest):
            await app.bot.set_my_commands([BotCommand("Bad-Name", "x")])
        await app.bot.set_chat_menu_button(chat_id=77, menu_button=MenuButtonCommands())
        assert isinstance(await app.bot.get_chat_menu_button(chat_id=77), MenuButtonCommands)
        assert isinstance(await app.bot.get_chat_menu_button(), MenuButtonCommands)  # the default
    assert server.commands == [{"command": "start", "description": "Start"},
                               {"command": "stock", "description": "Stock levels"}]
    assert server.commands_for({"type": "chat", "chat_id": 77}) == [{"command": "plan", "description": "Replenishment"}]


class _Receiver:
    """A plain HTTP webhook receiver that records what Telegram posts to it."""

    def __init__(self, fail_first: int = 0):
        self.received: list[tuple[dict, dict]] = []
        self.fail_first = fail_first
        self.event = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.event:
                    if receiver.fail_first > 0:
                        receiver.fail_first -= 1
                        self.send_response(500)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    receiver.received.append((dict(self.headers), json.loads(body)))
                    receiver.event.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/telegram"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def wait(self, count: int) -> list[tuple[dict, dict]]:
        with self.event:
            assert self.event.wait_for(lambda: len(self.received) >= count, timeout=5)
            return list(self.received)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


async def test_webhook_mode_posts_updates_with_secret_header(server):
    receiver = _Receiver(fail_first=1)
    app = build_app(server)
    try:
        async with app:
            await app.bot.set_webhook(receiver.url, secret_token="s3cret_token-1")
            server.send_text(11, "/start")
            server.send_text(11, "second")
            received = await asyncio.to_thread(receiver.wait, 2)
            info = await app.bot.get_webhook_info()
            with pytest.raises(Conflict):
                await app.bot.get_updates()
            await app.bot.delete_webhook()
            server.send_text(11, "polled")
            polled = await app.bot.get_updates()
    finally:
        receiver.close()

    headers, first = received[0]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret_token-1"
    updates = [Update.de_json(body, app.bot) for _, body in received]
    assert [u.message.text for u in updates] == ["/start", "second"]
    assert updates[0].message.entities[0].type == "bot_command"
    # the first delivery failed with 500 and was retried, as Telegram does
    assert info.url == receiver.url and "500" in info.last_error_message
    assert [u.message.text for u in polled] == ["polled"]


async def test_wait_for_hands_out_each_call_once(server):
    server.send_text(4, "hi")
    app = build_app(server)
    async with app:
        await app.bot.send_chat_action(4, "typing")
        await app.bot.send_message(4, "a")
        await app.bot.send_message(4, "b")
    assert [c.text for c in server.wait_for(method="sendMessage")] == ["a"]
    assert [c.text for c in server.wait_for(method="sendMessage")] == ["b"]
    assert [c.method for c in server.wait_for(chat_id=4)] == ["sendChatAction"]
    with pytest.raises(AssertionError, match="timed out"):
        server.wait_for(method="sendMessage", timeout=0.1)


async def test_user_media_edits_and_groups_reach_ptb_handlers(server):
    app = build_app(server)

    async def voice(update: Update, context):
        data = await (await update.message.voice.get_file()).download_as_bytearray()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PTB 22 deprecates int durations
            duration = seconds(update.message.voice.duration)
        await update.message.reply_text(f"voice {duration:.0f}s {bytes(data)[:4]!r}")

    async def document(update: Update, context):
        doc = update.message.document
        data = await (await doc.get_file()).download_as_bytearray()
        await update.message.reply_text(f"doc {doc.file_name} {doc.mime_type} {bytes(data).decode()}")

    async def sticker(update: Update, context):
        await update.message.reply_text(f"sticker {update.message.sticker.emoji}")

    async def edited(update: Update, context):
        await update.edited_message.reply_text(f"edited {update.edited_message.text}")

    async def group(update: Update, context):
        await update.message.reply_text(f"group {update.effective_chat.type} {update.message.text}")

    app.add_handler(MessageHandler(filters.VOICE, voice))
    app.add_handler(MessageHandler(filters.Document.ALL, document))
    app.add_handler(MessageHandler(filters.Sticker.ALL, sticker))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.TEXT, group))
    async with Polling(app):
        server.send_voice(21, b"OggS\x00\x02fake-opus", duration=3)
        server.send_document(21, b"EAN;QTY\n123;4\n", "count.csv", "text/csv")
        server.send_sticker(21, emoji="📦")
        original = server.send_text(21, "10 boxes")
        server.edit_text(21, original, "12 boxes")
        server.send_text(22, "/stock@qm_test_bot A1", chat_type="group", chat_id=-100500)
        private = await server.await_for(chat_id=21, method="sendMessage", count=4)
        (in_group,) = await server.await_for(chat_id=-100500, method="sendMessage")

    assert sorted(c.text for c in private) == sorted([
        "voice 3s b'OggS'", "doc count.csv text/csv EAN;QTY\n123;4\n", "sticker 📦", "edited 12 boxes"])
    assert in_group.text == "group group /stock@qm_test_bot A1"
    assert in_group.result["chat"]["type"] == "group"


async def test_blocked_user_and_env(server, monkeypatch):
    from bot.settings import load_settings

    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    app = (ApplicationBuilder().token(settings.telegram.bot_token.get_secret_value())
           .base_url(settings.telegram.api_base_url).base_file_url(settings.telegram.api_file_url).build())
    server.send_text(31, "hi")
    server.block(31)
    async with app:
        from telegram.error import Forbidden

        with pytest.raises(Forbidden, match="blocked"):
            await app.bot.send_message(31, "are you there?")
        assert (await app.bot.get_me()).username == "qm_test_bot"


async def test_concurrent_sends_get_unique_increasing_ids(server):
    server.send_text(8, "hi")
    app = build_app(server)
    async with app:
        sent = await asyncio.gather(*(app.bot.send_message(8, f"line {i}") for i in range(40)))
    ids = sorted(m.message_id for m in sent)
    assert ids == list(range(2, 42))  # the user's message was 1
    assert len(server.sent(chat_id=8, method="sendMessage")) == 40


async def test_flood_limits_answer_429_like_telegram(server):
    server.limit_rate(per_second=None, per_group_per_minute=2)
    server.send_text(12, "hi", chat_type="group", chat_id=-42)
    server.send_text(12, "hi")
    app = build_app(server)
    async with app:
        await app.bot.send_message(-42, "one")
        await app.bot.send_message(-42, "two")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RetryAfter) as caught:
                await app.bot.send_message(-42, "three")
            assert 1 <= seconds(caught.value.retry_after) <= 60
        assert (await app.bot.send_message(12, "private chats are not limited per minute")).message_id
    failed = server.sent(chat_id=-42)[-1]
    assert not failed.ok and failed.error["parameters"]["retry_after"] >= 1


async def test_webhook_with_several_connections_delivers_each_update_once_and_retries_failures():
    receiver = _Receiver(fail_first=3)
    with TelegramServer(webhook_connections=8) as server:
        app = build_app(server)
        try:
            async with app:
                await app.bot.set_webhook(receiver.url)
                for i in range(40):
                    server.send_text(100 + i % 5, f"m{i}")
                received = await asyncio.to_thread(receiver.wait, 40)
                await app.bot.delete_webhook()
        finally:
            receiver.close()
    texts = sorted(body["message"]["text"] for _, body in received)
    assert texts == sorted(f"m{i}" for i in range(40))  # every one, none twice, the failed ones resent
