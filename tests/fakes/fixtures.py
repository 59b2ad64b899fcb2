"""pytest fixtures for the fake services. Use from a conftest.py with
`pytest_plugins = ["tests.fakes.fixtures"]`, or import the fixtures by name.

    telegram_server  a started TelegramServer (fresh per test)
    twilio_server    a started TwilioServer owning TWILIO_NUMBER, steps on demand
    fake_env         both servers' settings variables set with monkeypatch
"""
from __future__ import annotations

import pytest

from .telegram_server import TelegramServer
from .twilio_server import TwilioServer

TWILIO_NUMBER = "+15017122661"


@pytest.fixture
def telegram_server():
    with TelegramServer() as server:
        yield server


@pytest.fixture
def twilio_server():
    with TwilioServer(numbers=[TWILIO_NUMBER]) as server:
        yield server


@pytest.fixture
def fake_env(monkeypatch, telegram_server, twilio_server):
    """TELEGRAM_* and TWILIO_* pointing at the fakes, for load_settings()."""
    for key, value in {**telegram_server.env(), **twilio_server.env()}.items():
        monkeypatch.setenv(key, value)
    return telegram_server, twilio_server
