"""Every column with a rule in docs/contracts/data.md refuses a bad value: the whole file is refused,
the report names the line and the column, and nothing is stored."""
import csv
import io

import pytest
from sqlmodel import func, select

from domain.dataio.kinds import KINDS
from domain.dataio import import_file

from .helpers import FIXTURES, ORDER, load

# (kind, column, bad value); the value goes into the second data line (file line 3)
BAD = [
    ("customers", "country", "XX"), ("customers", "phone", "12"), ("customers", "email", "sales.acme.example"),
    ("customers", "language", "xx"), ("customers", "timezone", "Mars/Base"), ("customers", "sms_consent", "maybe"),
    ("contacts", "phone", "12"), ("contacts", "email", "nobody"), ("contacts", "sms_consent", "perhaps"),
    ("products", "price", "-4.20"), ("products", "currency", "XYZ"), ("products", "lot_tracked", "sometimes"),
    ("products", "expiry_tracked", "2"), ("products", "service_level", "1.5"),
    ("barcodes", "code", "4006381333932"), ("barcodes", "pack_qty", "0"),
    ("locations", "kind", "shelf"),
    ("suppliers", "phone", "12"), ("suppliers", "email", "orders"), ("suppliers", "currency", "EURO"),
    ("supplier_products", "price", "-1"), ("supplier_products", "currency", "ABC"),
    ("supplier_products", "lead_time_days", "-3"), ("supplier_products", "moq", "0"),
    ("supplier_products", "pack_multiple", "-10"), ("supplier_products", "preferred", "often"),
    ("stock", "quantity", "-5"), ("stock", "expiry", "31.12.2026"),
    ("orders", "date", "07/12/2026"), ("orders", "status", "lost"), ("orders", "promised_date", "tomorrow"),
    ("order_lines", "line", "0"), ("order_lines", "quantity", "0"), ("order_lines", "price", "-1"),
    ("purchase_orders", "date", "yesterday"), ("purchase_orders", "status", "open"),
    ("purchase_orders", "expected_date", "2026-13-01"),
    ("purchase_order_lines", "line", "-1"), ("purchase_order_lines", "quantity", "-2"),
    ("purchase_order_lines", "received_quantity", "-1"), ("purchase_order_lines", "price", "-0.5"),
    ("boms", "quantity", "0"),
    ("sales_history", "date", "2026/11/02"), ("sales_history", "quantity", "-1"),
]


def _with_bad_cell(kind: str, column: str, value: str) -> str:
    """The kind's fixture with `value` in `column` of its second data row (the column added when missing)."""
    text = (FIXTURES / f"{kind}.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.lower() for h in rows[0]]
    if column not in header:
        header.append(column)
        rows = [rows[0] + [column]] + [r + [""] for r in rows[1:]]
    assert len(rows) >= 3, f"{kind}.csv needs two data rows"
    rows[2][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("kind,column,value", BAD, ids=[f"{k}.{c}" for k, c, _ in BAD])
async def test_a_bad_value_refuses_the_file_naming_line_and_column(session, tmp_path, kind, column, value):
    for before in ORDER[:ORDER.index(kind)]:
        assert (await load(session, before)).errors == 0, before
    model = KINDS[kind].model
    stored = (await session.exec(select(func.count()).select_from(model))).one()
    path = tmp_path / f"{kind}.csv"
    path.write_text(_with_bad_cell(kind, column, value), encoding="utf-8")
    summary = await import_file(session, kind, path, country="BG")
    await session.commit()
    by_line = {e.line: e.reason for e in summary.report.rows}
    assert summary.errors >= 1 and summary.created == summary.updated == 0
    assert 3 in by_line and f"{column}:" in by_line[3], by_line
    assert f"line 3: {column}" in summary.report.render()
    assert (await session.exec(select(func.count()).select_from(model))).one() == stored


def test_every_validated_column_has_a_bad_value_here():
    """A column whose parser can refuse something (not plain text or a reference) is listed in BAD."""
    from domain.dataio.kinds import TEXT

    listed = {(k, c) for k, c, _ in BAD} | {("customers", "tags")}  # tags: any text, split and cleaned
    for name, kind in KINDS.items():
        for col in kind.columns:
            if col.parse is TEXT:
                continue
            assert (name, col.name) in listed, f"{name}.{col.name} has a rule but no bad-value test"
