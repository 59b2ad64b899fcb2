"""The dialogue engine: one Inbound in, Replies out, one transaction.

Order of business for every message:
  idempotency key and conversation row (locked, with its person: domain/conversations.py) -> route
  (command / button / pending step / free text through the NLU) -> commit.
A DomainError rolls everything back and answers with its message; the
conversation state stays as it was, so the person can simply try again.
"""
from __future__ import annotations

import logging
import time


from domain import access, audit
from domain.conversations import Opened, open_conversation
from domain.processed import first_time
from domain.errors import DomainError
from domain.text import strip_hidden
from domain.models import Conversation, User
from domain.permissions import can, require

from storage.errors import is_unavailable

from .. import metrics
from ..formatting import localise
from ..i18n import normalise_language, tr, translate
from .. import uploads
from ..ratelimits import REFUSALS
from ..services import Services
from ..webapp.scanner_step import after_turn as scanner_after_turn, check_scanner_flow
from .messages import Inbound, Reply
from . import prompts
from .asides import answer_aside
from .flows.scans import DECODED_KEY, decode_photo
from .intent_choice import offer_choice, on_choice, typed_choice
from .small_talk import small_talk
from .router import Route, Router
from .turn import Turn

log = logging.getLogger(__name__)

# Below this the parse offers its likeliest readings instead of acting (calibrated in nlu/confidence.py).
from nlu.confidence import ASK_BELOW as LOW_CONFIDENCE, is_sure  # plain thresholds: no model is loaded
# a reading is offered as a button when it scores at least this much
OFFER_ABOVE = 0.08
CANCEL_WORDS = {"cancel", "stop", "never mind", "nevermind", "abort", "отмена", "отменить", "отмени", "стоп", "хватит",
                "отказ", "откажи", "спри", "anulează", "anuleaza", "renunță", "renunta", "stop it", "取消", "算了", "停止"}
HELP_WORDS = {"help", "помощь", "помощ", "ajutor", "帮助", "?"}
# Media whose handling is rate-limited whatever handler takes it (bot/ratelimits.py).
MEDIA_COST = {"photo": "photo", "voice": "voice", "document": "file"}
SENDER_KEY = "sender_user_id"  # Inbound.meta: the person may_receive_files found (before the transaction)


