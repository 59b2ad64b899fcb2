"""Hypothesis-generated input through the dialogue, as the channels hand it over (tests/dialogue_helpers.Chat):
texts (any unicode, control characters, huge, markup and format strings), commands with random
arguments, button payloads (random, forged, stale), photos (random bytes, absurd dimension
headers, truncated and damaged JPEG/PNG).

Every message gets an answer and none ends in the "something went wrong" branch (an exception a
handler did not turn into a clear message); input that is invalid changes no business table."""
from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from hypothesis import example, given, strategies as st

from bot.app import load_parser
from bot.dialogue.flows import build_router
from bot.dialogue.messages import Inbound

from ..barcodes.images import jpeg, page, png, symbol
from ..dialogue_helpers import dialogue_for
from .conftest import BOSS, REP, WORKER, add_people, build_services
from .fuzz import FUZZ, GENERIC_FAILURE, CrashWatch, fingerprint

NO_RATE_LIMITS = {k: "" for k in ("message", "photo", "voice", "report", "file", "sms", "call")}
PEOPLE = [WORKER, BOSS, REP]
ROUTER = build_router()


@pytest.fixture
async def fuzz_services(demo_engine, demo_database_url):
    services = build_services(demo_engine, demo_database_url, rate_limits=NO_RATE_LIMITS)
    services.parse = load_parser()
    await add_people(services)
    return services


@pytest.fixture
def say(fuzz_services):
    """Sends one inbound message; returns the replies, after checking nothing crashed."""
    dialogue = dialogue_for(fuzz_services)
    watch = CrashWatch()
    counter = iter(range(10**9))

    async def send(who: int, **kw):
        inbound = Inbound(channel="telegram", external_id=str(who), sender_name="Fuzz", language_code="en",
                          event_id=f"tg:{next(counter)}", **kw)
        with watch:
            replies = await dialogue.handle(inbound)
        watch.check(kw)
        assert replies and all(r.text or r.attachments for r in replies), kw
        assert not any(GENERIC_FAILURE in r.text for r in replies), (kw, replies)
        return replies

    return send


async def reset(services, who: int) -> None:
    """Back to no flow, so every example starts from the same place."""
    from sqlmodel import select

    from domain.models import Conversation

    async with services.uow() as uow:
        for conv in (await uow.session.exec(select(Conversation).where(Conversation.external_id == str(who)))).all():
            conv.flow = conv.step = None
            conv.data = {}
        await uow.commit()


# --- texts --------------------------------------------------------------------------------------
MARKUP = ["<b>bold</b>", "<script>alert(1)</script>", "*bold* _it_ [x](http://e.com) `c`", "```\ncode\n```",
          "'; DROP TABLE users; --", "{limit}", "{0}", "{}", "%s %d", "{user.__class__}", "\u202eRTL\u202c",
          "@everyone", "&amp; &#0; &#x110000;", "\x00", "\r\n\r\n", "\ufeff", "ﷺ" * 50, "🏳️‍🌈" * 30, "Ǆ" * 10]

any_text = st.text(st.characters(codec="utf-8"), max_size=300)  # every code point but lone surrogates
controls = st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"]), min_size=1, max_size=50)
markup = st.lists(st.one_of(st.sampled_from(MARKUP), any_text), min_size=1, max_size=4).map(" ".join)
huge = st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "я", "字", "1", " ", "\n", "🙂"]),
                 st.integers(3_990, 12_000))
free_text = st.one_of(any_text, controls, markup, huge)


@FUZZ
@given(who=st.sampled_from(PEOPLE), text=free_text)
async def test_fuzz_free_text_is_answered_and_changes_nothing(fuzz_services, say, who, text):
    if text.lstrip().startswith("/"):
        text = "x" + text  # commands are the next test's
    await reset(fuzz_services, who)
    before = await fingerprint(fuzz_services)
    replies = await say(who, kind="text", text=text)
    if len(text.strip()) > fuzz_services.settings.limits.text_chars:
        assert "too long" in replies[0].text
    assert await fingerprint(fuzz_services) == before


