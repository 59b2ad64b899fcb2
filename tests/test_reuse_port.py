"""http.reuse_port: several `qm run` processes listen on one port (the scale-out of bench.e2e --only scale)."""
from __future__ import annotations

import socket

from bot.runtime import _shared_socket
from bot.settings import load_settings

from .qm_process import free_port


def test_two_processes_can_listen_on_one_port_only_when_asked():
    port = free_port()
    shared = load_settings(http={"port": port, "reuse_port": True})
    first, second = _shared_socket(shared)[0], _shared_socket(shared)[0]  # as two processes would
    try:
        assert first.getsockname()[1] == second.getsockname()[1] == port
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # one of them accepts
    finally:
        first.close()
        second.close()
    assert _shared_socket(load_settings(http={"port": port})) is None  # uvicorn binds by itself, alone
