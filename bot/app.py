"""Composition root: settings -> engine -> migrations -> services -> dialogue.
Nothing here runs at import time."""
from __future__ import annotations

import logging

from sqlalchemy import func
from sqlmodel import select

from storage.engine import create_engine, is_sqlite, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

from .dialogue.engine import Dialogue
from .dialogue.flows import build_router
from .services import Services
from .settings import Settings

log = logging.getLogger(__name__)


def load_parser():
    """The NLU's parse function, warmed up; None when the language layer is unavailable."""
    try:
        import nlu
    except ImportError:
        return None
    parse = getattr(nlu, "parse", None)
    if parse is not None and hasattr(nlu, "load"):
        nlu.load()
    return parse


def load_decoder():
    try:
        from bot.barcodes import decode_image
    except ImportError:
        return None
    return decode_image


def load_photo_explainer():
    """Why a photo gave no code (too dark, glare, blurred, too far), for the reply."""
    try:
        from bot.barcodes import explain_image
    except ImportError:
        return None
    return explain_image


def load_speech(settings: Settings):
    """The configured speech-to-text (engines load their models on first use)."""
    try:
        from bot.speech import speech_to_text
    except ImportError:
        return None
    return speech_to_text(settings)


async def open_services(settings: Settings, *, seed_if_empty: bool | None = None, with_nlu: bool = True) -> Services:
    db = settings.database
    engine = create_engine(db.url, busy_timeout_ms=db.busy_timeout_ms, pool_size=db.pool_size, echo=db.echo)
    await upgrade(engine)
    services = Services(settings=settings, engine=engine, uow=UnitOfWorkFactory(session_factory(engine)))
    if seed_if_empty is None:
        seed_if_empty = db.demo_seed_on_first_start and is_sqlite(db.url)
    if seed_if_empty:
        await seed_demo_if_empty(services)
    if with_nlu:
        services.parse = load_parser()
    services.decode_image = load_decoder()
    services.explain_photo = load_photo_explainer()
    services.transcribe = load_speech(settings)
    return services


async def seed_demo_if_empty(services: Services) -> bool:
    from domain.demo import seed_demo
    from domain.models import Customer

    async with services.uow() as uow:
        count = (await uow.session.exec(select(func.count()).select_from(Customer))).one()
        if count:
            return False
        log.info("empty database: loading the demo company")
        await seed_demo(uow.session, company=services.settings.company)
        await uow.commit()
        return True


def build_dialogue(services: Services) -> Dialogue:
    return Dialogue(services, build_router())
