"""X-Twilio-Signature checks.

Twilio signs the exact URL it called. Behind a TLS-terminating proxy the
request we see is http://127.0.0.1:8080/..., so we validate against the
configured public URL (QM_PUBLIC_URL) plus the path and query string, never
against what the socket says. RequestValidator itself accepts the URL with or
without the default port.
"""
from __future__ import annotations

from starlette.requests import Request
from twilio.request_validator import RequestValidator


def public_url_for(request: Request, public_base: str) -> str:
    if not public_base:
        return str(request.url)
    url = public_base.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


async def verified_form(request: Request, auth_token: str | None, public_base: str) -> dict[str, str] | None:
    """The request's form fields when its signature is right, else None."""
    signature = request.headers.get("X-Twilio-Signature")
    if not auth_token or not signature:
        return None
    form = await request.form()
    params = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    if not RequestValidator(auth_token).validate(public_url_for(request, public_base), params, signature):
        return None
    # Checked as sent; handed on without NUL, which PostgreSQL text cannot hold.
    return {k.replace("\x00", ""): v.replace("\x00", "") for k, v in params.items()}
