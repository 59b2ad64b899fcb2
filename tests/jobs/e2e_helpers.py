"""Arranging a mailing in the database for tests that run the real `qm run`."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from sqlmodel import select

from domain import mailings
from domain.models import ClientGroup, ClientGroupMember, Customer, Outbox, Role, User
from tests.fakes.fixtures import TWILIO_NUMBER

MANAGER_CHAT = 4242


def phone(i: int) -> str:
    return f"+1555{i:07d}"


async def queue_mailing_for(uow_factory, n: int, body: str = "Hello {first_name}, spring sale at {company}!") -> int:
    """n consenting customers in group Spring, a manager on Telegram, the mailing queued (no quiet hours)."""
    now = datetime.now(timezone.utc)
    async with uow_factory() as uow:
        s = uow.session
        boss = User(name="Elena Boss", role=Role.manager, telegram_id=MANAGER_CHAT)
        group = ClientGroup(name="Spring", kind="manual")
        s.add_all([boss, group])
        await s.flush()
        customers = [Customer(code=f"S{i:05d}", name=f"Shop {i}", phone=phone(i), sms_consent=True) for i in range(n)]
        s.add_all(customers)
        await s.flush()
        s.add_all([ClientGroupMember(group_id=group.id, customer_id=c.id) for c in customers])
        m, _ = await mailings.draft_mailing(s, boss, "Spring", body, today=now.date(), default_tz="UTC")
        await mailings.queue_mailing(s, boss, m.id, now=now, today=now.date(), default_tz="UTC", quiet=None)
        await uow.commit()
        return m.id


def mailing_env(twilio, port: int, rate: float, **extra: str) -> dict[str, str]:
    return {**twilio.env(), "TWILIO_FROM_NUMBER": TWILIO_NUMBER, "QM_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "QM_HTTP_PORT": str(port), "QM_MAILINGS__RATE_PER_S": str(rate), "QM_MAILINGS__QUIET_HOURS": "",
            "QM_MAILINGS__SETTLE_AFTER_S": "1", "QM_JOBS__OUTBOX_STALE_AFTER_S": "3", "QM_JOBS__OUTBOX_EVERY_S": "0.5",
            "QM_JOBS__MAILINGS_EVERY_S": "1", "QM_JOBS__RETRY_BASE_S": "1", "QM_JOBS__LEADER_RETRY_S": "1", **extra}


async def assert_sent_exactly_once(uow_factory, twilio, mailing_id: int, n: int) -> None:
    per_phone = Counter(m.to for m in twilio.messages())
    assert len(per_phone) == n and set(per_phone.values()) == {1}, [p for p, k in per_phone.items() if k > 1]
    sids = {m.to: m.sid for m in twilio.messages()}
    async with uow_factory() as uow:
        rows = (await uow.session.exec(select(Outbox).where(Outbox.cause == f"mailing:{mailing_id}"))).all()
    assert len(rows) == n
    assert {r.recipient: (r.status, r.provider_id) for r in rows} == {p: ("sent", sid) for p, sid in sids.items()}
