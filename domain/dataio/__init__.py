"""Bring your data: import and export of customers, products, stock, orders... as CSV or XLSX.

    report = await validate_file(session, "products", "products.xlsx")
    summary = await import_file(session, "products", "products.csv", dry_run=False, country="BG")
    await session.commit()
    await export_kind(session, "products", "xlsx", "products.xlsx")
"""
from .exporter import FORMATS, export_kind
from .importer import import_file, validate_file
from .kinds import KINDS, reserve_confirmed_orders
from .report import Report, RowError, Summary

__all__ = ["FORMATS", "KINDS", "Report", "RowError", "Summary", "export_kind", "import_file",
           "reserve_confirmed_orders", "validate_file"]
