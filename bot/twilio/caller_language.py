"""The language to answer a phone number in: its customer's, else the company's."""
from __future__ import annotations

from domain.orders.status import language_for_phone
from storage.errors import is_unavailable

from ..i18n import normalise_language
from ..services import Services


async def caller_language(services: Services, phone: str | None) -> str:
    """Never fails for an outage: with the database away the caller still gets an answer, in the company's language."""
    try:
        async with services.uow() as uow:
            known = await language_for_phone(uow.session, phone) if phone else None
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        known = None
    return normalise_language(known, services.settings.company.language)
