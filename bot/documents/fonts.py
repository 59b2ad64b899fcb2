"""A Unicode font for PDFs (Cyrillic, Latin with diacritics): DejaVu Sans, which
matplotlib ships inside its wheel, so no system font package is needed."""
from __future__ import annotations

from pathlib import Path

import matplotlib


def dejavu(bold: bool = False) -> Path:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def add_fonts(pdf) -> str:
    pdf.add_font("DejaVu", "", str(dejavu()))
    pdf.add_font("DejaVu", "B", str(dejavu(True)))
    return "DejaVu"
