"""Composition root: settings -> engine -> migrations -> services -> dialogue.
Nothing here runs at import time."""
from __future__ import annotations

import logging

from storage.engine import create_engine, is_sqlite, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

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
        services.parse = await _parser_with_names(services)
    services.decode_image = load_decoder()
    services.explain_photo = load_photo_explainer()
    services.transcribe = load_speech(settings)
    return services


async def _parser_with_names(services: Services):
    """The parser, knowing the company's customers, suppliers and products (nlu/names.py)."""
    parse = load_parser()
    if parse is None:
        return None
    try:
        from functools import partial

        from nlu.names import Names

        from .nlu_names import snapshot
    except ImportError:
        return parse
    async with services.uow() as uow:
        names = Names(await snapshot(uow.session))
    return partial(parse, names=names)


async def seed_demo_if_empty(services: Services) -> bool:
    """Loads the demo company into a database with no business data at all (any imported product,
    location, customer, person... counts as data). Start-up never fails because of the demo: a
    failure is logged and the process goes on with the database as it is."""
    from domain.demo import has_business_data, seed_demo

    try:
        async with services.uow() as uow:
            table = await has_business_data(uow.session)
            if table is not None:
                log.info("the database holds data (%s): the demo company is not loaded", table)
                return False
            log.info("empty database: loading the demo company")
            await seed_demo(uow.session, company=services.settings.company)
            await uow.commit()
            return True
    except Exception:
        log.exception("could not load the demo company; starting with the database as it is")
        return False


def build_dialogue(services: Services):
    # imported here: `qm run` starts its outbox senders before the dialogue's many modules load
    from .dialogue.engine import Dialogue
    from .dialogue.flows import build_router

    return Dialogue(services, build_router())
