from pathlib import Path

from domain.dataio import import_file

FIXTURES = Path(__file__).parent / "fixtures"

# Dependency order: a file may only name what earlier files (or the database) hold.
ORDER = ["locations", "customers", "contacts", "products", "barcodes", "suppliers", "supplier_products", "stock",
         "orders", "order_lines", "purchase_orders", "purchase_order_lines", "boms", "sales_history"]


async def load(session, kind, path=None, **kw):
    summary = await import_file(session, kind, path or FIXTURES / f"{kind}.csv", country="BG", **kw)
    await session.commit()
    return summary


async def load_all(session):
    return {kind: await load(session, kind) for kind in ORDER}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
