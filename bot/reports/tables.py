"""A plain spreadsheet from columns and rows (scheduled reports' attachments)."""
from __future__ import annotations

import io

from openpyxl import Workbook


def table_xlsx(title: str, columns: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31] or "Sheet"
    ws.append(columns)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
