"""Composition root: settings -> engine -> migrations -> services -> dialogue.
Nothing here runs at import time."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from storage.engine import create_engine, is_sqlite, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

from .services import Services
from .settings import Settings

log = logging.getLogger(__name__)


class MissingPart(RuntimeError):
    """A part of the assistant whose library is not installed: start-up stops and says which
    (a broken install must not quietly turn language, barcodes or speech off)."""


def _require(part: str, load):
    try:
        return load()
    except ImportError as exc:
        raise MissingPart(f"{part} cannot start: {exc}. Install the project's dependencies (make bootstrap).") from exc


def load_parser():
    """The NLU's parse function, warmed up."""
    def load():
        import nlu

        nlu.load()
        return nlu.parse
    return _require("language understanding", load)


def load_decoder():
    def load():
        from bot.barcodes import decode_image

        return decode_image
    return _require("the barcode decoder", load)


def load_photo_explainer():
    """Why a photo gave no code (too dark, glare, blurred, too far), for the reply."""
    def load():
        from bot.barcodes import explain_image

        return explain_image
    return _require("the barcode decoder", load)


def load_speech(settings: Settings):
    """The configured speech-to-text (engines load their models on first use)."""
    def load():
        from bot.speech import speech_to_text

        return speech_to_text(settings)
    return _require("speech recognition", load)


def open_engine(settings: Settings):
    """The one place the database engine is built (every command and `qm run` use it)."""
    db = settings.database
    return create_engine(db.url, busy_timeout_ms=db.busy_timeout_ms, pool_size=db.pool_size, echo=db.echo)


async def open_services(settings: Settings, *, seed_if_empty: bool | None = None, with_nlu: bool = True,
                        with_media: bool = True) -> Services:
    db = settings.database
    engine = open_engine(settings)
    await upgrade(engine)
    services = Services(settings=settings, engine=engine, uow=UnitOfWorkFactory(session_factory(engine)))
    if seed_if_empty is None:
        seed_if_empty = db.demo_seed_on_first_start and is_sqlite(db.url)
    if seed_if_empty:
        await seed_demo_if_empty(services)
    if with_nlu:
        services.parse = await company_parser(services)
    if with_media:
        services.decode_image = load_decoder()
        services.explain_photo = load_photo_explainer()
        services.transcribe = load_speech(settings)
    return services


@asynccontextmanager
async def command_services(settings: Settings):
    """Services for a one-shot command (`qm person`, `qm plan`, `qm import` ...): the migrated database
    only, no demo, no language model, no barcode or speech engines; the engine is closed after."""
    services = await open_services(settings, seed_if_empty=False, with_nlu=False, with_media=False)
    try:
        yield services
    finally:
        await services.engine.dispose()


async def company_parser(services: Services):
    """The parser, knowing the company's customers, suppliers and products (nlu/names.py)."""
    from .nlu_names import CompanyParser

    parser = CompanyParser(load_parser(), services.uow)
    await parser.refresh()
    return parser


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
