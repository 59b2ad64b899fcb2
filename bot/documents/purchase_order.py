"""The purchase order a supplier receives (A4 PDF): who orders, what, how many, at what price, by when."""
from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from domain.purchasing.orders import POView

from ..formatting import format_date, format_number, format_quantity
from ..i18n import tr
from .fonts import add_fonts


def render_purchase_order(po: POView, company, lang: str = "en") -> bytes:
    """company: anything with .name (bot.settings.Company); lang: the language printed."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    family = add_fonts(pdf)
    pdf.add_page()
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    pdf.set_font(family, "B", 16)
    pdf.cell(0, 9, company.name, **nl)
    pdf.ln(3)
    pdf.set_font(family, "B", 14)
    pdf.cell(0, 8, tr(lang, "PURCHASE ORDER  {number}", number=po.number), **nl)
    pdf.set_font(family, "", 10)
    pdf.cell(0, 5, tr(lang, "To: {supplier} ({code})", supplier=po.supplier_name, code=po.supplier_code), **nl)
    if po.order_date:
        pdf.cell(0, 5, tr(lang, "Order date: {day}", day=format_date(po.order_date, lang)), **nl)
    if po.expected_date:
        pdf.cell(0, 5, tr(lang, "Delivery wanted by: {day}", day=format_date(po.expected_date, lang)), **nl)
    pdf.cell(0, 5, tr(lang, "Deliver to warehouse: {warehouse}", warehouse=po.warehouse_code), **nl)
    pdf.ln(4)
    widths = (12, 32, 70, 28, 24, 24)
    pdf.set_font(family, "", 9)
    with pdf.table(col_widths=widths, width=sum(widths), line_height=5,
                   text_align=("CENTER", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT")) as table:
        head = table.row()
        for h in ("#", tr(lang, "SKU"), tr(lang, "Product"), tr(lang, "Quantity"), tr(lang, "Price"), tr(lang, "Amount")):
            head.cell(h)
        for ln in po.lines:
            row = table.row()
            amount = format_number(ln.quantity * ln.price, lang, max_decimals=2) if ln.price is not None else "-"
            price = format_number(ln.price, lang, max_decimals=2) if ln.price is not None else "-"
            for c in (str(ln.line_no), ln.sku, ln.name, format_quantity(ln.quantity, ln.unit, lang), price, amount):
                row.cell(c)
    pdf.ln(3)
    pdf.set_font(family, "B", 10)
    pdf.cell(0, 6, tr(lang, "Total: {amount}", amount=format_number(po.total, lang, max_decimals=2)), **nl)
    pdf.set_font(family, "", 9)
    pdf.ln(2)
    pdf.multi_cell(0, 5, tr(lang, "Please confirm this order and its delivery date by replying to this e-mail."), **nl)
    return bytes(pdf.output())
