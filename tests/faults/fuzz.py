"""Shared pieces of the fuzz tests: the hypothesis settings, a fingerprint of the database
(to show that invalid input changes nothing), and a check that the dialogue never fell into its
"something went wrong" branch (an unhandled exception inside a handler).

Examples per fuzz target: QM_FUZZ_EXAMPLES (default 100); new ones each run with QM_FUZZ_EXPLORE=1. Figures in docs/reliability.md come from
    QM_TEST_DB=sqlite .venv/bin/python -m pytest tests/faults -k fuzz --hypothesis-show-statistics
"""
from __future__ import annotations

import logging
import os

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from sqlmodel import SQLModel

EXAMPLES = int(os.environ.get("QM_FUZZ_EXAMPLES", "100"))
# The suite draws the same examples on every run (a CI result must not depend on luck); set
# QM_FUZZ_EXPLORE=1 to draw new ones. What exploring finds is pinned with @example.
EXPLORE = os.environ.get("QM_FUZZ_EXPLORE", "") not in ("", "0")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not EXPLORE,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# Tables a message may touch without that being a change of business state: the conversation
# row (created on first contact, its updated_at moves) and the processed-update keys.
BOOKKEEPING = {"conversations", "processed_updates"}
GENERIC_FAILURE = "Sorry, something went wrong on my side"


async def fingerprint(services) -> dict:
    """Row counts of every business table, plus the stock on hand and reserved per product."""
    async with services.uow() as uow:
        conn = await uow.session.connection()
        out = {}
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in BOOKKEEPING:
                out[table.name] = (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar()
        quants = SQLModel.metadata.tables["stock_quants"]
        rows = await conn.execute(sa.select(quants.c.product_id, sa.func.sum(quants.c.quantity), sa.func.sum(quants.c.reserved))
                                  .group_by(quants.c.product_id).order_by(quants.c.product_id))
        out["stock"] = [(pid, str(q), str(r)) for pid, q, r in rows]
    return out


class CrashWatch(logging.Handler):
    """Collects "failed to handle" errors the dialogue logs when a handler raised something
    other than a DomainError (the person then sees GENERIC_FAILURE)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> "CrashWatch":
        logging.getLogger("bot").addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("bot").removeHandler(self)

    def check(self, what: object) -> None:
        if self.records:
            record = self.records[0]
            self.records.clear()
            detail = self.format(record) if record.exc_info is None else logging.Formatter().formatException(record.exc_info)
            raise AssertionError(f"unhandled exception for {what!r}: {record.getMessage()}\n{detail}")
