"""The reminder job: due reminders -> outbox rows, worded in each person's language."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.formatting import format_time
from domain.crm.reminders import enqueue_due
from domain.errors import N_
from storage.uow import UnitOfWorkFactory

Translate = Callable[[str, str], str]  # (lang, template) -> text


def renderer(translate: Translate):
    def render(reminder, user, customer):
        lang = user.language or "en"
        when = format_time(reminder.due_at, lang, ZoneInfo(user.timezone))
        body = translate(lang, N_("⏰ Reminder ({when}): {text}")).format(when=when, text=reminder.text)
        if customer is not None:
            body += "\n" + translate(lang, N_("Customer: {name}")).format(name=customer.name)
        labels = {"done": translate(lang, N_("Done")), "snooze": translate(lang, N_("Snooze 1 h")),
                  "tomorrow": translate(lang, N_("Tomorrow"))}
        return body, labels

    return render


async def enqueue_due_reminders(uow: UnitOfWorkFactory, *, now: Callable[[], datetime], translate: Translate) -> int:
    """ONE transaction: the reminders become "sent" and their outbox rows exist, or neither."""
    async with uow() as u:
        count = await enqueue_due(u.session, now(), render=renderer(translate))
        await u.commit()
    return count
