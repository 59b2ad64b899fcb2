"""Spreadsheets people sent, kept only until they confirm or drop the import.

A file lives in the temporary folder from its upload to the import (or its refusal); it is
deleted when the person cancels or starts something else (Turn.end/goto, after the commit), and
a sweep deletes whatever is older than `limits.upload_ttl_minutes` (an upload nobody answered).
"""
from __future__ import annotations

import logging
import tempfile
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

UPLOADS = Path(tempfile.gettempdir()) / "qm-uploads"


def save(data: bytes, suffix: str) -> Path:
    UPLOADS.mkdir(parents=True, exist_ok=True)
    path = UPLOADS / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    return path


def discard(path: str | Path | None) -> None:
    """Deletes an upload; only files in the uploads folder (the path comes from stored state)."""
    if not path:
        return
    path = Path(path)
    if path.parent == UPLOADS:
        path.unlink(missing_ok=True)


def sweep(max_age_s: float, now: float | None = None) -> int:
    """Deletes uploads older than max_age_s; returns how many."""
    if not UPLOADS.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - max_age_s
    n = 0
    for path in UPLOADS.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                n += 1
        except OSError:  # taken by another process's sweep meanwhile
            continue
    if n:
        log.info("deleted %d unconfirmed upload(s)", n)
    return n
