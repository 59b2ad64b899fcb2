"""The domain's Database port (domain/database.py) as storage wires it, and the one-of-each helpers."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from domain.database import database_of
from domain.models import Product, SalesHistory, Warehouse
from domain.processed import first_time
from domain.search import stands_out


def test_the_engine_comes_with_its_database(engine):
    assert database_of(engine).name == engine.dialect.name


async def test_days_since_counts_whole_days(session):
    database = database_of(session)
    offset = database.days_since(sa.literal(date(2026, 3, 1), sa.Date), date(2026, 2, 1))
    assert (await session.exec(sa.select(offset))).one()[0] == 28


async def test_an_event_is_handled_once(session):
    assert await first_time(session, "test:1") is True
    assert await first_time(session, "test:1") is False
    assert await first_time(session, "test:2") is True


async def test_series_per_group_reads_packed_rows(session):
    """Both databases give the same groups: (key, key, day offsets, values), one entry per stored row."""
    wh, a, b = Warehouse(code="W1", name="W1"), Product(sku="A", name="A"), Product(sku="B", name="B")
    session.add_all([wh, a, b])
    await session.flush()
    session.add_all([SalesHistory(day=date(2026, 1, 3), product_id=a.id, warehouse_id=wh.id, quantity=Decimal("2.5")),
                     SalesHistory(day=date(2026, 1, 5), product_id=a.id, warehouse_id=wh.id, quantity=Decimal(3)),
                     SalesHistory(day=date(2026, 1, 4), product_id=b.id, warehouse_id=wh.id, quantity=Decimal(7)),
                     SalesHistory(day=date(2025, 12, 31), product_id=b.id, warehouse_id=wh.id, quantity=Decimal(9))])
    await session.flush()
    database = database_of(session)
    start = date(2026, 1, 1)
    groups = await database.series_per_group(
        await session.connection(), (SalesHistory.product_id, SalesHistory.warehouse_id),
        database.days_since(SalesHistory.day, start), sa.cast(SalesHistory.quantity, sa.Float), (SalesHistory.day >= start,))
    got = {(pid, wid): sorted(zip(offsets.tolist(), values.tolist())) for pid, wid, offsets, values in groups}
    assert got == {(a.id, wh.id): [(2.0, 2.5), (4.0, 3.0)], (b.id, wh.id): [(3.0, 7.0)]}


@pytest.mark.parametrize("scores, sure, clear", [
    ([], 0, False),
    ([55], 0, True),  # the only candidate
    ([100, 100], 0, False),  # two exact: ask
    ([100, 99], 90, True),  # exact while the next is not
    ([80, 72], 0, True),  # 8 ahead
    ([80, 73], 0, False),
    ([89, 50], 90, False),  # customers: below the floor, ask however far ahead
    ([95, 87], 90, True),
])
def test_one_rule_for_a_clear_match(scores, sure, clear):
    assert stands_out(scores, sure=sure) is clear


async def test_bulk_loading_gives_back_what_it_changed(session):
    database = database_of(session)
    conn = await session.connection()
    if database.name != "sqlite":  # PostgreSQL changes nothing per load
        async with database.bulk_loading(conn):
            pass
        return
    before = (await conn.exec_driver_sql("PRAGMA cache_size")).scalar()
    async with database.bulk_loading(conn):
        assert (await conn.exec_driver_sql("PRAGMA cache_size")).scalar() == -65_536
    assert (await conn.exec_driver_sql("PRAGMA cache_size")).scalar() == before
