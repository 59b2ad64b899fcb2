"""One message being handled: who sent it, their conversation state, the
session of this message's unit of work, and the replies being built."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import N_, InvalidInput
from domain.models import Conversation, User

from ..formatting import format_quantity, localise, unit_word
from ..i18n import normalise_language, tr, trn, trp
from .messages import Attachment, Button, Inbound, Reply

if TYPE_CHECKING:
    from ..services import Services


MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL: a larger number is no row of ours


def button_id(value: str, lo: int = 1, hi: int = MAX_ID) -> int:
    """A number from a button's payload (a row id, or an index with lo=0). Buttons are made by us, so
    anything else came from an older version or was forged: refused with the stale-button message."""
    value = value.strip()
    if not (value.isascii() and value.isdigit() and lo <= int(value) <= hi):
        raise InvalidInput(N_("That button is no longer valid."))
    return int(value)


class Turn:
    def __init__(self, inbound: Inbound, session: AsyncSession, services: Services, conv: Conversation, user: User | None):
        self.inbound = inbound
        self.session = session
        self.services = services
        self.conv = conv
        self.user = user
        self.replies: list[Reply] = []
        self.args: str = ""  # text after a /command
        self.parsed: Any = None  # nlu result for free text, when there is one
        self.charged: set[str] = set()  # rate-limited kinds of work already counted for this message
        self.dropped_uploads: list[str] = []  # uploaded files of a flow being left: deleted after the commit

    # --- language and time -------------------------------------------------
    @property
    def lang(self) -> str:
        if self.user is not None and self.user.language:
            return self.user.language
        return normalise_language(self.inbound.language_code, self.services.settings.company.language)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.user.timezone if self.user else self.services.settings.company.timezone)

    def now(self) -> datetime:
        return self.services.clock().astimezone(self.tz)

    def t(self, template: str, **params: Any) -> str:
        return tr(self.lang, template, **params)

    def tn(self, singular: str, plural: str, n: Any, **params: Any) -> str:
        """A countable message in the person's language: "1 bin to go", "5 bins to go", «5 ячеек»; {n} is the count."""
        return trn(self.lang, singular, plural, n, **params)

    def pt(self, context: str, template: str, **params: Any) -> str:
        """A message with a context (pgettext): the same English word said differently by what it is about."""
        return trp(self.lang, context, template, **params)

    def value(self, v: Any) -> Any:
        """A value for a sentence in the person's format (quantities with units, numbers, dates)."""
        return localise(v, self.lang, self.tz)

    def qty(self, value: Any, unit: str | None = None) -> str:
        """'10 шт.', '5 коробок', '2,5 kg': a quantity with its unit in the person's words."""
        return format_quantity(value, unit, self.lang)

    def unit(self, unit: str) -> str:
        """The unit alone, as after "how many": коробок, кашона, cutii, 箱."""
        return unit_word(unit, self.lang)

    def render(self, message: Any) -> str:
        """A domain Note or DomainError in the person's words and formats."""
        return message.render(self.t, self.value)

    # --- replies ------------------------------------------------------------
    def say(self, text: str, buttons: list[list[Button]] | None = None, *,
            attachments: list[Attachment] | None = None, edit: bool = False) -> Reply:
        reply = Reply(text=text, buttons=buttons or [], attachments=attachments or [], edit=edit)
        self.replies.append(reply)
        return reply

    # --- conversation state ---------------------------------------------------
    @property
    def state(self) -> dict[str, Any]:
        return self.conv.data

    def goto(self, flow: str, step: str, **data: Any) -> None:
        """Wait for the next input in flow.step; data is merged into the stored state."""
        if self.conv.flow != flow:
            self._leaving()
            self.conv.data = {}
        self.conv.flow, self.conv.step = flow, step
        self.conv.data = {**self.conv.data, **data}  # new dict: the JSON column sees the change

    def _leaving(self) -> None:
        upload = (self.conv.data or {}).get("upload")
        if upload:
            self.dropped_uploads.append(upload)

    def end(self) -> None:
        self._leaving()
        self.conv.flow = self.conv.step = None
        self.conv.data = {}

    def remember_undo(self, kind: str, **payload: Any) -> None:
        """What /undo reverts: the last thing this person logged."""
        self.conv.last_action = {"kind": kind, **payload}

    @property
    def undo_id(self) -> int:
        """The id of the record /undo reverts: the `id` remember_undo was given."""
        return self.conv.last_action["id"]
