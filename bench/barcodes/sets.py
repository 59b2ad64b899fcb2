"""The photo sets the barcode benchmark reads, as one kind of record.

team         bench/barcodes/generate.py: the set the decoder was developed on
             (seeds 1, 2, 11 looked at; 3 reported).
independent  bench/barcodes/photogen: a generator written by someone who never
             read the decoder (other symbol writers, scenes, optics), run as
             `python -m photogen --seed N --out DIR`; the photos are written
             once under bench/out/ and read back from there.
A folder     any folder with photogen's manifest.jsonl (file, condition,
             symbology, text, raw per line), e.g. a set rendered elsewhere.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "barcodes"
# photogen's symbology names -> the scan contract's format names
_FORMAT = {"GS1-128": "Code128", "GS1-DataMatrix": "DataMatrix"}


@dataclass(frozen=True)
class Photo:
    name: str
    condition: str
    jpeg: bytes
    codes: tuple[tuple[str, str], ...]  # every (format, text) in the photo; () for a photo with no code
    symbology: str = ""
    extra: bool = False  # a condition reported apart from the original ones


def team_set(seed: int, per_condition: int, extra: bool = True) -> list[Photo]:
    from .generate import EXTRA, NEGATIVE, photo_set

    return [Photo(s.name, s.condition, s.jpeg, () if s.condition == NEGATIVE else tuple(s.codes), s.symbology or "",
                  s.condition in EXTRA)
            for s in photo_set(seed, per_condition, extra=extra)]


def independent_dir(seed: int) -> Path:
    """The independent set of `seed`, rendered on first use (a few minutes)."""
    out = OUT / f"independent-seed{seed}"
    if not (out / "manifest.jsonl").exists():
        out.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "photogen", "--seed", str(seed), "--out", str(out)], cwd=HERE, check=True)
    return out


def manifest_set(folder: Path) -> list[Photo]:
    """A folder with manifest.jsonl: one photo a line, with no code when its symbology is empty."""
    photos = []
    with open(folder / "manifest.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            symbology = row.get("symbology") or ""
            codes = ((_FORMAT.get(symbology, symbology), row["text"]),) if symbology and row.get("text") else ()
            photos.append(Photo(row["file"], row["condition"], (folder / row["file"]).read_bytes(), codes, symbology))
    return photos
