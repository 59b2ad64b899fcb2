"""Starting the real `qm run` process for end-to-end tests and benchmarks."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token_for-local-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qm(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


class QmRun:
    """`qm run` as a child process; stops it with SIGTERM (or kills it) on exit."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env = env
        self.port = int(env["QM_HTTP_PORT"])
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.args = ["run"]

    def start(self, timeout: float = 60, *, wait: bool = True) -> "QmRun":
        """Starts the process; with wait, returns once /healthz answers 200 (the outbox and the
        jobs start earlier, before the language model is loaded)."""
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", *self.args], cwd=ROOT, env=self.env,
                                     stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if not wait:
            return self
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"qm run exited with {self.proc.returncode}:\n{self.log()}")
            try:
                r = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                if r.status_code == 200 and r.json().get("parts", {}).get("nlu", {}).get("status") != "starting":
                    return self  # serving, and every part has started (Telegram may still be connecting)
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop(signal.SIGKILL)  # a test that fails here must not leave the process behind
        raise RuntimeError(f"qm run did not become healthy:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
        finally:
            self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def qm_env(database_url: str, telegram_server, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_", "QM_"))}
    env.update({
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram_server.base_url,
        "TELEGRAM_API_FILE_URL": telegram_server.base_file_url,
        "QM_HTTP_PORT": str(free_port()),
        "QM_DATABASE__DEMO_SEED_ON_FIRST_START": "false",
        "QM_TELEGRAM__POLL_TIMEOUT_S": "1",
    })
    env.update(extra)
    return env


def in_database(url: str, fn):
    """Runs fn(session) against the test database: arranging and checking only, the process does the work."""
    import asyncio

    from storage.engine import create_engine, session_factory

    async def run():
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as s:
                return await fn(s)
        finally:
            await engine.dispose()
    return asyncio.run(run())
