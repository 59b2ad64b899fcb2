"""Charts as PNG bytes, drawn with matplotlib's Agg backend (no display, thread-safe
enough when each chart has its own Figure and nothing touches pyplot's state)."""
from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from domain.errors import N_  # noqa: E402


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def funnel_png(title: str, stages: list[str], counts: list[int], amounts: list[str], lost: int, lost_label: str) -> bytes:
    """Horizontal funnel: one centred bar per stage, widest first, with count and amount."""
    fig = Figure(figsize=(6.4, 0.7 * len(stages) + 1.6))
    ax = fig.add_subplot()
    top = max(counts + [1])
    for i, (name, n, amount) in enumerate(zip(stages, counts, amounts)):
        y = len(stages) - 1 - i
        ax.barh(y, n, left=(top - n) / 2, color=("#2e7d32" if i == len(stages) - 1 else "#1565c0"), height=0.7)
        ax.text(top / 2, y, f"{name}: {n}  ·  {amount}", ha="center", va="center", color="white" if n > top * 0.45 else "black",
                fontsize=10, fontweight="bold")
    ax.set_xlim(0, top)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, fontsize=12)
    ax.text(top / 2, -1, f"{lost_label}: {lost}", ha="center", va="center", color="#c62828", fontsize=10)
    ax.set_ylim(-1.5, len(stages) - 0.5)
    return _png(fig)


ABC_XYZ_AXES = (N_("X steady"), N_("Y variable"), N_("Z irregular"), N_("A top 80%"), N_("B next 15%"), N_("C last 5%"))


def abc_xyz_png(title: str, counts: dict[str, int], revenue_share: dict[str, float],
                translate: Callable[[str], str] = lambda s: s) -> bytes:
    """3x3 grid: rows A/B/C, columns X/Y/Z, each cell the number of customers (and revenue share);
    translate: the reader's gettext for the axis labels."""
    import numpy as np

    grid = np.array([[counts.get(a + x, 0) for x in "XYZ"] for a in "ABC"])
    fig = Figure(figsize=(5.2, 4.6))
    ax = fig.add_subplot()
    ax.imshow(grid, cmap="Blues", vmin=0, vmax=max(1, grid.max()) * 1.3)
    for r, a in enumerate("ABC"):
        for c, x in enumerate("XYZ"):
            share = revenue_share.get(a + x, 0.0)
            ax.text(c, r, f"{a}{x}\n{grid[r, c]}\n{share:.0%}", ha="center", va="center", fontsize=12)
    axes = [translate(label) for label in ABC_XYZ_AXES]
    ax.set_xticks(range(3), axes[:3])
    ax.set_yticks(range(3), axes[3:])
    ax.set_title(title, fontsize=12)
    return _png(fig)
