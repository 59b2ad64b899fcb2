"""The supplier scorecard as a picture: on-time and fill rate, actual against quoted lead time."""
from __future__ import annotations

from domain.errors import N_
from domain.planning import SupplierPerformance

from .charts import Figure, _png

IDENTITY = lambda s: s  # noqa: E731


def scorecard_png(rows: list[SupplierPerformance], translate=IDENTITY) -> bytes:
    """Left: on-time and fill rate (%); right: mean actual and quoted lead time (days); one row per supplier."""
    rows = [r for r in rows if r.deliveries or r.fill_rate is not None] or rows
    labels = [r.code for r in rows]
    y = list(range(len(rows)))
    fig = Figure(figsize=(10, 1.2 + 0.45 * max(len(rows), 1)))
    left, right = fig.subplots(1, 2, sharey=True)
    h = 0.38
    left.barh([i - h / 2 for i in y], [100 * (r.on_time_rate or 0) for r in rows], h, label=translate(N_("On time")))
    left.barh([i + h / 2 for i in y], [100 * (r.fill_rate or 0) for r in rows], h, label=translate(N_("Fill rate")))
    left.set_xlim(0, 100)
    left.set_xlabel("%")
    left.set_yticks(y, labels)
    left.invert_yaxis()
    left.legend(loc="lower right", fontsize=8)
    right.barh([i - h / 2 for i in y], [r.lead_time_actual_days or 0 for r in rows], h,
               label=translate(N_("Lead time actual (d)")))
    right.barh([i + h / 2 for i in y], [r.lead_time_quoted_days or 0 for r in rows], h,
               label=translate(N_("Lead time quoted (d)")))
    right.set_xlabel(translate(N_("days")))
    right.legend(loc="lower right", fontsize=8)
    fig.suptitle(translate(N_("Supplier scorecard")))
    return _png(fig)
