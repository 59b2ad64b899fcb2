"""End to end: the real `qm run` process, the real python-telegram-bot inside
it, and a local server speaking the Bot API. A person joins with an invite
and gets /help; a stranger gets nothing; the menu is set; webhook mode works."""
from __future__ import annotations

import pytest

from .fakes.telegram_server import TelegramServer
from .qm_process import TOKEN, QmRun, free_port, qm, qm_env


@pytest.fixture
def telegram():
    with TelegramServer(token=TOKEN) as server:
        yield server


def _texts(calls) -> str:
    return "\n".join(c.text or "" for c in calls)


def test_join_with_invite_and_get_help_over_polling(telegram, database_url, tmp_path):
    env = qm_env(database_url, telegram)
    code = qm(["invite", "--role", "sales"], env).stdout.splitlines()[0]
    with QmRun(env, tmp_path / "qm.log"):
        telegram.send_text(5001, "/help", first_name="Stranger")
        assert "invite" in _texts(telegram.wait_for(chat_id=5001, method="sendMessage", timeout=20)).lower()

        telegram.send_text(4242, f"/start {code}", first_name="Maria", language_code="en")
        welcome = _texts(telegram.wait_for(chat_id=4242, method="sendMessage", timeout=20))
        assert "Welcome, Maria" in welcome and "sales rep" in welcome

        telegram.send_text(4242, "/help")
        help_text = _texts(telegram.wait_for(chat_id=4242, method="sendMessage", timeout=20))
        assert "/help" in help_text and "/undo" in help_text

        telegram.send_text(4243, f"/start {code}", first_name="Late")  # the invite works once
        assert "already been used" in _texts(telegram.wait_for(chat_id=4243, method="sendMessage", timeout=20))

        telegram.send_sticker(4242)
        assert "can't use that kind" in _texts(telegram.wait_for(chat_id=4242, method="sendMessage", timeout=20))
        assert any(c["command"] == "help" for c in telegram.commands)
        mine = [c["command"] for c in telegram.commands_for({"type": "chat", "chat_id": 4242})]
        assert "order" in mine and "overdue" in mine  # a sales rep's menu
        assert "order" not in [c["command"] for c in telegram.commands]  # not in everyone's


def test_webhook_mode_checks_the_secret(telegram, database_url, tmp_path):
    port = free_port()
    env = qm_env(database_url, telegram, QM_HTTP_PORT=str(port),
                 TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram", TELEGRAM_WEBHOOK_SECRET="hook_secret_1")
    code = qm(["invite", "--role", "warehouse"], env).stdout.splitlines()[0]
    with QmRun(env, tmp_path / "qm.log") as proc:
        # Telegram is brought up in the background once the process serves: wait for the registration
        [hook] = telegram.wait_for(method="setWebhook", timeout=20)
        assert hook.params["secret_token"] == "hook_secret_1"
        telegram.send_text(777, f"/start {code}", first_name="Georgi")
        assert "warehouse" in _texts(telegram.wait_for(chat_id=777, method="sendMessage", timeout=20))
        import httpx

        forged = httpx.post(f"http://127.0.0.1:{proc.port}/telegram", json={"update_id": 99}, timeout=5)
        assert forged.status_code == 403
