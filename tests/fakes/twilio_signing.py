"""Twilio request signing for webhook tests: the X-Twilio-Signature header
exactly as Twilio computes it (twilio's own RequestValidator does the math).

    sign("https://qm.example.com/sms", {"From": "+15551230000", "Body": "hi"}, token)

    # Against an app under test (httpx.Client / AsyncClient, e.g. on an ASGI
    # transport, or a base URL string); the signature covers `public_url + path`,
    # the address Twilio would have called (behind a TLS proxy: the https one).
    response = await signed_post(client, "/twilio/sms", params, token, "https://qm.example.com")
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import httpx
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"

Params = Mapping[str, Any] | Iterable[tuple[str, Any]]


class _MultiParams:
    """Form fields with repeated keys, in the shape RequestValidator reads (getall)."""

    def __init__(self, params: Params | None) -> None:
        self._values: dict[str, list[str]] = {}
        if isinstance(params, _MultiParams):
            params = params.pairs()
        items = params.items() if isinstance(params, Mapping) else (params or [])
        for key, value in items:
            values = value if isinstance(value, (list, tuple)) else [value]
            self._values.setdefault(key, []).extend(str(v) for v in values)

    def __iter__(self):
        return iter(self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def getall(self, key: str) -> list[str]:
        return self._values[key]

    def pairs(self) -> list[tuple[str, str]]:
        return [(key, value) for key, values in self._values.items() for value in values]


def sign(url: str, params: Params | None, auth_token: str) -> str:
    """X-Twilio-Signature for a POST of form `params` to `url` (the full URL,
    query string included). Repeated keys may be given as lists or pairs."""
    return RequestValidator(auth_token).compute_signature(url, _MultiParams(params))


def signed_post(
    client_or_url: httpx.Client | httpx.AsyncClient | str,
    path: str,
    params: Params,
    auth_token: str,
    public_url: str | None = None,
) -> Any:
    """POSTs form `params` to `path` with Twilio's signature header.

    With an httpx.AsyncClient this returns the awaitable response; with an
    httpx.Client or a base URL string, the response. The signature is computed
    for `public_url + path` (default: the client's base URL + path)."""
    fields = _MultiParams(params)
    if isinstance(client_or_url, (httpx.Client, httpx.AsyncClient)):
        base = public_url or str(client_or_url.base_url)
    else:
        base = public_url or client_or_url
    headers = {SIGNATURE_HEADER: sign(base.rstrip("/") + path, fields, auth_token)}
    body = fields.pairs()
    if isinstance(client_or_url, (httpx.Client, httpx.AsyncClient)):
        return client_or_url.post(path, data=dict(_group(body)), headers=headers)
    return httpx.post(client_or_url.rstrip("/") + path, data=dict(_group(body)), headers=headers)


def _group(pairs: list[tuple[str, str]]) -> Iterable[tuple[str, str | list[str]]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    for key, values in grouped.items():
        yield key, values if len(values) > 1 else values[0]
