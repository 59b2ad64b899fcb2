"""One sender process of the benchmark: what every `qm run` does for SMS (jobs.outbox_worker.drain
with the Twilio notifier), until nothing is left to send."""
from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta, timezone

from bot.settings import load_settings
from bot.twilio.notifier import TwilioSmsNotifier
from jobs.outbox_worker import SendPolicy, drain
from storage.engine import create_engine, session_factory
from storage.uow import UnitOfWorkFactory


async def main(url: str, base_url: str, sid: str, token: str, sender: str, rate: float, concurrency: int) -> None:
    settings = load_settings(database={"url": url}, twilio={"account_sid": sid, "auth_token": token,
                                                             "api_base_url": base_url, "from_number": sender})
    engine = create_engine(url, pool_size=concurrency + 2)
    uow = UnitOfWorkFactory(session_factory(engine))
    notifier = TwilioSmsNotifier(settings)
    policy = SendPolicy(limit=200, concurrency=concurrency, rate_per_s=rate, stale_after=timedelta(minutes=5))
    idle = 0
    while idle < 3:
        result = await drain(uow, notifier, now=lambda: datetime.now(timezone.utc), policy=policy, budget_s=30)
        idle = 0 if result.claimed else idle + 1
        if not result.claimed:
            await asyncio.sleep(0.3)
    await engine.dispose()


if __name__ == "__main__":
    url, base, sid, token, sender, rate, conc = sys.argv[1:8]
    asyncio.run(main(url, base, sid, token, sender, float(rate), int(conc)))