command = st.builds(lambda name, args: f"/{name} {args}".rstrip(), st.sampled_from(sorted(ROUTER.commands)),
                    st.one_of(any_text, markup, st.integers(-10**12, 10**12).map(str)))


@FUZZ
@given(who=st.sampled_from(PEOPLE), text=command)
@example(who=WORKER, text="/pick \x00")  # found on PostgreSQL: NUL in a query parameter
@example(who=BOSS, text="/status 10\x0042")
async def test_fuzz_commands_with_random_arguments(fuzz_services, say, who, text):
    await reset(fuzz_services, who)
    await say(who, kind="text", text=text)


# --- buttons ------------------------------------------------------------------------------------
PREFIXES = sorted(ROUTER.callbacks)
garbage = st.text(st.characters(codec="utf-8", exclude_characters="0123456789"), max_size=40)
payload = st.one_of(
    st.text(max_size=64).filter(lambda s: s.partition(":")[0] not in ROUTER.callbacks),  # random, unknown
    st.builds(lambda p, a: f"{p}:{a}", st.sampled_from(PREFIXES), garbage),  # forged arguments
)
ids = st.builds(lambda p, parts: f"{p}:" + ":".join(parts), st.sampled_from(PREFIXES),
                st.lists(st.one_of(st.integers(-5, 10**9).map(str), st.sampled_from(["", "ok", "no", "0", "x"])),
                         max_size=3))


@FUZZ
@given(who=st.sampled_from(PEOPLE), data=payload)
async def test_fuzz_forged_buttons_are_refused_and_change_nothing(fuzz_services, say, who, data):
    await reset(fuzz_services, who)
    before = await fingerprint(fuzz_services)
    replies = await say(who, kind="callback", callback=data)
    if data.partition(":")[0] not in ROUTER.callbacks:
        assert replies[0].text == "That button is no longer valid."
    assert await fingerprint(fuzz_services) == before


@FUZZ
@given(who=st.sampled_from(PEOPLE), data=ids)
async def test_fuzz_stale_and_guessed_button_ids(fuzz_services, say, who, data):
    """Real prefixes with ids that may or may not exist: a clear answer every time (a guessed id that
    happens to be valid may act, within the person's rights: that is what the button does)."""
    await reset(fuzz_services, who)
    await say(who, kind="callback", callback=data)


# --- photos -------------------------------------------------------------------------------------
def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")


def _jpeg_header(width: int, height: int) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + sof + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x00" * 64 + b"\xff\xd9"


_REAL = np.full((120, 160), 200, np.uint8)
_REAL[40:80, 40:120] = 30
REAL_JPEG, REAL_PNG = jpeg(_REAL), png(_REAL)
BARCODE_JPEG = jpeg(page(symbol("4006381333931", "EAN13"), size=(300, 400)))


def _flip(data: bytes, positions: list[int]) -> bytes:
    out = bytearray(data)
    for p in positions:
        out[p % len(out)] ^= 0xFF
    return bytes(out)


photo = st.one_of(
    st.binary(max_size=4096),
    st.builds(_png_header, st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1)),
    st.builds(_jpeg_header, st.integers(0, 65535), st.integers(0, 65535)),
    st.builds(lambda d, n: d[:n], st.sampled_from([REAL_JPEG, REAL_PNG, BARCODE_JPEG]), st.integers(0, 4000)),
    st.builds(_flip, st.sampled_from([REAL_JPEG, REAL_PNG, BARCODE_JPEG]), st.lists(st.integers(0, 10**6), max_size=8)),
)


@FUZZ
@given(who=st.sampled_from([WORKER, BOSS]), data=photo)
@example(who=WORKER, data=_png_header(1, 1280))  # found exploring: a 1 px wide image crashed the region finder
@example(who=WORKER, data=_png_header(70000, 20))  # found exploring: zxing-cpp refuses sides over 65535 px
async def test_fuzz_photos_get_a_clear_answer_and_change_nothing(fuzz_services, say, who, data):
    await reset(fuzz_services, who)
    before = await fingerprint(fuzz_services)
    await say(who, kind="photo", data=data)
    assert await fingerprint(fuzz_services) == before
