"""/report NAME: any scheduled report now, in the chat (Telegram or the console)."""
from __future__ import annotations

from domain.errors import InvalidInput, N_
from domain.permissions import can, require
from jobs.reports import REPORT_CAPABILITY, REPORT_TITLES, report_for

from ...i18n import translate
from ...reports.attachments import RENDERERS
from ..messages import Attachment
from ..router import Router
from ..turn import Turn

ALIASES = {"stock_digest": "stock_digest", "stock": "stock_digest", "digest": "stock_digest",
           "funnel": "funnel", "replenishment": "replenishment", "reorder": "replenishment"}


async def report(turn: Turn) -> None:
    name = ALIASES.get(turn.args.strip().lower().replace(" ", "_"))
    if name is None:
        lines = [turn.t("Which report? Write /report and its name:")]
        lines += [f"• /report {n} — {turn.t(REPORT_TITLES[n])}" for n, cap in REPORT_CAPABILITY.items()
                  if can(turn.user, cap)]
        turn.say("\n".join(lines))
        return
    require(turn.user, REPORT_CAPABILITY[name])
    made = await report_for(name, turn.session, turn.user, now=turn.now(), settings=turn.services.settings,
                            translate=translate)
    if made is None:
        raise InvalidInput(N_("That report is not available on this server."))
    text, payload = made
    attachments = []
    spec = (payload or {}).get("attachment")
    if spec:
        data = RENDERERS[spec["render"]](**spec.get("args", {}))
        attachments.append(Attachment(spec.get("kind", "document"), spec.get("filename") or "report", data))
    turn.say(text, attachments=attachments)


def register(router: Router) -> None:
    router.declare(capability="reports", cost="report",
                   commands={"report": (report, N_("any report now: /report stock_digest, funnel or replenishment"))})
