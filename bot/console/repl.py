"""The console channel: the same dialogue in a terminal.

Buttons of the latest message are shown as [#1], [#2], ...; typing `#1` presses
one. A plain number is always an answer (a quantity, an order number), never a
button, and buttons of earlier messages can't be pressed. `/photo PATH` and
`/voice PATH` send a picture or a voice note; `/file PATH` a document. Files the
assistant sends (PDFs, charts, spreadsheets) are saved in the attachments
folder next to the database, and their path is printed."""
from __future__ import annotations

import asyncio
import re
import sys
import time
from pathlib import Path

from ..dialogue.engine import Dialogue
from ..dialogue.messages import Attachment, Button, Inbound, Reply

PRESS = re.compile(r"#\s*(\d{1,3})")


def render(replies: list[Reply], out=sys.stdout, attachments: Path | None = None) -> list[Button]:
    buttons: list[Button] = []
    for reply in replies:
        if reply.text:
            print(reply.text, file=out)
        for row in reply.buttons:
            labels = []
            for b in row:
                if b.web_app:  # a Telegram page: nothing to open in a terminal
                    continue
                buttons.append(b)
                labels.append(f"[#{len(buttons)}] {b.label}")
            if labels:
                print("   ".join(labels), file=out)
        for att in reply.attachments:
            print(save_attachment(att, attachments), file=out)
    out.flush()
    return buttons


def save_attachment(att: Attachment, folder: Path | None) -> str:
    caption = f" — {att.caption}" if att.caption else ""
    if folder is None:
        return f"({att.kind} {att.filename}, {len(att.data)} bytes{caption})"
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(att.filename).name or "file"
    path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    n = 1
    while path.exists():  # two files of the same name in one second
        n += 1
        path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{n}-{name}"
    path.write_bytes(att.data)
    return f"(saved {att.kind}: {path}{caption})"


class NoSuchButton(ValueError):
    pass


def to_inbound(line: str, name: str, buttons: list[Button], lang: str) -> Inbound:
    base = dict(channel="console", external_id=name, sender_name=name, language_code=lang)
    stripped = line.strip()
    press = PRESS.fullmatch(stripped)
    if press:
        n = int(press.group(1))
        if not 1 <= n <= len(buttons):
            raise NoSuchButton(f"There is no button #{n} on the last message." if buttons
                               else "The last message has no buttons.")
        return Inbound(kind="callback", callback=buttons[n - 1].data, **base)
    for prefix, kind in (("/photo ", "photo"), ("/voice ", "voice"), ("/file ", "document")):
        if stripped.startswith(prefix):
            path = Path(stripped[len(prefix):].strip()).expanduser()
            return Inbound(kind=kind, data=path.read_bytes(), filename=path.name, **base)
    return Inbound(kind="text", text=line.rstrip("\n"), **base)


async def run_console(dialogue: Dialogue, name: str, lang: str = "en", attachments: Path | None = None) -> None:
    loop = asyncio.get_running_loop()
    buttons: list[Button] = []
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = await loop.run_in_executor(None, lambda: input("you> ") if interactive else sys.stdin.readline())
        except (EOFError, KeyboardInterrupt):
            break
        if not interactive and line == "":
            break  # end of piped input
        if line.strip() in ("/quit", "/exit"):
            break
        if not line.strip():
            continue
        try:
            inbound = to_inbound(line, name, buttons, lang)
        except NoSuchButton as exc:
            print(exc)
            continue
        except OSError as exc:
            print(f"cannot read that file: {exc}")
            continue
        replies = await dialogue.handle(inbound)
        buttons = render(replies, attachments=attachments)  # only the latest message's buttons can be pressed
    print("bye")
