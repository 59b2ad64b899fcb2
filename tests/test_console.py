"""`qm chat` on a fresh SQLite database: created, migrated and seeded on first start."""
import os
import subprocess
import sys
from pathlib import Path

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
