"""Spreadsheets in and out from the chat: a manager sends a CSV/XLSX, gets the
validation report (line and reason per bad row), confirms, and it is loaded —
all or nothing. /export KIND sends the file back."""
from __future__ import annotations

import tempfile
from pathlib import Path

from domain.dataio import KINDS, export_kind, import_file, validate_file
from domain.dataio.kind_labels import kind_label
from domain.errors import InvalidInput, N_

from ... import uploads
from ..messages import Attachment, Button
from ..router import Route, Router
from ..turn import Turn


def _guess_kind(filename: str) -> str | None:
    stem = Path(filename).stem.lower().replace("-", "_").replace(" ", "_")
    for kind in sorted(KINDS, key=len, reverse=True):  # order_lines before orders
        if kind in stem:
            return kind
    return None


async def on_document(turn: Turn) -> None:
    name = turn.inbound.filename or "upload"
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(N_("I can import CSV or XLSX spreadsheets; {name} is neither."), name=name)
    if turn.conv.flow == "import" and turn.state.get("upload"):
        turn.dropped_uploads.append(turn.state["upload"])  # a new file replaces the one not yet imported
    path = uploads.save(turn.inbound.data or b"", suffix)
    turn.goto("import", "kind", upload=str(path), filename=name)
    kind = _guess_kind(name)
    if kind:
        await _validate(turn, kind)
        return
    turn.say(turn.t("What does {name} contain?", name=name),
             [[Button(k, f"imp_kind:{k}") for k in sorted(KINDS)[i:i + 3]] for i in range(0, len(KINDS), 3)])


async def on_kind(turn: Turn) -> None:
    if turn.args not in KINDS:  # forged: ours carry a kind
        raise InvalidInput(N_("That button is no longer valid."))
    await _validate(turn, turn.args)


def _waiting_upload(turn: Turn) -> Path | None:
    """The uploaded file waiting to be imported; None, and the person told so, when it is gone."""
    upload = turn.state.get("upload")
    if upload and Path(upload).exists():
        return Path(upload)
    turn.end()
    turn.say(turn.t("The uploaded file is gone (it was not confirmed within {minutes} minutes, or the server restarted). "
                    "Please send it again.", minutes=turn.services.settings.limits.upload_ttl_minutes))
    return None


async def _refused(turn: Turn, exc: InvalidInput) -> None:
    """A file over the import budget (or unreadable): told why, and the upload deleted."""
    turn.end()
    turn.say(turn.render(exc) + "\n" + turn.t("Nothing was imported."))


async def _validate(turn: Turn, kind: str) -> None:
    path = _waiting_upload(turn)
    if path is None:
        return
    settings = turn.services.settings
    try:
        report = await validate_file(turn.session, kind, path, country=settings.company.country,
                                     budget=settings.limits.import_budget())
    except InvalidInput as exc:
        await _refused(turn, exc)
        return
    if not report.ok:
        name = turn.state.get("filename", "")  # read before end() clears the state
        turn.end()
        turn.say(turn.tn("{name}: {n} row has problems, so nothing was imported:",
                        "{name}: {n} rows have problems, so nothing was imported:", report.errors,
                        name=name) + "\n" + report.render(limit=15, translate=turn.t) + "\n" + turn.t("Fix them and send the file again."))
        return
    turn.goto("import", "confirm", kind=kind)
    turn.say(turn.tn("{name} looks good: {n} row ({kind}). Import it?", "{name} looks good: {n} rows ({kind}). Import them?",
                     report.rows_read, name=turn.state["filename"], kind=turn.t(kind_label(kind))),
             [[Button(turn.t("Import"), "imp_ok:"), Button(turn.t("Cancel"), "cancel:")]])


async def on_confirm(turn: Turn) -> None:  # offered at the confirm step only (flow_buttons)
    path = _waiting_upload(turn)
    if path is None:
        return
    settings = turn.services.settings
    summary = await import_file(turn.session, turn.state["kind"], path, country=settings.company.country,
                                budget=settings.limits.import_budget())
    turn.end()
    if summary.errors:
        turn.say(turn.t("Nothing was imported: the data changed since the check.") + "\n" + summary.report.render(limit=15, translate=turn.t))
        return
    turn.say(turn.t("Imported {kind}: {created} new, {updated} updated, {unchanged} unchanged.", kind=turn.t(kind_label(summary.kind)),
                    created=summary.created, updated=summary.updated, unchanged=summary.unchanged), edit=True)


async def export_cmd(turn: Turn) -> None:
    parts = turn.args.split()
    if not parts or parts[0] not in KINDS:
        turn.say(turn.t("Write /export KIND [csv|xlsx]; kinds: {kinds}.", kinds=", ".join(sorted(KINDS))))
        return
    kind, fmt = parts[0], (parts[1] if len(parts) > 1 and parts[1] in ("csv", "xlsx") else "xlsx")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{kind}.{fmt}"
        n = await export_kind(turn.session, kind, fmt, out)
        data = out.read_bytes()
    turn.say(turn.tn("{n} row ({kind}).", "{n} rows ({kind}).", n, kind=turn.t(kind_label(kind))), attachments=[Attachment("document", f"{kind}.{fmt}", data)])


def register(router: Router) -> None:
    router.declare(
        capability="import_export",
        commands={"@document": on_document,
                  "export": (Route(export_cmd, "import_export", "report"), N_("export data as a spreadsheet: /export products"))},
        callbacks={"imp_kind": on_kind, "imp_ok": on_confirm},
    )
