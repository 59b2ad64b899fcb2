"""End to end through the Telegram test server: when the assistant is unsure it offers its
likeliest readings as buttons; the one pressed carries on with the original message (its
product code answered at once, nothing asked again) and the choice is kept for retraining."""
from __future__ import annotations

import json

import pytest

from .fakes.telegram_server import TelegramServer
from .qm_process import TOKEN, QmRun, qm, qm_env


@pytest.fixture
def telegram():
    with TelegramServer(token=TOKEN) as server:
        yield server


def _buttons(call) -> list[str]:
    return [b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


async def test_a_clarification_button_carries_on_with_the_original_message(telegram, database_url, tmp_path):
    # every free-text message counts as unsure here, so the buttons always come
    env = qm_env(database_url, telegram, QM_NLU__ASK_BELOW="1.01")
    qm(["demo", "seed"], env)
    code = qm(["invite", "--role", "warehouse"], env).stdout.splitlines()[0]
    with QmRun(env, tmp_path / "qm.log"):
        telegram.send_text(7001, f"/start {code}", first_name="Georgi")
        await telegram.await_for(chat_id=7001, method="sendMessage", timeout=60)

        telegram.send_text(7001, "how many WID-001 do we have")
        [ask] = await telegram.await_for(lambda c: "not sure" in (c.text or ""), chat_id=7001, method="sendMessage", timeout=60)
        offered = _buttons(ask)
        assert "intent:check_stock" in offered and 3 <= len(offered) <= 4 and offered[-1] == "intent:"

        telegram.press_button(7001, ask, "intent:check_stock")
        [answer] = await telegram.await_for(lambda c: "WID-001" in (c.text or "") or "Blue widget" in (c.text or ""),
                                            chat_id=7001, timeout=60)
        assert "Which product" not in answer.text  # the code in the first message was used, not asked for again

        # "Neither" keeps nothing and asks for other words
        telegram.send_text(7001, "bin A-01-02 has 37 blue widgets")
        [ask2] = await telegram.await_for(lambda c: "not sure" in (c.text or ""), chat_id=7001, method="sendMessage", timeout=60)
        telegram.press_button(7001, ask2, "intent:")
        await telegram.await_for(lambda c: "other words" in (c.text or ""), chat_id=7001, timeout=60)

    exported = qm(["corrections"], env).stdout.splitlines()
    assert [json.loads(line) for line in exported] == [{"text": "how many WID-001 do we have", "intent": "check_stock", "lang": "en"}]

    # the names snapshot qm parse can use without a database
    names = json.loads(qm(["names"], env).stdout)
    assert ["ACME Ltd."] in names["customer"] and any(p[0] == "Blue widget" and "синий виджет" in p for p in names["product"])
