"""The words that finish a step of a flow ("done" with the lines of an order, a
bin's count, a delivery), in every language the bot speaks: one list, so that
a word that ends one flow ends all of them."""
from __future__ import annotations

DONE_WORDS = frozenset({"done", "ok", "finish", "end", "готово", "всё", "все", "край", "gata", "完成", "好了"})


def is_done(text: str | None) -> bool:
    """"done", "Готово." or "完成" -- any case, a full stop or "!" after it."""
    return (text or "").strip().strip(".!").strip().lower() in DONE_WORDS
