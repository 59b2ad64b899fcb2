"""qm report NAME: any scheduled report, now — printed here, or sent to everyone who gets it."""
from __future__ import annotations

import sys
from pathlib import Path

from ._common import settings_or_exit

NAMES = ["stock_digest", "funnel", "replenishment"]


def register(sub) -> None:
    p = sub.add_parser("report", help="produce a report now: print it, or --send it to everyone who gets it")
    p.add_argument("name", choices=NAMES)
    p.add_argument("--lang", default=None, help="language of the printed report (default: company.language)")
    p.add_argument("--out", type=Path, default=None, help="write its chart or sheet to this file")
    p.add_argument("--send", action="store_true",
                   help="queue it to every recipient (Telegram, or e-mail for people not on Telegram); "
                        "a running `qm run` sends it")
    p.set_defaults(func=report)


async def report(args) -> int:
    from domain.models import Role, User
    from jobs.reports import report_for, send_report_now

    from ..app import command_services
    from ..i18n import normalise_language, translate
    from ..reports.attachments import RENDERERS

    settings = settings_or_exit()
    async with command_services(settings) as services:
        now = services.clock()
        if args.send:
            queued = await send_report_now(args.name, services.uow, now=now, settings=settings, translate=translate)
            if queued is None:
                print(f"{args.name}: not available on this installation (planning is not installed)", file=sys.stderr)
                return 1
            print(f"{args.name}: queued for {queued} recipient(s); `qm run` sends them.", flush=True)
            return 0
        lang = normalise_language(args.lang, settings.company.language)
        reader = User(name="qm report", role=Role.manager, language=lang)  # not saved: sees what a manager sees
        async with services.uow() as uow:
            made = await report_for(args.name, uow.session, reader, now=now, settings=settings, translate=translate)
        if made is None:
            print(f"{args.name}: not available on this installation (planning is not installed)", file=sys.stderr)
            return 1
        text, payload = made
        print(text, flush=True)
        attachment = (payload or {}).get("attachment")
        if attachment and args.out:
            args.out.write_bytes(RENDERERS[attachment["render"]](**attachment.get("args", {})))
            print(f"({attachment['filename']} written to {args.out})", flush=True)
        elif attachment:
            print(f"(with {attachment['filename']}: --out PATH writes it)", flush=True)
        return 0

