"""Recognising "who changed order 1042?" in five languages, before the NLU.

A fixed phrasing (the trained intents have no such request): a "who changed" /
"history of" phrase together with the kind of record and its reference.

    request("who changed order 1042?")        -> ("order", "1042")
    request("кто менял заказ 1042")           -> ("order", "1042")
    request("история изменений клиента Acme") -> ("customer", "Acme")
    request("谁改了订单1042")                  -> ("order", "1042")
"""
from __future__ import annotations

import re

_L = r"[^\W\d_]*"  # the rest of an inflected word (letters only: "заказа", not "заказ1042")

# Kind -> its words: (words matched as whole words, words matched anywhere: Chinese has no spaces).
_KINDS: dict[str, tuple[list[str], list[str]]] = {
    "order": ([r"orders?", rf"заказ{_L}", rf"поръчк{_L}", rf"comand{_L}", rf"comenzi{_L}"], ["订单"]),
    "deal": ([r"deals?", rf"сделк{_L}", rf"afacer{_L}", rf"oportunit{_L}"], ["交易", "商机"]),
    "product": ([r"products?", "sku", r"items?", rf"товар{_L}", rf"продукт{_L}", rf"артикул{_L}", rf"produs{_L}"],
                ["产品", "商品"]),
    "customer": ([r"customers?", r"clients?", rf"клиент{_L}", rf"clien{_L}"], ["客户"]),
    "person": ([r"person", r"user", r"employee", rf"сотрудник{_L}", rf"пользовател{_L}", rf"служител{_L}",
                rf"потребител{_L}", rf"utilizator{_L}", rf"angajat{_L}"], ["员工", "用户"]),
    "invoice": ([r"invoices?", rf"сч[её]т{_L}", rf"фактур{_L}", rf"factur{_L}"], ["发票"]),
    "supplier": ([r"suppliers?", rf"поставщик{_L}", rf"доставчик{_L}", rf"furnizor{_L}"], ["供应商"]),
}
_KIND = re.compile("|".join(
    [rf"(?P<{kind}>(?<!\w)(?:{'|'.join(words)})(?![^\W\d_])" + (rf"|{'|'.join(zh)})" if zh else ")")
     for kind, (words, zh) in _KINDS.items()]), re.IGNORECASE)

# "who changed", in each language; and "history of" directly before the kind.
_WHO_CHANGED = re.compile(
    r"\bwho\b.{0,20}?\b(?:chang|edit|modifi|updat|touch|alter)\w*"
    r"|\bкто\b.{0,20}?\b(?:меня|изменя|изменил|помен|правил|редактир|трога|трогал)\w*"
    r"|\bкой\b.{0,20}?\b(?:промен|редактир|пипа|пипал)\w*"
    r"|\bcine\b.{0,20}?\b(?:modific|schimb|editat|editeaz)\w*"
    r"|谁.{0,4}(?:改|修改|更改|变更|动|编辑)",
    re.IGNORECASE)
_HISTORY_OF = re.compile(
    r"\b(?:change\s+)?(?:history|log|audit)\s+(?:of\s+|for\s+)?(?:changes\s+(?:to|of)\s+)?(?:the\s+)?$"
    r"|\bистори\w*\s+(?:изменений\s+)?$"
    r"|\bистори\w*\s+на\s+(?:промените\s+(?:на\s+)?)?$"
    r"|\bistoric\w*\s+(?:modific\w+\s+)?(?:pentru\s+|al\s+|a\s+)?$"
    r"|(?:修改|变更|更改)?(?:记录|历史)\s*[:：]?\s*$",
    re.IGNORECASE)
_NUMBER_WORD = re.compile(r"^\s*(?:#|№|no\.?|nr\.?|number|номер|номер\s+на|numărul)?\s*", re.IGNORECASE)
_ENDS = re.compile(r"[?!,;。？！，]")
_ONE_TOKEN = {"order", "deal", "invoice"}  # references without spaces


def request(text: str) -> tuple[str, str] | None:
    """(kind, reference) when the text asks who changed a record; the reference may be ""."""
    text = (text or "").strip()
    who = _WHO_CHANGED.search(text)
    for m in _KIND.finditer(text):
        if who is None and not _HISTORY_OF.search(text[:m.start()]):
            continue
        kind = m.lastgroup
        rest = text[m.end():]
        if who is not None and who.start() >= m.end():
            rest = text[m.end():who.start()]  # "order 1042 — who changed it?"
        rest = _ENDS.split(_NUMBER_WORD.sub("", rest), maxsplit=1)[0].strip(" .\"'«»“”—-")
        if kind in _ONE_TOKEN:
            rest = rest.split()[0] if rest.split() else ""
        return kind, rest
    return None


def matches(text: str) -> bool:
    return request(text) is not None
