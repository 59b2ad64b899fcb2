"""`qm run` start-up by phase, CPU and wall time, on a fresh SQLite database seeded then reopened:

    python -m bench.e2e.startup_phases
"""
from __future__ import annotations

import asyncio
import tempfile
import time

_last = [time.process_time(), time.perf_counter()]


def lap(label: str) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    print(f"{label:<44} CPU {cpu - _last[0]:5.2f} s  wall {wall - _last[1]:5.2f} s")
    _last[:] = [cpu, wall]


async def phases() -> None:
    from bot.app import build_dialogue, load_parser, open_services
    from bot.settings import load_settings

    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/startup.sqlite3"
    settings = load_settings(database={"url": url})
    services = await open_services(settings, seed_if_empty=True, with_nlu=False)
    lap("open_services: migrate and seed (not start-up)")
    await services.engine.dispose()
    services = await open_services(settings, seed_if_empty=True, with_nlu=False)
    lap("open_services on the existing database")
    import bot.http.app  # noqa: F401
    import bot.telegram.application  # noqa: F401
    import bot.webapp.routes  # noqa: F401
    lap("imports: Telegram application, HTTP, web app")
    build_dialogue(services)
    lap("build_dialogue (the flows)")
    load_parser()
    lap("load_parser (the language model)")
    await services.engine.dispose()


def main() -> None:
    import bot.runtime  # noqa: F401
    import jobs.scheduler  # noqa: F401
    lap("imports: bot.runtime, jobs.scheduler")
    asyncio.run(phases())


if __name__ == "__main__":
    main()
