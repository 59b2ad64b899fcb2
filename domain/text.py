"""Text people type that we keep: characters that hide or reorder what is shown are taken out,
and every kept field has a length limit.

Right-to-left overrides and zero-width characters let a name display as something else than
what it is ("Acme" that sorts and searches as another string, an invoice reference shown
backwards); control characters break lines, terminals and spreadsheets. None of them belongs
in a customer name, a product name or a note in the languages this assistant speaks.
"""
from __future__ import annotations

import re

from .errors import InvalidInput, N_

# Bidi embeddings, overrides and isolates; LRM/RLM/ALM marks; zero-width space, (non-)joiner,
# word joiner, BOM; soft hyphen; the interlinear annotation characters.
_HIDDEN = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff\u00ad\ufff9-\ufffb"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_DROP = re.compile(f"[{_HIDDEN}{_CONTROLS}]+")  # \t \n \r are not in _CONTROLS
# What a message may still carry: handheld scanners typing GS1 data send EOT and the FS/GS/RS/US
# separators (domain/scanning.py); they are dropped only where text is kept.
_DROP_INBOUND = re.compile(f"[{_HIDDEN}\x00-\x03\x05-\x08\x0b\x0c\x0e-\x1b\x7f-\x9f]+")
_BREAKS = re.compile("[\t\n\r\u2028\u2029\x85]+")
_LINE_SEPARATORS = re.compile("[\u2028\u2029\x85]")

NAME_CHARS = 200
CODE_CHARS = 64
NOTE_CHARS = 2000

# table -> column -> (limit, multi-line). Fields people fill in; what the assistant writes itself
# (statuses, audit rows, outbox bodies) is not listed.
_NAME, _CODE, _WORDS, _EMAIL = (NAME_CHARS, False), (CODE_CHARS, False), (NOTE_CHARS, False), (254, False)
_NOTE, _PARAGRAPH = (NOTE_CHARS, True), (500, True)
FIELDS: dict[str, dict[str, tuple[int, bool]]] = {
    "customers": {"name": _NAME, "code": _CODE, "aliases": _WORDS, "tags": _WORDS, "city": _NAME, "email": _EMAIL},
    "contacts": {"name": _NAME, "role": _NAME, "email": _EMAIL},
    "products": {"name": _NAME, "sku": _CODE, "unit": (32, False), "category": _NAME, "aliases": _WORDS},
    "suppliers": {"name": _NAME, "code": _CODE},
    "warehouses": {"name": _NAME, "code": _CODE},
    "users": {"name": _NAME},
    "client_groups": {"name": _NAME},
    "locations": {"code": _CODE},
    "barcodes": {"code": (128, False)},
    "counterparties": {"legal_name": _NAME, "tax_id": _CODE, "address": _PARAGRAPH},
    "deals": {"title": _NAME, "lost_reason": _PARAGRAPH},
    "interactions": {"note": _NOTE, "outcome": _NAME},
    "reminders": {"text": _NOTE},
    "mailings": {"body": _NOTE},
    "stock_moves": {"lot": _CODE},
    "stock_quants": {"lot": _CODE},
}


def clean(value: str, *, multi_line: bool = False) -> str:
    """value without hidden, bidi-control and control characters (line breaks kept when multi_line),
    with runs of spaces on a line left as typed and the ends trimmed."""
    value = _DROP.sub("", value)
    if multi_line:
        return _LINE_SEPARATORS.sub("\n", value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return _BREAKS.sub(" ", value).strip()


def strip_hidden(value: str) -> str:
    """An inbound message without hidden, bidi-control and control characters; tabs, line breaks
    and the scanner separators (EOT, FS, GS, RS, US) kept."""
    return _DROP_INBOUND.sub("", value)


TOO_LONG = {
    "name": N_("The name is too long ({length} characters; at most {limit})."),
    "code": N_("The code is too long ({length} characters; at most {limit})."),
    "text": N_("The text is too long ({length} characters; at most {limit})."),
}


def check_length(value: str, limit: int, what: str = "text") -> str:
    """what: "name", "code" or "text" (which words the refusal uses)."""
    if len(value) > limit:
        raise InvalidInput(TOO_LONG.get(what, TOO_LONG["text"]), length=len(value), limit=limit)
    return value


def _what(column: str) -> str:
    if column in ("code", "sku", "tax_id", "lot"):
        return "code"
    return "name" if column in ("name", "legal_name", "title") else "text"


def clean_field(table: str, column: str, value: str) -> str:
    """A value for table.column as it should be stored: cleaned, and refused when longer than its limit."""
    limit, multi = FIELDS.get(table, {}).get(column, (None, False))
    value = clean(value, multi_line=multi)
    if limit is not None:
        check_length(value, limit, _what(column))
    return value
