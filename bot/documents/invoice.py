"""Print-ready invoice PDF (fpdf2)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal
from fpdf import FPDF

from ..formatting import format_date, format_money, format_quantity
from ..i18n import tr
from .fonts import add_fonts


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    quantity: Decimal
    unit: str
    price: Decimal
    discount_pct: Decimal
    total: Decimal


@dataclass(frozen=True)
class InvoiceDoc:
    number: str
    order_number: str
    issued_on: date
    due_on: date
    company: str
    customer: str
    customer_city: str | None
    currency: str
    lines: list[InvoiceLine]
    total: Decimal


def render_invoice(doc: InvoiceDoc, lang: str = "en") -> bytes:
    locale = {"zh": "zh_CN", "en": "en_GB"}.get(lang, lang)
    money = lambda v: format_money(v, doc.currency, lang)  # noqa: E731
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    font = add_fonts(pdf)
    pdf.set_font(font, "B", 16)
    pdf.cell(0, 10, tr(lang, "Invoice {number}", number=doc.number), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 10)
    for label, value in ((tr(lang, "Seller"), doc.company),
                         (tr(lang, "Customer"), doc.customer + (f", {doc.customer_city}" if doc.customer_city else "")),
                         (tr(lang, "Order"), doc.order_number),
                         (tr(lang, "Issued"), format_date(doc.issued_on, lang)), (tr(lang, "Due"), format_date(doc.due_on, lang))):
        pdf.cell(35, 6, label + ":")
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (80, 22, 28, 18, 32)
    pdf.set_font(font, "B", 9)
    for w, head in zip(widths, (tr(lang, "Item"), tr(lang, "Qty"), tr(lang, "Price"), tr(lang, "Disc."), tr(lang, "Total"))):
        pdf.cell(w, 7, head, border="B")
    pdf.ln()
    pdf.set_font(font, "", 9)
    for ln in doc.lines:
        pdf.cell(widths[0], 6, ln.description[:48])
        pdf.cell(widths[1], 6, format_quantity(ln.quantity, ln.unit, lang), align="R")
        pdf.cell(widths[2], 6, money(ln.price), align="R")
        pdf.cell(widths[3], 6, f"{format_decimal(ln.discount_pct, locale=locale)}%" if ln.discount_pct else "", align="R")
        pdf.cell(widths[4], 6, money(ln.total), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "B", 11)
    pdf.cell(sum(widths[:4]), 9, tr(lang, "Total due"), border="T")
    pdf.cell(widths[4], 9, money(doc.total), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
