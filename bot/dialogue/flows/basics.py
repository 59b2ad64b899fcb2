"""Joining, help, cancel and undo: what every role has."""
from __future__ import annotations

from domain import access
from domain.errors import DomainError, N_
from domain.permissions import can

from ...i18n import normalise_language
from ..intent_choice import on_choice
from ..router import Router
from ..turn import Turn


async def start(turn: Turn) -> None:
    if turn.user is not None:
        turn.say(turn.t("Welcome back, {name}! Send /help to see what you can do.", name=turn.user.name))
        return
    inbound, settings = turn.inbound, turn.services.settings
    try:
        user = await _redeem(turn, inbound, settings)
    except DomainError as err:
        turn.say(turn.render(err) + "\n" + turn.t("Ask {contact} for a new one.", contact=settings.access.invite_contact))
        return
    turn.user = user
    turn.conv.user_id = user.id
    reply = turn.say(turn.t("Welcome, {name}! You joined as {role}. Send /help to see what you can do.",
                            name=user.name, role=turn.t(ROLE_NAMES[user.role])))
    reply.menu = menu_for(turn)


def menu_for(turn: Turn) -> list[tuple[str, str]]:
    """The commands this person's role may use, described in their language."""
    return [(e.command, turn.t(e.text)) for e in turn.dialogue.router.help
            if e.capability is None or can(turn.user, e.capability)]


async def _redeem(turn, inbound, settings):
    return await access.redeem_invite(
        turn.session, turn.args,
        name=inbound.sender_name or "",
        language=normalise_language(inbound.language_code, settings.company.language),
        timezone=settings.company.timezone,
        telegram_id=int(inbound.external_id) if inbound.channel == "telegram" else None,
        console_name=inbound.external_id if inbound.channel == "console" else None,
    )


ROLE_NAMES = {"admin": N_("administrator"), "manager": N_("manager"), "sales": N_("sales rep"), "warehouse": N_("warehouse staff")}


async def show_help(turn: Turn) -> None:
    signed_in = turn.t("You are signed in as {name} ({role}). You can:", name=turn.user.name, role=turn.t(ROLE_NAMES[turn.user.role]))
    turn.say(signed_in + "\n" + _help_list(turn))


def _help_list(turn: Turn) -> str:
    """What the person's role may do, in their language: ~40 translations and capability checks that
    give the same text every time (the tables change only with the code), so made once per language
    and role and kept with the router."""
    router, user, with_nlu = turn.dialogue.router, turn.user, turn.services.parse is not None
    key = (turn.lang, user.role, user.blocked, with_nlu)
    text = router.help_texts.get(key)
    if text is None:
        lines = [f"/{entry.command} — {turn.t(entry.text)}" for entry in router.help
                 if entry.capability is None or can(user, entry.capability)]
        if with_nlu:
            lines += ["", turn.t("Or just write what you need, e.g. \u201cwhere is order 1042?\u201d.")]
        text = router.help_texts[key] = "\n".join(lines)
    return text


async def cancel(turn: Turn) -> None:
    if turn.conv.flow:
        turn.end()
        turn.say(turn.t("Cancelled. Nothing more will be done."))
    else:
        turn.say(turn.t("There is nothing to cancel."))


async def cancel_button(turn: Turn) -> None:
    turn.end()
    turn.say(turn.t("Cancelled. Nothing more will be done."), edit=True)


async def undo(turn: Turn) -> None:
    action = turn.conv.last_action
    handler = turn.dialogue.router.undos.get(action["kind"]) if action else None
    if handler is None:
        turn.say(turn.t("There is nothing to undo."))
        return
    turn.args = ""
    await handler(turn)
    turn.conv.last_action = None


def register(router: Router) -> None:
    router.declare(
        commands={"start": start, "help": (show_help, N_("show this list")), "cancel": (cancel, N_("stop what we are doing")),
                  "undo": (undo, N_("undo the last thing you logged"))},
        intents={"help": show_help, "cancel": cancel},
        callbacks={"cancel": cancel_button, "intent": on_choice},
    )
