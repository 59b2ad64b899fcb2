"""The trained intent classifier: one spaCy pipeline per language with a
bag-of-words `textcat`, loaded once and cached."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from nlu.text import features

MODELS = Path(__file__).resolve().parent / "models"

INTENTS = (
    "log_interaction", "create_deal", "update_deal", "create_customer", "customer_info", "create_order",
    "order_status", "check_stock", "receive_stock", "move_stock", "start_picking", "count_stock",
    "replenishment_plan", "create_reminder", "list_tasks", "sales_report", "send_mailing", "help", "cancel", "unknown",
)


@lru_cache(maxsize=None)
def pipeline(lang: str):
    import spacy

    path = MODELS / lang
    if not path.exists():
        raise FileNotFoundError(f"no trained intent model for {lang!r} at {path}; run `python -m nlu.train`")
    return spacy.load(path)


def classify(text: str, lang: str) -> list[tuple[str, float]]:
    """All intents with their scores, best first."""
    doc = pipeline(lang)(features(text, lang))
    return sorted(doc.cats.items(), key=lambda kv: kv[1], reverse=True)
