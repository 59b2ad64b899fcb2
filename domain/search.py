"""Forgiving lookup of products by what people type: name, SKU, alias or barcode.

rapidfuzz's WRatio copes with word order, case and typos ("a4 papr" finds
"A4 copy paper 80g"); an exact SKU or barcode always wins."""
from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from .catalog.lookup import code_candidates
from .errors import DomainError
from .models import Barcode, Product
from .scanning import parse_scanned_text


WHOLE_NAME_CUTOFF = 75  # one name against the whole query: an inflection or a typo, not a different product


@dataclass(frozen=True)
class Match:
    product: Product
    score: float


def code_lookups_cover(text: str) -> bool:
    """Whether catalog.lookup.resolve_code(text), having found nothing, already rules out find_products'
    exact SKU and barcode (its SKU match is case-insensitive, and `text` is among its barcode forms)."""
    text = text.strip()
    try:
        return text.isascii() and text in code_candidates(parse_scanned_text(text))
    except DomainError:
        return False


async def find_products(session: AsyncSession, text: str, *, limit: int = 5, cutoff: float = 60,
                        code_not_found: bool = False) -> list[Match]:
    """code_not_found: resolve_code(text) has just found nothing in this transaction, so the exact SKU
    and barcode look-ups are skipped where it covered them (two statements per stock question by name)."""
    text = (text or "").strip()
    if not text:
        return []
    if not (code_not_found and code_lookups_cover(text)):
        exact = (await session.exec(select(Product).where(Product.sku == text.upper(), Product.active))).first()
        if exact is None:
            code = (await session.exec(select(Barcode).where(Barcode.code == text))).first()
            exact = await session.get(Product, code.product_id) if code else None
        if exact is not None:
            return [Match(exact, 100.0)]
    # Only the columns the matching reads: building an ORM object for every product on every search
    # cost more than the matching itself; the few ranked ones are loaded whole at the end.
    products = (await session.exec(select(Product.id, Product.name, Product.sku, Product.aliases)
                                   .where(Product.active).order_by(Product.id))).all()
    wanted = {utils.default_process(text), utils.default_process(text).rstrip("s")}
    named = [p for p in products if utils.default_process(p.name) in wanted
             or any(utils.default_process(a) in wanted for a in p.aliases.split(",") if a)]
    if len(named) == 1:  # the exact name (or an alias) beats any fuzzy score
        return [Match(await session.get(Product, named[0].id), 100.0)]
    choices: dict[int, str] = {}
    for i, p in enumerate(products):
        choices[i] = " ".join([p.name, p.sku, p.aliases.replace(",", " ")])
    found = process.extract(text, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit * 3, score_cutoff=cutoff)
    best: dict[int, float] = {}
    for _, score, idx in found:
        best[idx] = max(best.get(idx, 0), score)
    # Each name and alias on its own, whole-string similarity: an inflected or misspelt alias ("синих
    # виджетов" for "синий виджет") is diluted in the string of all names, and a partial match of a
    # short alias would find products nobody meant.
    names = [(i, n.strip()) for i, p in enumerate(products) for n in [p.name, *p.aliases.split(",")] if n.strip()]
    for _, score, pos in process.extract(text, [n for _, n in names], scorer=fuzz.token_sort_ratio,
                                         processor=utils.default_process, limit=limit * 3, score_cutoff=WHOLE_NAME_CUTOFF):
        idx = names[pos][0]
        best[idx] = max(best.get(idx, 0), score)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], products[kv[0]].name))[:limit]
    if not ranked:
        return []
    ids = [products[i].id for i, _ in ranked]
    loaded = {p.id: p for p in (await session.exec(select(Product).where(Product.id.in_(ids)))).all()}
    return [Match(loaded[products[i].id], s) for i, s in ranked]


CLEAR_MARGIN = 8  # points a best match must lead the next by to be taken without asking


def stands_out(scores: list[float], *, sure: float = 0, margin: float = CLEAR_MARGIN) -> bool:
    """Whether the first of `scores` (best first, 0-100) is clearly the one meant, so it is acted on
    without asking: the only one; or exact (100) while the next is not; or at least `sure` and `margin`
    ahead of the next. The one rule for products and customers alike."""
    if not scores:
        return False
    if len(scores) == 1:
        return True
    top, second = scores[0], scores[1]
    return top >= 100 > second or (top >= sure and top - second >= margin)


def clear_winner(matches: list[Match]) -> Match | None:
    """The one product match to act on without asking, when it stands out."""
    return matches[0] if stands_out([m.score for m in matches]) else None

