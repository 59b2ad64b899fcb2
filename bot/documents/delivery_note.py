"""A print-ready delivery note (A4 PDF) for a packed or shipped order.

    data = await delivery_note_data(session, order)      # domain.inventory.shipping
    pdf_bytes = render_delivery_note(data, settings.company)

Uses DejaVu Sans (Debian package fonts-dejavu-core) so Cyrillic and other
non-Latin names print; without it falls back to Helvetica with Latin-1 only.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from domain.inventory.shipping import DeliveryNoteData

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_REGULAR, _BOLD = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"


def _qty(q: Decimal) -> str:
    return f"{q.normalize():f}"


class _Note(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self._footer_text = footer_text
        if _REGULAR.exists() and _BOLD.exists():
            self.add_font("Body", "", str(_REGULAR))
            self.add_font("Body", "B", str(_BOLD))
            self.family_name, self.unicode = "Body", True
        else:
            self.family_name, self.unicode = "Helvetica", False
        self.set_auto_page_break(auto=True, margin=20)

    def text_(self, s: str | None) -> str:
        s = s or ""
        return s if self.unicode else s.encode("latin-1", "replace").decode("latin-1")

    def footer(self):
        self.set_y(-14)
        self.set_font(self.family_name, "", 8)
        self.cell(0, 6, self.text_(f"{self._footer_text}  -  page {self.page_no()}/{{nb}}"), align="C")


def render_delivery_note(note: DeliveryNoteData, company) -> bytes:
    """company: anything with .name (bot.settings.Company)."""
    pdf = _Note(f"Delivery note {note.order_number}")
    pdf.alias_nb_pages()
    pdf.add_page()
    txt = pdf.text_  # sanitiser for the PDF font, not translation (keeps it out of the catalog)
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

    pdf.set_font(pdf.family_name, "B", 16)
    pdf.cell(0, 9, txt(company.name), **nl)
    pdf.set_font(pdf.family_name, "", 10)
    if note.warehouse_name:
        pdf.cell(0, 5, txt(f"Shipped from: {note.warehouse_name}"), **nl)
    pdf.ln(4)
    pdf.set_font(pdf.family_name, "B", 14)
    pdf.cell(0, 8, txt(f"DELIVERY NOTE  {note.order_number}"), **nl)
    pdf.set_font(pdf.family_name, "", 10)
    dates = []
    if note.order_date:
        dates.append(f"Order date: {note.order_date.isoformat()}")
    if note.shipped_at:
        dates.append(f"Shipped: {note.shipped_at:%Y-%m-%d %H:%M} UTC")
    if dates:
        pdf.cell(0, 5, txt("    ".join(dates)), **nl)
    pdf.ln(3)

    pdf.set_font(pdf.family_name, "B", 10)
    pdf.cell(0, 5, txt("Deliver to"), **nl)
    pdf.set_font(pdf.family_name, "", 10)
    for row in (
        note.customer_legal_name or note.customer_name,
        f"({note.customer_name}, {note.customer_code})" if note.customer_legal_name else f"Customer {note.customer_code}",
        note.customer_address,
        ", ".join(x for x in (note.customer_city, note.customer_country) if x),
        note.customer_phone,
    ):
        if row:
            pdf.cell(0, 5, txt(row), **nl)
    pdf.ln(4)

    widths = (12, 30, 62, 22, 22, 32)
    pdf.set_font(pdf.family_name, "", 9)
    with pdf.table(col_widths=widths, width=sum(widths), line_height=5,
                   text_align=("CENTER", "LEFT", "LEFT", "RIGHT", "RIGHT", "LEFT")) as table:
        head = table.row()
        for h in ("#", "SKU", "Product", "Ordered", "Delivered", "Lot / expiry"):
            head.cell(txt(h))
        for line in note.lines:
            lots = [f"{lq.lot or '-'}{' / ' + lq.expiry.isoformat() if lq.expiry else ''}: {_qty(lq.quantity)}"
                    for lq in line.lots if lq.lot or lq.expiry]
            row = table.row()
            for c in (str(line.line_no), line.sku, line.name, f"{_qty(line.ordered)} {line.unit}",
                      f"{_qty(line.picked)} {line.unit}", "\n".join(lots) or "-"):
                row.cell(txt(c))
    short = [line for line in note.lines if line.short > 0]
    if short:
        pdf.ln(2)
        pdf.set_font(pdf.family_name, "", 9)
        pdf.multi_cell(0, 5, txt("Not delivered: " + ", ".join(f"{l.sku} {_qty(l.short)} {l.unit}" for l in short)), **nl)

    pdf.ln(18)
    pdf.set_font(pdf.family_name, "", 10)
    y = pdf.get_y()
    for x, label in ((pdf.l_margin, "Issued by (name, signature)"), (pdf.l_margin + 100, "Received by (name, signature, date)")):
        pdf.line(x, y, x + 80, y)
        pdf.set_xy(x, y + 1)
        pdf.cell(80, 5, txt(label))
    return bytes(pdf.output())
