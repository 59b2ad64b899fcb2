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

from domain.errors import Npt_
from domain.inventory.shipping import DeliveryNoteData

from ..formatting import format_date, format_datetime, format_number, format_quantity
from ..i18n import tr

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_REGULAR, _BOLD = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"


def _qty(q: Decimal, lang: str) -> str:
    return format_number(q, lang)


class _Note(FPDF):
    def __init__(self, footer_text: str, page_word: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self._footer_text, self._page_word = footer_text, page_word
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
        self.cell(0, 6, self.text_(f"{self._footer_text}  -  {self._page_word} {self.page_no()}/{{nb}}"), align="C")


def render_delivery_note(note: DeliveryNoteData, company, lang: str = "en") -> bytes:
    """company: anything with .name (bot.settings.Company); lang: the language printed (the customer's)."""
    pdf = _Note(tr(lang, "Delivery note {number}", number=note.order_number), tr(lang, "page"))
    pdf.alias_nb_pages()
    pdf.add_page()
    txt = pdf.text_  # sanitiser for the PDF font, not translation (keeps it out of the catalog)
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

    pdf.set_font(pdf.family_name, "B", 16)
    pdf.cell(0, 9, txt(company.name), **nl)
    pdf.set_font(pdf.family_name, "", 10)
    if note.warehouse_name:
        pdf.cell(0, 5, txt(tr(lang, "Shipped from: {warehouse}", warehouse=note.warehouse_name)), **nl)
    pdf.ln(4)
    pdf.set_font(pdf.family_name, "B", 14)
    pdf.cell(0, 8, txt(tr(lang, "DELIVERY NOTE  {number}", number=note.order_number)), **nl)
    pdf.set_font(pdf.family_name, "", 10)
    dates = []
    if note.order_date:
        dates.append(tr(lang, "Order date: {day}", day=format_date(note.order_date, lang)))
    if note.shipped_at:
        dates.append(tr(lang, "Shipped: {moment} UTC", moment=format_datetime(note.shipped_at, lang, "UTC")))
    if dates:
        pdf.cell(0, 5, txt("    ".join(dates)), **nl)
    pdf.ln(3)

    pdf.set_font(pdf.family_name, "B", 10)
    pdf.cell(0, 5, txt(tr(lang, "Deliver to")), **nl)
    pdf.set_font(pdf.family_name, "", 10)
    for row in (
        note.customer_legal_name or note.customer_name,
        f"({note.customer_name}, {note.customer_code})" if note.customer_legal_name else tr(lang, "Customer {code}", code=note.customer_code),
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
        for h in ("#", tr(lang, "SKU"), tr(lang, "Product"), tr(lang, Npt_("delivery note column", "Ordered")), tr(lang, Npt_("delivery note column", "Delivered")), tr(lang, "Lot / expiry")):
            head.cell(txt(h))
        for line in note.lines:
            lots = [f"{lq.lot or '-'}{' / ' + format_date(lq.expiry, lang) if lq.expiry else ''}: {_qty(lq.quantity, lang)}"
                    for lq in line.lots if lq.lot or lq.expiry]
            row = table.row()
            for c in (str(line.line_no), line.sku, line.name, format_quantity(line.ordered, line.unit, lang),
                      format_quantity(line.picked, line.unit, lang), "\n".join(lots) or "-"):
                row.cell(txt(c))
    short = [line for line in note.lines if line.short > 0]
    if short:
        pdf.ln(2)
        pdf.set_font(pdf.family_name, "", 9)
        pdf.multi_cell(0, 5, txt(tr(lang, "Not delivered: {items}", items=", ".join(f"{l.sku} {format_quantity(l.short, l.unit, lang)}" for l in short))), **nl)

    pdf.ln(18)
    pdf.set_font(pdf.family_name, "", 10)
    y = pdf.get_y()
    for x, label in ((pdf.l_margin, tr(lang, "Issued by (name, signature)")),
                     (pdf.l_margin + 100, tr(lang, "Received by (name, signature, date)"))):
        pdf.line(x, y, x + 80, y)
        pdf.set_xy(x, y + 1)
        pdf.cell(80, 5, txt(label))
    return bytes(pdf.output())
