"""The console channel: the same dialogue in a terminal.

Buttons are shown numbered; typing the number presses it. `/photo PATH` and
`/voice PATH` send a picture or a voice note; `/file PATH` a document."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ..dialogue.engine import Dialogue
from ..dialogue.messages import Button, Inbound, Reply


def render(replies: list[Reply], out=sys.stdout) -> list[Button]:
    buttons: list[Button] = []
    for reply in replies:
        if reply.text:
            print(reply.text, file=out)
        for row in reply.buttons:
            labels = []
            for b in row:
                buttons.append(b)
                labels.append(f"[{len(buttons)}] {b.label}")
            print("   ".join(labels), file=out)
        for att in reply.attachments:
            print(f"(attachment: {att.kind} {att.filename}, {len(att.data)} bytes{' — ' + att.caption if att.caption else ''})", file=out)
    out.flush()
    return buttons


def to_inbound(line: str, name: str, buttons: list[Button], lang: str) -> Inbound:
    base = dict(channel="console", external_id=name, sender_name=name, language_code=lang)
    stripped = line.strip()
    if stripped.isdigit() and buttons and 1 <= int(stripped) <= len(buttons):
        return Inbound(kind="callback", callback=buttons[int(stripped) - 1].data, **base)
    for prefix, kind in (("/photo ", "photo"), ("/voice ", "voice"), ("/file ", "document")):
        if stripped.startswith(prefix):
            path = Path(stripped[len(prefix):].strip()).expanduser()
            return Inbound(kind=kind, data=path.read_bytes(), filename=path.name, **base)
    return Inbound(kind="text", text=line.rstrip("\n"), **base)


async def run_console(dialogue: Dialogue, name: str, lang: str = "en") -> None:
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
        except OSError as exc:
            print(f"cannot read that file: {exc}")
            continue
        replies = await dialogue.handle(inbound)
        buttons = render(replies) or buttons
    print("bye")
