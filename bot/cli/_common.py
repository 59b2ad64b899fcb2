"""Helpers shared by the sub-commands."""
from __future__ import annotations

import logging
import sys

from ..settings import Settings, load_settings


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except Exception as exc:  # pydantic's message names the bad key
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(level=settings.logging.level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "alembic", "twilio.http_client"):  # the twilio client logs every request's headers at INFO
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return settings
