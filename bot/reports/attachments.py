"""Attachments an outbox row describes ({"render": NAME, "args": {...}}) drawn at send time,
for whichever channel sends the row (Telegram, e-mail)."""
from __future__ import annotations

from collections.abc import Callable

from .charts import abc_xyz_png, funnel_png
from .tables import table_xlsx

RENDERERS: dict[str, Callable[..., bytes]] = {"funnel_png": funnel_png, "abc_xyz_png": abc_xyz_png,
                                              "table_xlsx": table_xlsx}
