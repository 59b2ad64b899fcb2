"""`qm chat` on a fresh SQLite database: created, migrated and seeded on first start."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _qm(args, env, stdin=""):
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_console_on_a_new_sqlite_database(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'qm.sqlite3'}"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    out = _qm(["chat", "--role", "sales"], env, "/help\n/nonsense\n/quit\n")
    assert out.returncode == 0, out.stderr
    assert "console-sales" in out.stdout and "/help" in out.stdout
    assert "don't know the command /nonsense" in out.stdout
    assert (tmp_path / "qm.sqlite3").exists()
    again = _qm(["demo", "seed"], env)
    assert "already has customers" in again.stdout  # seeded on first start


def test_run_without_token_says_so_and_opens_the_console(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'qm.sqlite3'}"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    out = _qm(["run"], env, "/help\n")
    assert out.returncode == 0, out.stderr
    assert "No TELEGRAM_BOT_TOKEN configured" in out.stdout
    assert "administrator" in out.stdout


def test_invite_prints_a_code(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'qm.sqlite3'}"}
    out = _qm(["invite", "--role", "warehouse"], env)
    code = out.stdout.splitlines()[0]
    assert out.returncode == 0 and len(code) == 10 and code.isalnum()
    bad = _qm(["invite", "--role", "boss"], env)
    assert bad.returncode != 0 and "invalid choice" in bad.stderr


def test_typed_numbers_are_answers_and_hash_numbers_press_the_latest_buttons(tmp_path):
    import io

    from bot.console.repl import NoSuchButton, render, to_inbound
    from bot.dialogue.messages import Attachment, Button, Reply

    out = io.StringIO()
    shown = render([Reply("Finish?", [[Button("Finish count", "count_done:"), Button("Open", "", web_app="https://x")]]),
                    Reply("Invoice", attachments=[Attachment("document", "../INV-1.pdf", b"%PDF-1.4")])],
                   out=out, attachments=tmp_path / "att")
    assert "[#1] Finish count" in out.getvalue() and "Open" not in out.getvalue()
    assert to_inbound("1", "me", shown, "en").kind == "text"  # a quantity, never the button
    pressed = to_inbound("#1", "me", shown, "en")
    assert pressed.kind == "callback" and pressed.callback == "count_done:"
    with pytest.raises(NoSuchButton):
        to_inbound("#2", "me", shown, "en")
    saved = list((tmp_path / "att").iterdir())
    assert len(saved) == 1 and saved[0].name.endswith("-INV-1.pdf") and saved[0].read_bytes() == b"%PDF-1.4"
    assert str(saved[0]) in out.getvalue()  # the path is printed
