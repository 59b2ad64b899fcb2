"""SMS mailings to client groups: who receives one, a personalised preview, queueing it
through the outbox (now or later, outside quiet hours), and its summary when done.

    audience(session, group, today=..., default_tz=...) -> Audience
    draft_mailing(session, actor, group_name, body, today=..., default_tz=...) -> (Mailing, Audience)
    queue_mailing(session, actor, mailing_id, now=..., send_at=None, quiet="21:00-09:00", ...) -> Mailing
    cancel_mailing(session, actor, mailing_id) -> Mailing
    mailing_summary(session, mailing) -> MailingSummary
    finish_mailings(session, now, settle_after=...) -> list[(Mailing, MailingSummary)]
"""
from .audience import Audience, Recipient, audience, personalise, check_template
from .mailings import (MailingSummary, cancel_mailing, draft_mailing, finish_mailings, get_mailing, mailing_summary,
                       queue_mailing)

__all__ = ["Audience", "MailingSummary", "Recipient", "audience", "cancel_mailing", "check_template", "draft_mailing",
           "finish_mailings", "get_mailing", "mailing_summary", "personalise", "queue_mailing"]