class Dialogue:
    def __init__(self, services: Services, router: Router):
        self.services = services
        self.router = router

    async def handle(self, inbound: Inbound) -> list[Reply]:
        started = time.perf_counter()
        outcome = "error"
        try:
            replies, outcome = await self._handle(inbound)
            return replies
        finally:
            metrics.OUTCOMES.labels(inbound.channel, outcome).inc()
            metrics.REPLY_LATENCY.labels(inbound.channel).observe(time.perf_counter() - started)

    async def _handle(self, inbound: Inbound) -> tuple[list[Reply], str]:
        # PostgreSQL text cannot hold NUL (a stray one would fail the first query that carries it), and
        # bidi overrides, zero-width and control characters would be echoed and kept in names and notes.
        for name in ("text", "callback", "filename"):
            value = getattr(inbound, name)
            if value:
                setattr(inbound, name, strip_hidden(value))
        refused = await self._flooding(inbound)
        if refused is not None:
            return refused, "limited"
        await self._decode_early(inbound)
        try:
            async with self.services.uow() as uow:
                opened = await open_conversation(uow.session, inbound.channel, inbound.external_id, inbound.event_id)
                if not opened.fresh:
                    return [], "duplicate"
                turn = await self._turn(uow.session, inbound, opened)
                audit.set_actor(uow.session, lambda: _actor(turn))  # asked at each flush: /start makes the person
                check_scanner_flow(inbound, turn.conv.flow)
                await self._dispatch(turn)
                prompts.remember(turn)
                scanner_after_turn(turn)
                await uow.commit()
            for path in turn.dropped_uploads:  # only once the state that named them is gone for good
                uploads.discard(path)
            return turn.replies, "ok"
        except DomainError as err:
            lang = await self._language_of(inbound)
            await self._record_event_only(inbound)
            return [Reply(text=err.render(lambda s: translate(lang, s), lambda v: localise(v, lang)), error=True)], "refused"
        except Exception as exc:
            if is_unavailable(exc):
                # Nothing committed; the same message will work once the database is back. No lookups
                # now (they would wait on the database again), and the event id stays unrecorded so a
                # redelivery is handled for real.
                log.warning("database unavailable for %s message from %s:%s: %s", inbound.kind, inbound.channel,
                            inbound.external_id, exc)
                lang = normalise_language(inbound.language_code, self.services.settings.company.language)
                return [Reply(text=tr(lang, "The database is not answering right now. Nothing was saved; "
                                            "please try again in a moment."))], "unavailable"
            log.exception("failed to handle %s message from %s:%s", inbound.kind, inbound.channel, inbound.external_id)
            lang = await self._language_of(inbound)
            return [Reply(text=tr(lang, "Sorry, something went wrong on my side. Nothing was saved; please try again."))], "error"

    # --- plumbing -------------------------------------------------------------
    async def may_receive_files(self, inbound: Inbound) -> bool:
        """Whether a file from this sender is worth fetching: a person who has joined, is not blocked,
        writes in a private chat. Asked before any download."""
        if inbound.chat_type != "private":
            return False
        try:
            async with self.services.uow() as uow:
                user = await self._identify(uow.session, inbound)
        except Exception:  # the database is away: the dialogue will say so; nothing fetched meanwhile
            log.warning("could not check %s:%s before a download", inbound.channel, inbound.external_id, exc_info=True)
            return False
        if user is None or user.blocked:
            return False
        inbound.meta[SENDER_KEY] = user.id  # for _decode_early's budget check
        return True

    async def _decode_early(self, inbound: Inbound) -> None:
        """A barcode photo is decoded before the message's transaction: its tens of milliseconds
        then hold no lock (on SQLite the one writer's, which every other message waited for) and
        no connection. Only for a sender may_receive_files let through who has room in their photo
        budget, so an over-budget photo is still refused without decoding; the handlers take the
        result through scans_of, and the budget is still counted where the handler runs."""
        user_id = inbound.meta.get(SENDER_KEY)
        if inbound.kind != "photo" or inbound.data is None or user_id is None or self.services.decode_image is None:
            return
        limiter = self.services.limiter
        if limiter is not None and not await limiter.has_room(MEDIA_COST["photo"], f"user:{user_id}"):
            return
        inbound.meta[DECODED_KEY] = await decode_photo(self.services, inbound.data)

    async def _flooding(self, inbound: Inbound) -> list[Reply] | None:
        """The per-person message budget, checked before the database is touched: a burst of
        hundreds of messages costs a counter each, not a transaction and an NLU pass each. One
        reply per window, then silence (answering every one would flood the chat and spend the
        bot's own Telegram sending budget)."""
        limiter = self.services.limiter
        if limiter is None:
            return None
        verdict = await limiter.acquire("message", f"{inbound.channel}:{inbound.external_id}")
        if verdict.allowed:
            return None
        log.info("message budget exceeded by %s:%s", inbound.channel, inbound.external_id)
        if not verdict.first_refusal:
            return []
        lang = normalise_language(inbound.language_code, self.services.settings.company.language)
        refusal = REFUSALS["message"]
        return [Reply(text=tr(lang, refusal, seconds=verdict.seconds))]

    async def _first_time(self, session, key: str) -> bool:
        """Records the event's key; False when it was recorded before (one round trip)."""
        return await first_time(session, key)

    async def _record_event_only(self, inbound: Inbound) -> None:
        """After a failed message, still remember its id so a redelivery isn't handled twice."""
        if not inbound.event_id:
            return
        try:
            async with self.services.uow() as uow:
                await self._first_time(uow.session, inbound.event_id)
                await uow.commit()
        except Exception:  # best effort: the reply matters more
            log.warning("could not record event %s", inbound.event_id, exc_info=True)

    async def _language_of(self, inbound: Inbound) -> str:
        """The person's chosen language (User.language, set by /language) when known, else their app's."""
        from ..i18n import normalise_language

        try:
            async with self.services.uow() as uow:
                user = await self._identify(uow.session, inbound)
                if user is not None and user.language:
                    return user.language
        except Exception:  # best effort: an error reply in the app's language is still a reply
            log.warning("could not look up the language of %s:%s", inbound.channel, inbound.external_id, exc_info=True)
        return normalise_language(inbound.language_code, self.services.settings.company.language)

    async def _turn(self, session, inbound: Inbound, opened: Opened) -> Turn:
        # The conversation came locked, with its person (the row lock serialises one person's messages).
        conv, user = opened.conversation, opened.user
        if conv is None:
            conv = Conversation(channel=inbound.channel, external_id=inbound.external_id, data={})
            session.add(conv)
            await session.flush()
        if user is None:
            user = await self._identify(session, inbound)
        if user is not None and conv.user_id != user.id:
            conv.user_id = user.id
        turn = Turn(inbound, session, self.services, conv, user)
        turn.dialogue = self
        return turn

    async def _identify(self, session, inbound: Inbound) -> User | None:
        if inbound.channel == "telegram":
            return await access.user_by_telegram(session, int(inbound.external_id))
        if inbound.channel == "console":
            return await access.user_by_console(session, inbound.external_id)
        return None

    # --- routing ----------------------------------------------------------------
    async def _dispatch(self, turn: Turn) -> None:
        inbound, r = turn.inbound, self.router
        command, turn.args = _split_command(inbound.text) if inbound.kind == "text" else (None, "")
        if inbound.chat_type != "private":
            # Say it once per group (and again when someone uses a command), not on every message.
            if command or not turn.state.get("told_private_only"):
                turn.conv.data = {**turn.state, "told_private_only": True}
                turn.say(turn.t("I work in private chats only. Please write to me directly."))
            return
        if turn.user is None:
            if command == "start" and turn.args:
                await self._run(turn, r.commands["start"])
            else:
                turn.say(turn.t("Hello! You don't have access yet. Ask {contact} for an invite code and send it here as /start CODE.",
                                contact=self.services.settings.access.invite_contact))
            return
        if turn.user.blocked:
            turn.say(turn.t("Your access has been blocked. Please contact {contact}.", contact=self.services.settings.access.invite_contact))
            return

        match inbound.kind:
            case "edited":
                turn.say(turn.t("I act only on new messages. If you changed something, send it again."))
            case "sticker" | "other":
                turn.say(turn.t("I can't use that kind of message. Send text, a photo of a barcode, a spreadsheet or a voice note. /help lists what you can do."))
            case "callback":
                await self._callback(turn)
            case "text":
                await self.handle_text(turn, command)
            case "photo" | "document" | "voice":
                await self._media(turn)

    async def handle_text(self, turn: Turn, command: str | None = None) -> None:
        text = (turn.inbound.text or "").strip()
        limit = self.services.settings.limits.text_chars
        if not text:
            turn.say(turn.t("That message is empty. Write what you need, or send /help."))
            return
        if len(text) > limit:
            turn.say(turn.t("That message is too long ({length} characters; the limit is {limit}). Please shorten it.",
                            length=len(text), limit=limit))
            return
        if command is not None:
            route = self.router.commands.get(command)
            if route is None:
                turn.say(turn.t("I don't know the command /{command}. /help lists what you can do.", command=command))
                return
            await self._run_leaving(turn, route)
            return
        if turn.conv.step:
            route = self.router.steps.get(f"{turn.conv.flow}.{turn.conv.step}")
            if route is not None:
                if await self._escape(turn, text) or await answer_aside(self, turn, text):
                    return
                await self._run(turn, route)
                return
            prompt = turn.state.get(prompts.PROMPT_KEY) or {}
            if prompt.get("buttons"):  # a step answered by its buttons only (which import kind, which deal...)
                if await self._escape(turn, text):
                    return
                turn.say(turn.t("Please choose one of the buttons, or /cancel."))
                prompts.ask_again(turn)
                return
            turn.end()  # a step from an older version: start afresh
        await self.route_free_text(turn, text)

    async def _escape(self, turn: Turn, text: str) -> bool:
        """In the middle of a flow, "cancel" / "отмена" / "help" typed as words still work.
        A fixed word list, not the NLU: inside a step short inputs are scans, quantities and
        "done" in five languages, which a classifier may take for anything."""
        word = text.strip().strip(".!").lower()
        intent = "cancel" if word in CANCEL_WORDS else "help" if word in HELP_WORDS else None
        if intent is None or intent not in self.router.intents:
            return False
        await self._run_leaving(turn, self.router.intents[intent])
        return True

    async def route_free_text(self, turn: Turn, text: str) -> None:
        """Free text (typed or transcribed) -> a fixed phrasing (router.patterns) or intent -> its handler."""
        for matches, route in self.router.patterns:
            if matches(text):
                turn.args = text  # typed or transcribed: the handler reads the request from args
                await self._run(turn, route)
                return
        if await self._escape(turn, text):  # "отказ", "ajutor", "帮助" alone: the fixed words, whatever the parser says
            return
        chosen = typed_choice(turn, text)
        if chosen is not None:  # "2" typed under "Is it one of these?": that button
            turn.args = chosen
            await on_choice(turn)
            return
        said = small_talk(text)
        if said == "greeting":
            turn.say(turn.t("Hello, {name}! Tell me what you need in your own words, or send /help to see what you can do.",
                            name=turn.user.name))
            return
        if said == "thanks":
            turn.say(turn.t("You're welcome!"))
            return
        if self.services.parse is None:
            turn.say(turn.t("Please use a command. /help lists what you can do."))
            return
        turn.parsed = self.services.parse(text, lang=None, now=turn.now(), tz=str(turn.tz))
        intent = turn.parsed.intent
        route = self.router.intents.get(intent)
        if intent == "unknown" or route is None:
            metrics.NLU_RESULTS.labels("not_understood").inc()
            turn.say(turn.t("Sorry, I didn't understand that. /help lists what you can do."))
            return
        metrics.NLU_CONFIDENCE.observe(turn.parsed.confidence)
        ranked = getattr(turn.parsed, "alternatives", [])
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if not is_sure(turn.parsed.confidence, runner_up, self.services.settings.nlu.ask_below or LOW_CONFIDENCE):
            alternatives = [(name, score) for name, score in getattr(turn.parsed, "alternatives", [])
                            if name in self.router.intents and name != "unknown"]
            # the two likeliest readings, and a third when it is a real contender
            options = alternatives[:2] + [a for a in alternatives[2:3] if a[1] >= OFFER_ABOVE]
            if len(options) >= 2:
                metrics.NLU_RESULTS.labels("clarified").inc()
                offer_choice(turn, text, options, getattr(turn.parsed, "lang", "") or "")
                return
        metrics.NLU_RESULTS.labels("acted").inc()
        await self._run(turn, route)

    async def run_intent(self, turn: Turn, intent: str, text: str) -> None:
        """Runs a chosen intent on text the person wrote earlier (the low-confidence buttons):
        the entities are read again for that intent, so the first message's details carry on."""
        route = self.router.intents.get(intent)
        if route is None:
            turn.say(turn.t("That button is no longer valid."))
            return
        try:
            turn.parsed = self.services.parse(text, lang=None, now=turn.now(), tz=str(turn.tz), intent=intent)
        except TypeError:  # a parser that cannot be told the intent
            turn.parsed = self.services.parse(text, lang=None, now=turn.now(), tz=str(turn.tz))
        turn.parsed.intent = intent
        turn.parsed.confidence = 1.0
        turn.args = ""  # the button's payload is no argument of the intent's handler
        await self._run(turn, route)

    async def _callback(self, turn: Turn) -> None:
        data = turn.inbound.callback or ""
        prefix, _, turn.args = data.partition(":")
        route = self.router.callbacks.get(prefix)
        if route is None:
            turn.say(turn.t("That button is no longer valid."))
            return
        flow = self.router.flow_of(data)
        if flow is not None and not prompts.is_current(turn, flow, data):
            # an earlier message's button, or another flow's: it must not act on today's state
            turn.say(turn.t("That button belongs to an earlier message, so it did nothing."))
            prompts.ask_again(turn)
            return
        needs = (route.actions or {}).get(turn.args.partition(":")[0])
        if needs and turn.user is not None:
            require(turn.user, needs)  # e.g. cc:merge needs edit_customers, not only view_customers
        await (self._run(turn, route) if flow is not None else self._run_leaving(turn, route))

    async def _media(self, turn: Turn) -> None:
        if turn.inbound.kind == "voice":  # transcribed first, then handled like text (flows/voice.py)
            route = self.router.commands.get("@voice")
            if route is None:
                turn.say(turn.t("I can't listen to voice notes on this server. Please type it."))
                return
            await self._run(turn, route)
            return
        route = self.router.steps.get(f"{turn.conv.flow}.{turn.conv.step}") if turn.conv.step else None
        route = route or self.router.commands.get(f"@{turn.inbound.kind}")  # default handler per media kind
        if route is None:
            turn.say(turn.t("I can't use that here. /help lists what you can do."))
            return
        await self._run(turn, route)

    async def _run(self, turn: Turn, route: Route) -> None:
        if route.capability and turn.user is not None:
            if not can(turn.user, route.capability):
                require(turn.user, route.capability)  # raises PermissionDenied with the message
        for cost in (MEDIA_COST.get(turn.inbound.kind), route.cost):
            if cost and not await self._within_budget(turn, cost):
                return  # refused before any work: nothing decoded, nothing booked
        await route.handler(turn)

    async def _run_leaving(self, turn: Turn, route: Route) -> None:
        """Runs a command, /cancel or a button that starts something; when that leaves the flow the
        person was in (or starts it afresh), they are told what was not saved, or what stays open."""
        flow = turn.conv.flow
        describe = self.router.unsaved.get(flow) if flow else None
        before = await describe(turn, dict(turn.conv.data or {})) if describe else None
        at = len(turn.replies)
        await self._run(turn, route)
        if before and (turn.conv.flow != flow or await describe(turn, dict(turn.conv.data or {})) != before):
            turn.replies.insert(at, Reply(text=before))

    async def _within_budget(self, turn: Turn, cost: str) -> bool:
        """Counts one piece of expensive work against the person's budget (once per message)."""
        if cost in turn.charged or self.services.limiter is None:
            return True
        who = f"user:{turn.user.id}" if turn.user is not None else f"{turn.inbound.channel}:{turn.inbound.external_id}"
        verdict = await self.services.limiter.acquire(cost, who)
        if not verdict.allowed:
            turn.say(turn.t(REFUSALS[cost], seconds=verdict.seconds))
            return False
        turn.charged.add(cost)
        return True


def _actor(turn: Turn) -> audit.Actor:
    if turn.user is not None and turn.user.id is not None:
        return audit.Actor.person(turn.user, turn.inbound.channel)
    return audit.Actor(channel=turn.inbound.channel, name=turn.inbound.sender_name or turn.inbound.external_id)


def _split_command(text: str | None) -> tuple[str | None, str]:
    if not text or not text.startswith("/"):
        return None, ""
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()  # /help@QuartermasterBot in groups
    return (name or None), rest.strip()
