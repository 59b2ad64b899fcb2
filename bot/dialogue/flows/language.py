"""/language: the person picks the language the bot speaks to them in.

Stored on User.language; the reply is already in the new language and carries
the refreshed command menu (Reply.menu) so Telegram's menu follows.
"""
from __future__ import annotations

from domain.errors import N_

from ...i18n import LANGUAGES, normalise_language
from ..messages import Button
from ..router import Router
from ..turn import Turn
from .basics import menu_for

# Each language named in itself: the person must recognise theirs whatever the bot speaks now.
NATIVE_NAMES = {"en": "English", "ru": "Русский", "bg": "Български", "ro": "Română", "zh": "中文"}


def _buttons() -> list[list[Button]]:
    return [[Button(NATIVE_NAMES[code], f"lang:{code}")] for code in LANGUAGES]


async def ask_language(turn: Turn) -> None:
    if turn.user is None:
        turn.say(turn.t("I can't use that here. /help lists what you can do."))
        return
    wanted = turn.args.strip()
    if wanted:
        code = normalise_language(wanted, default="")
        if code:
            _set(turn, code)
            return
    turn.say(turn.t("Choose your language:"), _buttons())


async def on_language_button(turn: Turn) -> None:
    code = normalise_language(turn.args, default="")
    if turn.user is None or not code:
        turn.say(turn.t("That button is no longer valid."))
        return
    _set(turn, code, edit=True)


def _set(turn: Turn, code: str, *, edit: bool = False) -> None:
    turn.user.language = code
    turn.session.add(turn.user)
    # turn.lang reads User.language, so from here on turn.t speaks the new language.
    reply = turn.say(turn.t("I will speak {language} from now on.", language=NATIVE_NAMES[code]), edit=edit)
    reply.menu = menu_for(turn)


def register(router: Router) -> None:
    router.declare(commands={"language": (ask_language, N_("change the language I speak: /language"))},
                   callbacks={"lang": on_language_button})
