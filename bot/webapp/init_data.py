"""Telegram Mini App initData: checked the way Telegram documents it
(core.telegram.org/bots/webapps, "Validating data received via the Mini App").

The page gets a signed query string from Telegram; the server recomputes its
HMAC-SHA256 with a key derived from the bot token, so only Telegram (which
knows the token) could have made it, and refuses it once it is older than the
configured age, so a copied string stops working."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl


class InitDataError(ValueError):
    """initData that is missing, forged, tampered with or too old."""


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    language_code: str | None
    auth_date: int


def _secret(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The initData Telegram would hand the page for these fields (tests and tools make it this way)."""
    from urllib.parse import urlencode

    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    digest = hmac.new(_secret(bot_token), check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def verify(init_data: str, bot_token: str, *, max_age_s: int, now: float | None = None) -> WebAppUser:
    if not bot_token:  # a key derived from no token is a key anyone can compute
        raise InitDataError("no bot token configured")
    if not init_data or len(init_data) > 4096:
        raise InitDataError("no initData")
    pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=False)
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("a field given twice")
    given = fields.pop("hash", "")
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    expected = hmac.new(_secret(bot_token), check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given, expected):
        raise InitDataError("signature does not match")
    try:
        auth_date = int(fields.get("auth_date", ""))
        user = json.loads(fields.get("user", ""))
        user_id = int(user["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InitDataError("signed, but without auth_date or user") from exc
    age = (time.time() if now is None else now) - auth_date
    if age > max_age_s or age < -60:
        raise InitDataError("too old")
    return WebAppUser(id=user_id, first_name=str(user.get("first_name", "")), language_code=user.get("language_code"),
                      auth_date=auth_date)
