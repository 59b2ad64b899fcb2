"""The process's heap after start-up, kept out of the garbage collector's way.

Start-up leaves a few hundred thousand long-lived objects (the language model, the ORM's
mappings, python-telegram-bot, the dialogue's flows). A full collection walks all of them:
0.1-0.9 s during which no update is answered, every few hundred updates (docs/benchmarks.md,
#24). They never become garbage, so they are moved to the permanent generation once
everything is loaded; later collections walk only what was made since."""
from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def freeze_startup_heap() -> int:
    """Moves every object tracked now out of the collections to come; returns how many.
    No collection first: that would be one more long pause, and start-up's few cycles of
    garbage are not worth it (frozen, they stay in memory)."""
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.debug("start-up heap frozen: %s objects", frozen)
    return frozen
