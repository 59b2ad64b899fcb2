"""Admins manage who uses the assistant: roles and blocking, in the chat.

    /people                 everyone, each a button -> their card: role buttons, block/unblock, history
    /role <person> <role>   e.g. /role Ann manager  (person: name or number from /people)
    /block <person>, /unblock <person>

The rules (admins only, the last administrator stays) are the domain's
(domain/access.py); every change is in the audit log. The person concerned is
told through the outbox, and their Telegram command menu follows their role.
"""
from __future__ import annotations

from domain import access, outbox
from domain.errors import N_
from domain.models import Role, User
from domain.permissions import can

from ...i18n import tr
from ..messages import Button
from ..router import Router
from ..turn import Turn
from .basics import ROLE_NAMES, menu_for
from .history import answer as show_history_of

ROLE_ORDER = (Role.admin, Role.manager, Role.sales, Role.warehouse)


async def list_people(turn: Turn) -> None:
    if turn.args.strip():  # "/people Ann": straight to the card
        await _card(turn, await access.find_person(turn.session, turn.user, turn.args))
        return
    everyone = await access.people(turn.session, turn.user)
    lines = [turn.t("People who use the assistant ({count}):", count=len(everyone))]
    for u in everyone:
        lines.append(_summary(turn, u))
    buttons = [[Button(u.name[:30] + (" ⛔" if u.blocked else ""), f"ppl:{u.id}") for u in everyone[i:i + 2]]
               for i in range(0, min(len(everyone), 40), 2)]
    lines.append(turn.t("Press a name to change their role or block them."))
    turn.say("\n".join(lines), buttons)


def _summary(turn: Turn, u: User) -> str:
    role = turn.t(ROLE_NAMES[u.role])
    if u.blocked:
        return turn.t("{number}. {name} — {role}, blocked", number=u.id, name=u.name, role=role)
    return turn.t("{number}. {name} — {role}", number=u.id, name=u.name, role=role)


async def _card(turn: Turn, u: User, *, edit: bool = False) -> None:
    rows = [[Button(turn.t(ROLE_NAMES[r]), f"ppl:r:{u.id}:{r.value}") for r in ROLE_ORDER if r != u.role]]
    rows.append([Button(turn.t("Unblock") if u.blocked else turn.t("Block"), f"ppl:{'u' if u.blocked else 'b'}:{u.id}")])
    if can(turn.user, "view_history"):
        rows[-1].append(Button(turn.t("History"), f"ppl:h:{u.id}"))
    turn.say(_summary(turn, u) + "\n" + turn.t("Make them:"), rows, edit=edit)


async def on_button(turn: Turn) -> None:
    action, _, rest = turn.args.partition(":")
    if action.isdigit():
        await _card(turn, await access.find_person(turn.session, turn.user, action), edit=True)
        return
    person_id, _, role = rest.partition(":")
    if not person_id.isdigit() or action not in ("r", "b", "u", "h"):
        turn.say(turn.t("That button is no longer valid."))
        return
    if action == "h":
        await show_history_of(turn, "person", person_id)
    elif action == "r":
        await _set_role(turn, int(person_id), role)
    else:
        await _set_blocked(turn, int(person_id), action == "b")


async def change_role(turn: Turn) -> None:
    words = turn.args.split()
    if len(words) < 2:
        turn.say(turn.t("Write /role, the person and the new role, e.g. /role Ann manager. Roles: admin, manager, sales, warehouse."))
        return
    access.parse_role(words[-1])  # a wrong role is refused before the person is looked up
    person = await access.find_person(turn.session, turn.user, " ".join(words[:-1]))
    await _set_role(turn, person.id, words[-1])


async def block(turn: Turn) -> None:
    await _block_command(turn, True)


async def unblock(turn: Turn) -> None:
    await _block_command(turn, False)


async def _block_command(turn: Turn, blocked: bool) -> None:
    if not turn.args.strip():
        turn.say(turn.t("Whom? E.g. /block Ann, or the number from /people."))
        return
    person = await access.find_person(turn.session, turn.user, turn.args)
    await _set_blocked(turn, person.id, blocked)


async def _set_role(turn: Turn, person_id: int, role: str) -> None:
    person = await access.find_person(turn.session, turn.user, str(person_id))
    before = person.role
    person = await access.set_role(turn.session, turn.user, person_id, role)
    role_name = turn.t(ROLE_NAMES[person.role])
    if person.role == before:
        turn.say(turn.t("{name} already has the role {role}.", name=person.name, role=role_name))
        return
    reply = turn.say(turn.t("{name}: role changed to {role}.", name=person.name, role=role_name))
    if person.id == turn.user.id:
        reply.menu = menu_for(turn)  # their own menu shrinks at once
    else:
        await _tell(turn, person, N_("Your role is now {role}. Send /help to see what you can do."),
                    role=tr(person.language or "en", ROLE_NAMES[person.role]))


async def _set_blocked(turn: Turn, person_id: int, blocked: bool) -> None:
    person = await access.find_person(turn.session, turn.user, str(person_id))
    was = person.blocked
    person = await access.set_blocked(turn.session, turn.user, person_id, blocked)
    if was == blocked:
        turn.say(turn.t("{name} is already blocked.", name=person.name) if blocked else
                 turn.t("{name} is not blocked.", name=person.name))
        return
    if blocked:
        turn.say(turn.t("{name} is blocked: from now on they get only a short refusal.", name=person.name))
        if person.id != turn.user.id:
            await _tell(turn, person, N_("Your access has been blocked. Please contact {contact}."),
                        contact=turn.services.settings.access.invite_contact)
    else:
        turn.say(turn.t("{name} is unblocked.", name=person.name))
        await _tell(turn, person, N_("Your access is restored. Send /help to see what you can do."))


async def _tell(turn: Turn, person: User, template: str, **params) -> None:
    """A message to the person concerned, in their language, carrying their new command menu
    (Telegram only: the console has no menu and no way to reach them)."""
    if person.telegram_id is None:
        return
    lang = person.language or "en"
    menu = [] if person.blocked else [[e.command, tr(lang, e.text)] for e in turn.dialogue.router.help
                                      if e.capability is None or can(person, e.capability)]
    await outbox.enqueue(turn.session, channel="telegram", recipient=str(person.telegram_id), body=tr(lang, template, **params),
                         payload={"menu": menu}, cause=f"access:{person.id}", priority=1)


def register(router: Router) -> None:
    router.declare(
        capability="manage_users",
        commands={"people": (list_people, N_("who uses the assistant: roles, blocking")),
                  "role": (change_role, N_("change a person's role: /role Ann manager")),
                  "block": (block, N_("block a person: /block Ann")),
                  "unblock": (unblock, N_("let a blocked person in again: /unblock Ann"))},
        callbacks={"ppl": on_button},
    )
