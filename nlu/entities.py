"""Rule-based entity extraction: a spaCy SpanRuler marks the words of each
language's lexicon (units, currencies, number words, stages, channels, anchor
words), regular expressions find codes, phones, numbers and dates, and a few
intent-aware rules pick mentions (customer, product, supplier) as written."""
from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from nlu import dates
from nlu.lexicon import get as lexicon
from nlu.numbers import compose, read_chinese, tidy
from nlu.text import BIN_RE, BIN_SHORT_RE, CODE_RE, bg_latin_to_cyr, fold, is_bg_latin, is_mostly_latin, lat2cyr

# lexicon attribute -> span label
_WORD_LISTS = {
    "ORDER_WORDS": "ORDERW", "CUSTOMER_WORDS": "CUSTW", "SUPPLIER_WORDS": "SUPW", "PRODUCT_WORDS": "PRODW",
    "FOR_WORDS": "FORW", "WITH_WORDS": "WITHW", "FROM_WORDS": "FROMW", "TO_WORDS": "TOW", "IN_WORDS": "INW",
    "BIN_WORDS": "BINW", "OF_WORDS": "OFW", "REMIND_WORDS": "REMIND", "LOST_BECAUSE": "BECAUSE",
    "NOTE_WORDS": "NOTEW", "DEAL_WORDS": "DEALW", "STOCK_WORDS": "STOCKW", "TODAY": "DATEW", "TOMORROW": "DATEW",
    "AFTER_TOMORROW": "DATEW", "YESTERDAY": "DATEW", "NEXT_WEEK": "DATEW",
}
_MAPS = {"UNITS": "UNIT", "CURRENCIES": "CUR", "STAGES": "STAGE", "CHANNELS": "CHANNEL"}
# a mention ends where one of these begins
_STOP_LABELS = {"CUR", "STAGE", "CHANNEL", "ORDERW", "CUSTW", "SUPW", "FORW", "FROMW", "TOW", "BINW",
                "REMIND", "BECAUSE", "NOTEW", "DEALW", "DATEW", "STOCKW", "WITHW", "WD", "NEXT"}
_ZH_STOP = set("的了吗呢吧在是有要把给和跟从到还多少几送个请帮我们你他她它这那么查")
_PUNCT = set(",.;:!?()[]{}\"«»“”„|/\\，。；：！？、-–—→") | {"->", "w/", "--"}
# words that may sit inside a company name written in capitals ("Petrov & Sons", "Bank of Sofia")
_NAME_JOINERS = {"&", "and", "of", "de", "и", "și", "si", "von", "van", "the"}
_MONEY_SCALE = r"(?:\s*(k|к|тыс\.?|тысяч[аи]?|хил\.?|хиляди|хиляда|mii|mie|млн\.?|лям(?:а|ов)?|лимон(?:а|ов)?|mln|million|thousand|grand|千|万|бона|тыщ[иа]?|тыр)(?![A-Za-z\u0400-\u04ff]))?"
# a number: not glued to a preceding word or code; a unit may follow without a space ("5шт", "10kg")
_DIGITS = re.compile(r"(?<![A-Za-z0-9\u0400-\u04ff/#№-])(?<!\d[.,:])(\d{1,3}(?:[ \u00a0,.]\d{3})+(?![\d])|\d+(?:[.,]\d+)?)" + _MONEY_SCALE + r"(?![\d:/]|[.,]\d|-\d)")
_SIZE_AFTER = re.compile(r"\s?(?:mm|мм|cm|см|inch|inches|дюйм[а-я]*|инч[а]?|toli|țoli|寸|毫米|厘米)(?![A-Za-z0-9\u0400-\u04ff])")
_ZH_NUMERAL = re.compile(r"[零一二两三四五六七八九十百千万\d]+")
_SCALE_VALUES = {"k": 1000, "к": 1000, "тыс": 1000, "тыс.": 1000, "тысяч": 1000, "тысяча": 1000, "тысячи": 1000,
                 "хил": 1000, "хил.": 1000, "хиляди": 1000, "хиляда": 1000, "mii": 1000, "mie": 1000, "бона": 1000,
                 "тыщ": 1000, "тыщи": 1000, "тыща": 1000, "тыр": 1000,
                 "млн": 1_000_000, "млн.": 1_000_000, "лям": 1_000_000, "ляма": 1_000_000, "лямов": 1_000_000,
                 "лимон": 1_000_000, "лимона": 1_000_000, "лимонов": 1_000_000, "mln": 1_000_000, "million": 1_000_000, "thousand": 1000,
                 "grand": 1000, "千": 1000, "万": 10000}
# slang scales that name the currency too: "5 бона" (thousand leva), "150 тыр" (thousand roubles)
_SCALE_CURRENCY = re.compile(r"(бона|тыр)$")
_SCALE_AFTER = re.compile(r"\s?(?:k|к|хил|тыс|mii)(?![a-zа-я])")
# "x20", "х 20", "*20": a count written with a times sign
_TIMES_QTY = re.compile(r"(?<![A-Za-z0-9\u0400-\u04ff])[xх×*]\s?(\d+)(?![\d.,:]|-\d)")
# places that are not bins: warehouses and the special locations, in any case
# (codes are ASCII: a Chinese character right next to one is a boundary, "MAIN仓"; "in main" is the main warehouse)
_PLACES = re.compile(r"(?<![A-Za-z0-9_\u0400-\u04ff-])(?:(dock[- ]?in|dock[- ]?out|quarantine|карантин[а-я]*|carantin[aăe]*|隔离区|收货区)|(?-i:(MAIN|NORTH|EAST|TRANSIT))"
                     r"|(north|east|main|varna|plovdiv)\s+(?:depot|warehouse|wh)|(?:(?<=\bin )|(?<=\bat )|(?<=\bto )|(?<=\bfrom ))(main)"
                     # the warehouses named as people name them (issue #20): main/central, and the cities of NORTH and EAST
                     r"|((?:main|central)\s+(?:warehouse|depot|store|wh)|(?:главн|центральн|основн|централн)[а-я]*\s+склад[а-я]*"
                     r"|склад[а-я]*\s+(?:главн|центральн|основн)[а-я]*|depozit(?:ul)?\s+(?:principal|central)|主仓库|主仓|总仓|中心仓"
                     # "от централния към Варна", "с основного": the main warehouse named by its adjective alone
                     r"|(?:(?<=от )|(?<=към )|(?<=из )|(?<=до )|(?<=с ))(?:главн|централн|основн|центральн)(?:ия|ият|ого)"
                     # "на главном насчитали", "HAR-080 на главном": the main warehouse by its adjective after "на"/"в"
                     # ("основном" is left out: "в основном" is "mostly")
                     r"|(?:(?<=на )|(?<=в ))(?:главн|центральн)ом)"
                     r"|((?:(?:depozit(?:ul)?(?:\s+din)?|склад[а-я]*(?:\s+(?:в|във|во))?|warehouse|depot)\s+)?(?:varna|варн(?:ата|а|е|у|ы|ой)|瓦尔纳)"
                     r"(?:\s+(?:depot|warehouse|site))?(?:仓库|仓)?)"
                     r"|((?:(?:depozit(?:ul)?(?:\s+din)?|склад[а-я]*(?:\s+(?:в|във|во))?|warehouse|depot)\s+)?(?:plovdiv|пловдив(?:а|е|у|ом)?|普罗夫迪夫)"
                     r"(?:\s+(?:depot|warehouse|site))?(?:仓库|仓)?))(?![A-Za-z0-9_\u0400-\u04ff]|-(?!>))", re.I)
# warehouses named by a word or a city: places only where stock is meant ("all customers in Varna" is an audience)
_WAREHOUSE_INTENTS = {"check_stock", "move_stock", "count_stock", "receive_stock", "replenishment_plan", "start_picking"}
_PLACE_NAMES = {"varna": "NORTH", "plovdiv": "EAST"}
# an order's warehouse is named as where it ships from ("ship from Plovdiv", "со склада в Варне",
# "din depozitul principal", "从主仓发货"); a customer's own city in an order is no place
_SHIP_FROM = re.compile(r"(?:(?<![\w])(?:from|out of|din|de la|из|со|с|от)\s+(?:the\s+|our\s+)?|从|由)$", re.I)
# bins written without separators or with spaces: A0102, a 01 02
_BIN_LOOSE = re.compile(r"(?<![A-Za-z0-9_-])([A-Da-dPp])[ ]?(\d{2})[ ]?(\d{2})(?![A-Za-z0-9_-])")
# bins typed on a Cyrillic keyboard: "а-6-1", "п-1-2", "В-01-03" (В looks like B, Б sounds like it)
_BIN_CYR = re.compile(r"(?<![\w-])([абвсдпрАБВСДПР])-?(\d{1,2})-(\d{1,2})(?![\w-])")
# and the scanner's compact form on a Cyrillic keyboard: "а0301"
_BIN_CYR_LOOSE = re.compile(r"(?<![\w-])([абвсдпрАБВСДПР])(\d{2})(\d{2})(?![\w-])")
_CYR_ZONE = {"а": "A", "б": "B", "в": "B", "с": "C", "д": "D", "п": "P", "р": "P"}  # "р" looks like "p"


def canon_bin(code: str) -> str:
    """A bin in the company's form: zone letter(s), then two-digit aisle and level ("a-1-2" -> "A-01-02")."""
    m = re.fullmatch(r"([A-Za-z]{1,3})[- ]?(\d{1,2})[- ](\d{1,2})", code.strip())
    return _zone_bin(m.group(1), m) if m else code.strip().upper()


def _zone_bin(zone: str, m: re.Match) -> str:
    """A bin of this zone whose aisle and level are groups 2 and 3 of m, in the company's form."""
    return f"{zone.upper()}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


# The ways a bin is written, tried in this order (a later one never takes what an earlier one found),
# each with how it reads in the company's form.
_BIN_FORMS = ((BIN_RE, lambda m: canon_bin(m.group(0))),
              (_BIN_LOOSE, lambda m: _zone_bin(m.group(1), m)),
              (BIN_SHORT_RE, lambda m: _zone_bin(m.group(1), m)),
              (_BIN_CYR, lambda m: _zone_bin(_CYR_ZONE[m.group(1).lower()], m)),
              (_BIN_CYR_LOOSE, lambda m: _zone_bin(_CYR_ZONE[m.group(1).lower()], m)))


_LANG_REGION = {"en": "BG", "bg": "BG", "ro": "RO", "ru": "RU", "zh": "CN"}
# the company's markets: a local number that is valid in none of the writer's own is tried in these
# ("0744 123 987", a Romanian mobile, in an English message; "139 1234 5678", a Chinese one, in Russian)
_MARKETS = ("BG", "RO", "RU", "CN")
_PHONE_HINT = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def patterns(lang: str) -> list[dict]:
    """The lexicon of `lang` as SpanRuler phrase patterns (label, folded phrase, canonical id)."""
    lx = lexicon(lang)
    out = []

    def add(label, phrase, ident=None):
        phrase = fold(phrase)
        variants = [phrase]
        if lang == "ru":  # typed without the soft sign, or read back from Latin letters
            variants.append(phrase.replace("ь", ""))
        if lang == "bg" and "ъ" in phrase:  # typed in Latin letters, "ъ" is written "a" or "u" ("zvanqh", "poruchka")
            variants += [phrase.replace("ъ", "а"), phrase.replace("ъ", "у")]
        for v in dict.fromkeys(variants):
            if v:
                item = {"label": label, "pattern": v}
                if ident is not None:
                    item["id"] = str(ident)
                out.append(item)

    for word, value in lx.NUMBERS.items():
        add("NUM", word, value)
    for word, value in lx.SCALES.items():
        if value:
            add("SCALE", word, value)
    for attr, label in _MAPS.items():
        for canon, forms in getattr(lx, attr).items():
            for form in [canon, *forms] if attr == "UNITS" else forms:
                add(label, form, canon)
    for attr, label in _WORD_LISTS.items():
        for phrase in getattr(lx, attr, []):
            add(label, phrase)
    for i, forms in enumerate(lx.WEEKDAYS):
        for form in forms:
            add("WD", form, i)
    for phrase in lx.NEXT:
        add("NEXT", phrase)
    return out


def _matcher(lang: str):
    """The language's pipeline and its span_ruler (they live with the trained textcat)."""
    from nlu.intents import pipeline

    nlp = pipeline(lang)
    return nlp, nlp.get_pipe("span_ruler")


class _Doc:
    """The message as the rules see it: original text, folded text with the same
    offsets, tokens and lexicon spans."""

    def __init__(self, text: str, lang: str):
        self.original = text
        self.lang = lang
        self.src: list[int] | None = None
        folded = fold(text)
        if lang == "ru" and is_mostly_latin(folded):
            folded, self.src = lat2cyr(folded)  # Russian typed in Latin letters
        elif lang == "bg" and is_bg_latin(folded):
            folded, self.src = bg_latin_to_cyr(folded)  # Bulgarian typed in Latin letters
        self.text = folded
        nlp, ruler = _matcher(lang)
        doc = ruler(nlp.make_doc(folded))
        self.tokens = [(t.idx, t.idx + len(t.text), t.text) for t in doc]
        self.spans = sorted(((s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans["qm"]),
                            key=lambda s: (s[0], -(s[1] - s[0])))
        self.by_start: dict[int, list[tuple]] = {}
        for s in self.spans:
            self.by_start.setdefault(s[0], []).append(s)
        self.taken: list[tuple[int, int]] = []
        self.product_span: tuple[int, int] | None = None
        self.qty_span: tuple[int, int] | None = None
        self.customer_span: tuple[int, int] | None = None
        self.places: list[tuple[int, int]] = []
        letters = [c for c in text if c.isalpha()]
        self.has_case = any(c.islower() for c in letters) and any(c.isupper() for c in letters)

    def orig(self, start: int, end: int) -> str:
        """The original text for a span of the folded text."""
        if self.src is None:
            return self.original[start:end]
        if start >= len(self.src):
            return ""
        a = self.src[start]
        b = self.src[end] if end < len(self.src) else len(self.original)
        return self.original[a:b]

    def is_taken(self, start: int, end: int) -> bool:
        return any(start < e and s < end for s, e in self.taken)

    def take(self, start: int, end: int) -> None:
        self.taken.append((start, end))

    def labels_at(self, pos: int) -> set[str]:
        return {s[2] for s in self.by_start.get(pos, ())}

    def first(self, label: str, after: int = 0):
        for s in self.spans:
            if s[2] == label and s[0] >= after:
                return s
        return None

    def all(self, label: str):
        return [s for s in self.spans if s[2] == label]


def extract(text: str, lang: str, intent: str, now: datetime, region: str = "BG", names=None) -> dict:
    d = _Doc(text, lang)
    lx = lexicon(lang)
    out: dict = {}
    _phones(d, out, region)
    _orders(d, lx, out, intent)
    _locations(d, out, intent)
    _skus(d, out)
    _known_names(d, out, intent, names)
    found, used = dates.find(d.text, lang, now, d.is_taken,
                             lambda pos: bool(d.labels_at(pos) & {"UNIT", "CUR", "SCALE"}) or bool(_SCALE_AFTER.match(d.text, pos)))
    for f in used:
        d.take(f.start, f.end)
    d.date_spans = [(f.start, f.end) for f in used]
    out.update(found)
    numbers = _numbers(d, lx)
    if intent in ("order_status", "start_picking") and "order_ref" not in out:
        # "start picking 2231", "track 5512": a bare whole number names the order
        for s, e, v, kind in numbers:
            if kind == "digits" and not d.is_taken(s, e) and v >= 10 and float(v).is_integer() and not d.labels_at(_skip_space(d, e)) & {"UNIT", "CUR"}:
                out["order_ref"] = d.orig(s, e).strip()
                d.take(s, e)
                break
    _money(d, numbers, out, intent)
    qty = _quantity(d, numbers, out, intent)
    if intent == "count_stock" and "quantity" not in out and _EMPTY.search(d.text):
        out["quantity"] = 0  # "A-01-02 empty", "P-02-03 пусто", "空了": counted nothing
    _unit_alone(d, out, intent)
    _stage_channel(d, out, intent)
    _mentions(d, lx, out, intent, qty)
    return out


_EMPTY = re.compile(r"(?<![\w])(?:empty|nothing (?:left|there)|пуст[а-я]*|ничего нет|празн[а-я]*|няма нищо|gol|goal[aă]|nimic)(?![\w])"
                    r"|空了|空的|没货了|是空", re.I)
_NO_NAMES = {"unknown", "help", "cancel"}


def _known_names(d: _Doc, out: dict, intent: str, index) -> None:
    """Customers, suppliers and products the company has, found by the gazetteer (nlu.names)."""
    from nlu.langid import known_words

    if index is None or intent in _NO_NAMES:
        return
    for m in index.find(d.original, known_words(d.lang)):
        if m.kind in out or m.kind == "product" and intent == "list_tasks":
            continue
        if m.kind == "customer" and not m.whole and intent in ("receive_stock", "replenishment_plan"):
            continue  # "30 кор. от BALK": a short name where goods come in is the sender's, not a customer's
        s, e = _to_folded(d, m.start, m.end)
        if d.is_taken(s, e):
            continue
        if m.kind == "product" and any(u[0] <= s and e <= u[1] for u in d.all("UNIT")) \
                and re.search(r"\d\s*$", d.text[:s]):
            continue  # "60 кашона ...": a unit after its number, though a product is also called so
        out[m.kind] = _tidy(d.original[m.start:m.end])
        d.take(s, e)
        if m.kind == "product":
            d.product_span = (s, e)
        elif m.kind == "customer":
            d.customer_span = (s, e)


def _skip_space(d: _Doc, pos: int) -> int:
    while pos < len(d.text) and d.text[pos] == " ":
        pos += 1
    return pos


# --- codes ------------------------------------------------------------------------------

def _phones(d: _Doc, out: dict, region: str) -> None:
    if not _PHONE_HINT.search(d.original):
        return
    import phonenumbers

    # a local number is the writer's market's: the given region first, then the language's country
    # ("0722 123 456" from a Romanian writer, "8 921 ..." from a Russian one, "手机139..." from a Chinese one)
    zh = d.lang == "zh"
    text = re.sub(r"(?<=[\u3400-\u9fff])(?=[+\d])", " ", d.original) if zh else d.original
    first = list(dict.fromkeys([region, _LANG_REGION.get(d.lang, region)]))
    for reg in dict.fromkeys(first + list(_MARKETS)):
        for m in phonenumbers.PhoneNumberMatcher(text, reg):
            # another market's number (a Romanian mobile in an English message): only a whole
            # national number (9+ digits), never a count or an order number that happens to be valid
            if reg not in first and len(re.sub(r"\D", "", m.raw_string)) < 9:
                continue
            out["phone"] = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
            at = d.original.find(m.raw_string) if zh else m.start
            if at >= 0:
                d.take(*_to_folded(d, at, at + len(m.raw_string)))
            return
    m = re.search(r"\+\d[\d\s().-]{7,}\d", d.original)  # numbers the library deems invalid but clearly meant
    if m:
        digits = re.sub(r"\D", "", m.group(0))
        if 8 <= len(digits) <= 15:
            out["phone"] = "+" + digits
            d.take(*_to_folded(d, m.start(), m.end()))


def _to_folded(d: _Doc, start: int, end: int) -> tuple[int, int]:
    if d.src is None:
        return start, end
    a = next((i for i, s in enumerate(d.src) if s >= start), len(d.src))
    b = next((i for i, s in enumerate(d.src) if s >= end), len(d.src))
    return a, b


@lru_cache(maxsize=None)
def _order_rx(lang: str):
    words = sorted({fold(w) for w in lexicon(lang).ORDER_WORDS}, key=len, reverse=True)
    alt = "|".join(re.escape(w) for w in words)
    code = r"([a-zа-я]{1,4}-?\d{2,}|\d{2,})"
    if lang == "zh":
        return re.compile(r"(?:(?:" + alt + r")\s*(?:号|#|no\.?)?\s*[:：]?\s*#?\s*" + code + r"|#\s*" + code + r"|" + code + r"\s*号订单|(?<![a-z0-9-])((?:so|po|ord)-?\d{2,})(?![a-z0-9-]))", re.I)
    return re.compile(r"(?<![\w])(?:(?:" + alt + r")\s*(?:#|№|no\.?|nr\.?|n\.|number|num|номер|номера|номер:|:)?\s*#?\s*" + code
                      + r"|(?:#|№)\s*" + code + r"|(?:so|po|ord)-?\d{2,})(?![\w-])", re.I)


def _orders(d: _Doc, lx, out: dict, intent: str) -> None:
    for m in _order_rx(d.lang).finditer(d.text):
        if d.is_taken(m.start(), m.end()):
            continue
        idx = next((i for i in range(1, (m.lastindex or 0) + 1) if m.group(i)), None)
        span = (m.start(idx), m.end(idx)) if idx else (m.start(), m.end())
        value = d.orig(*span).strip()
        # "order 10 boxes": a small number followed by a unit is a quantity, not an order
        rest = d.text[span[1]:span[1] + 24].lstrip()
        if value.isdigit() and len(value) < 4 and any(
                lab in ("UNIT", "NUM") for lab in d.labels_at(span[1] + (len(d.text[span[1]:]) - len(d.text[span[1]:].lstrip())))):
            continue
        if value.isdigit() and len(value) < 3 and not d.text[m.start():span[0]].strip().endswith(("#", "№")):
            continue
        del rest
        if re.fullmatch(r"(?i)(so|po|ord)-?\d+", value):
            value = re.sub(r"(?i)^(so|po|ord)-?", lambda p: p.group(1).upper() + "-", value)  # "so-1015", "SO1015" -> "SO-1015"
        out.setdefault("order_ref", value)
        d.take(m.start(), m.end())
        return
    # a purchase order written in Cyrillic or Chinese ("ПО 2624", "采购单2621"): its number
    m = re.search(r"(?<![\w-])(?:ПО|采购单|采购订单)\s*[-№#]?\s*(\d{3,})(?!\d)", d.original)
    if m:
        s, e = _to_folded(d, m.start(), m.end())
        if not d.is_taken(s, e):
            out.setdefault("order_ref", m.group(1))
            d.take(s, e)


def _locations(d: _Doc, out: dict, intent: str) -> None:
    bins = []
    for form, code_of in _BIN_FORMS:
        for m in form.finditer(d.original):
            s, e = _to_folded(d, m.start(), m.end())
            if not d.is_taken(s, e) and not any(b[0] < e and s < b[1] for b in bins):
                bins.append((s, e, code_of(m)))
    for m in _PLACES.finditer(d.original):
        s, e = _to_folded(d, m.start(), m.end())
        if d.is_taken(s, e) or any(b[0] < e and s < b[1] for b in bins):
            continue
        if (m.group(5) or m.group(6) or m.group(7)) and intent not in _WAREHOUSE_INTENTS \
                and not (intent == "create_order" and _SHIP_FROM.search(d.original[:m.start()])):
            continue
        if m.group(1):
            word = m.group(1).lower().replace(" ", "-")
            code = ("QUARANTINE" if word.startswith(("quar", "каран", "carant", "隔离")) else
                    "DOCK-IN" if word.endswith("in") or word == "收货区" else "DOCK-OUT")
        elif m.group(2):
            code = m.group(2)
        elif m.group(3):
            code = _PLACE_NAMES.get(m.group(3).lower(), m.group(3).upper())
        else:
            code = "NORTH" if m.group(6) else "EAST" if m.group(7) else "MAIN"
        bins.append((s, e, code))
    # "zone B", "зона Б", "rack 3"
    for s in d.all("BINW"):
        m = re.match(r"\s*([a-zа-я]\d{0,2}|\d{1,2})(?![\w-])", d.text[s[1]:])
        if m and not any(b[0] <= s[1] + m.end() and s[1] < b[1] for b in bins):
            a, b = s[1] + m.start(1), s[1] + m.end(1)
            if not d.is_taken(a, b):
                bins.append((a, b, d.orig(a, b).upper()))
    bins.sort()
    d.places = [(s, e) for s, e, _ in bins]
    for s, e, _ in bins:
        d.take(s, e)
    if not bins:
        return
    if intent == "move_stock":
        roles = []
        for s, e, code in bins:
            # "to the Plovdiv depot", "into their bin": an article or possessive between the marker and the place
            before = re.sub(r"(?:(?<=\s)(?:the|our|their|its|his|her)\s+)+$", "", d.text[max(0, s - 20):s])
            before_words = re.findall(r"[\w>→-]+", before)
            prev = before_words[-1] if before_words else ""
            if d.lang == "zh":  # no spaces: the marker is whatever the text before ends with
                prev = next((w for w in sorted(_word_set("zh", "FROM_WORDS") | _word_set("zh", "TO_WORDS"), key=len, reverse=True)
                             if before.rstrip().endswith(w)), prev)
            if any(re.search(r"(?<!\w)" + re.escape(fold(w)) + r"\s*$", fold(before)) for w in _phrases(d.lang, "FROM_WORDS")):
                roles.append("from_location")  # "de la B-06-01": the "la" is not "to"
            elif prev in _word_set(d.lang, "FROM_WORDS"):
                roles.append("from_location")
            elif prev in _word_set(d.lang, "TO_WORDS") or prev.endswith(("->", "→", ">")):
                roles.append("to_location")
            elif prev in _word_set(d.lang, "BIN_WORDS") and len(before_words) > 1 and before_words[-2] in _word_set(d.lang, "FROM_WORDS"):
                roles.append("from_location")
            elif prev in _word_set(d.lang, "BIN_WORDS") and len(before_words) > 1 and before_words[-2] in _word_set(d.lang, "TO_WORDS"):
                roles.append("to_location")
            else:
                roles.append(None)
        if len(bins) >= 2:
            if roles[0] is None:
                roles[0] = "to_location" if roles[1] == "from_location" else "from_location"
            if roles[1] is None or roles[1] == roles[0]:
                roles[1] = "to_location" if roles[0] == "from_location" else "from_location"
        for (s, e, code), role in zip(bins, roles):
            out.setdefault(role or "location", code)
    else:
        out["location"] = bins[0][2]


@lru_cache(maxsize=None)
def _phrases(lang: str, attr: str) -> tuple:
    return tuple(w for w in getattr(lexicon(lang), attr, []) if " " in w)


@lru_cache(maxsize=None)
def _word_set(lang: str, attr: str) -> frozenset:
    return frozenset(fold(w) for w in getattr(lexicon(lang), attr, []) if " " not in w)


def _skus(d: _Doc, out: dict) -> None:
    for m in CODE_RE.finditer(d.original):
        s, e = _to_folded(d, m.start(), m.end())
        if d.is_taken(s, e):
            continue
        code = m.group(0)
        if not re.search(r"[A-Za-z]", code) or not re.search(r"\d", code):
            continue
        if re.fullmatch(r"[A-Za-z]\d{2,}", code) and "-" not in code and not code[0].isupper():
            continue
        out["sku"] = code
        d.take(s, e)
        return


# --- numbers, money, quantity -----------------------------------------------------------

def _numbers(d: _Doc, lx) -> list[tuple[int, int, float, str]]:
    """All numbers not already part of a code or date: (start, end, value, kind)."""
    found = []
    if d.lang == "zh":
        for m in _ZH_NUMERAL.finditer(d.text):
            raw = m.group(0)
            if d.is_taken(m.start(), m.end()) or raw.isdigit():
                continue
            nxt = d.labels_at(m.end())
            if not ({"UNIT", "CUR"} & nxt) and d.text[m.end():m.end() + 1] != "个" and not re.search(r"\d", raw):
                continue  # "一下", "一起": a numeral character that is no number
            if raw == "一" and d.text[m.end():m.end() + 1] == "个":
                continue  # "一个" is mostly the article "a"
            value = read_chinese(raw)
            if value is not None:
                found.append((m.start(), m.end(), float(value), "words"))
    for m in _TIMES_QTY.finditer(d.text):
        if not d.is_taken(m.start(1), m.end(1)):
            found.append((m.start(1), m.end(1), float(m.group(1)), "digits"))
    for m in _DIGITS.finditer(d.text):
        if d.is_taken(m.start(), m.end()) or any(s <= m.start() < e for s, e, _, _ in found):
            continue
        if d.text[m.end():m.end() + 2].lstrip().startswith("%"):
            continue  # a percentage is neither a quantity nor an amount
        if _SIZE_AFTER.match(d.text, m.end()):
            continue  # "57mm", "140 см", "24 дюйма": a size in a product's name, not a count
        raw = m.group(1)
        raw = re.sub(r"[ \u00a0,.]", "", raw) if re.fullmatch(r"\d{1,3}(?:[ \u00a0,.]\d{3})+", raw) else raw.replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            continue
        if m.group(2):
            value *= _SCALE_VALUES.get(m.group(2).strip(), 1)
        found.append((m.start(), m.end(), value, "digits"))
    if d.lang == "zh":
        # "盘点C-01-01：9袋": a number right after a code and a colon
        for m in re.finditer(r":(\d+)", d.text):
            if d.is_taken(m.start() - 1, m.start()) and not d.is_taken(m.start(1), m.end(1)) \
                    and not any(s <= m.start(1) < e for s, e, _, _ in found):
                found.append((m.start(1), m.end(1), float(m.group(1)), "digits"))
        return sorted(found)
    parts_spans = [s for s in d.spans if s[2] in ("NUM", "SCALE") and not d.is_taken(s[0], s[1])]
    joiners = {fold(j) for j in lx.NUMBER_JOINERS} | {"-"}
    run: list[tuple] = []

    def flush():
        if not run:
            return
        has_num = any(r[2] == "NUM" for r in run)
        # (a slang million is a whole amount too: "лям руб.")
        if has_num or any(len(r_text) > 3 or r_text == "лям" for r_text in (d.text[r[0]:r[1]] for r in run)):
            # "a hundred", "o mie": the article counts as one
            value = compose([("num" if r[2] == "NUM" else "scale", float(r[3])) for r in run])
            if value is not None and not any(s <= run[0][0] < e for s, e, _, _ in found):
                found.append((run[0][0], run[-1][1], value, "words"))
        run.clear()

    ambiguous = {fold(w) for w in getattr(lx, "AMBIGUOUS_NUMBERS", ())}
    parts_spans = [sp for sp in parts_spans if not (d.text[sp[0]:sp[1]] in ambiguous and not _unit_follows(d, sp[1]))]
    for sp in parts_spans:
        if run:
            gap = d.text[run[-1][1]:sp[0]].strip()
            if sp[0] < run[-1][1]:
                continue
            if gap and gap not in joiners:
                flush()
            elif sp[2] == "NUM" and run[-1][2] == "NUM" and float(run[-1][3]) < 20 and float(sp[3]) < 10 and not gap:
                flush()  # "two three" is not twenty-three
        run.append(sp)
    flush()
    # digits followed by a scale word: "5 тысяч", "two hundred" handled above
    return sorted(found)


@lru_cache(maxsize=None)
def _glued_units(lang: str) -> dict[str, str]:
    return {fold(form).rstrip("."): canon for canon, forms in lexicon(lang).UNITS.items() for form in [canon, *forms]}


def _unit_follows(d: _Doc, pos: int) -> bool:
    m = re.match(r"\s*(?:de\s+)?", d.text[pos:])
    return "UNIT" in d.labels_at(pos + m.end())


def _money(d: _Doc, numbers, out: dict, intent: str = "") -> None:
    curs = d.all("CUR")
    if not any(not d.is_taken(c[0], c[1]) for c in curs) and intent in ("create_deal", "update_deal"):
        # "~15k", "bump the deal to 18k": a number in thousands on a deal is its amount
        for s, e, value, kind in numbers:
            if kind == "digits" and re.search(r"\d\s*(k|к|тыс|тыщ|хил|mii|千|万|бона|тыр)", d.text[s:e]) and not d.is_taken(s, e):
                out["amount"] = tidy(value)
                slang = _SCALE_CURRENCY.search(d.text[s:e])
                if slang:
                    out["currency"] = "BGN" if slang.group(1) == "бона" else "RUB"
                d.take(s, e)
                return
        return
    for i, (s, e, value, kind) in enumerate(numbers):
        after = d.text[e:e + 3]
        gap = len(after) - len(after.lstrip())
        cur = next((c for c in curs if c[0] == e + gap and not d.is_taken(c[0], c[1])), None)
        if cur is None:
            before = d.text[max(0, s - 6):s]
            cur = next((c for c in curs if c[1] <= s and s - c[1] <= 1 and before.strip()), None)
        if cur is None:
            slang = _SCALE_CURRENCY.search(d.text[s:e])
            if slang and not d.is_taken(s, e):
                out["amount"] = tidy(value)
                out["currency"] = "BGN" if slang.group(1) == "бона" else "RUB"
                d.take(s, e)
                return
            continue
        out["amount"] = tidy(value)
        out["currency"] = cur[3]
        d.take(min(s, cur[0]), max(e, cur[1]))
        return


def _quantity(d: _Doc, numbers, out: dict, intent: str):
    units = d.all("UNIT")
    free = [n for n in numbers if not d.is_taken(n[0], n[1])]
    if not free:
        return None
    chosen = None
    for n in free:
        after = d.text[n[1]:n[1] + 4]
        gap = len(after) - len(after.lstrip())
        if after[gap:gap + 2] in ("x ", "х ") or after[gap:gap + 1] in ("x", "х") and len(after) > gap + 1 and after[gap + 1] == " ":
            gap += 2  # "20 x boxes"
        unit = next((u for u in units if u[0] == n[1] + gap), None)
        if unit is None and d.lang in ("ro",):
            after_de = re.match(r"\s*de\s+", d.text[n[1]:])  # "douăzeci de cutii"
            if after_de:
                unit = next((u for u in units if u[0] == n[1] + after_de.end()), None)
        if unit:
            chosen = (n, unit)
            break
    if chosen is None:
        # "50шт", "10kg": a unit glued to its number is one token, which the lexicon's spans miss
        for n in free:
            m = re.match(r"[a-zа-я]+\.?|[\u4e00-\u9fff]", d.text[n[1]:].lstrip(" ") if d.lang == "zh" else d.text[n[1]:])
            canon = m and _glued_units(d.lang).get(m.group(0).rstrip("."))
            if canon:
                chosen = (n, (n[1], n[1] + m.end(), "UNIT", canon))
                break
    if chosen is None:
        # "nouă" is nine and "new"; "one" is a number and a pronoun: digits win
        digits = [n for n in free if n[3] == "digits"]
        chosen = ((digits or free)[0], None)
    (s, e, value, _), unit = chosen
    out["quantity"] = tidy(value)
    d.qty_span = (s, e)
    d.take(s, e)
    end = e
    if unit:
        _put_unit(d, unit, out)
        end = unit[1]
    return end


def _unit_code(lang: str, canon: str) -> str | None:
    """The company's unit code, the same in every language ("коробок", "кутии", "箱" → "box");
    None for a counting word that is no unit of stock ("3台打印机")."""
    lx = lexicon(lang)
    return None if canon in getattr(lx, "COUNT_WORDS", ()) else lx.UNIT_CODES.get(canon, canon)


def _put_unit(d: _Doc, unit, out: dict, take: bool = True) -> None:
    code = _unit_code(d.lang, unit[3])
    if code:
        out["unit"] = code
    if take:
        d.take(unit[0], unit[1])


# units a stock question names without a number ("how many boxes are left"); words that are also
# verbs or common words elsewhere ("set", "can", "case", "pack") are not read without a number
_UNITS_ALONE = {"pcs", "box", "carton", "pallet", "roll", "ream", "bag", "bottle", "crate", "drum", "kg"}


# "per ream", "за пачку", "pe top", "每令": the unit a price is given in
_PER = {"en": r"(?:per|a|an|/|each)", "ru": r"(?:за|/)", "bg": r"(?:за|на|/)", "ro": r"(?:pe|per|/)", "zh": r"每"}


def _unit_alone(d: _Doc, out: dict, intent: str) -> None:
    if "unit" in out:
        return
    if "amount" in out:
        for unit in d.all("UNIT"):
            before = d.text[max(0, unit[0] - 6):unit[0]]
            if not d.is_taken(unit[0], unit[1]) and re.search(("" if d.lang == "zh" else r"(?<![\w])") + _PER[d.lang] + r"\s*$", before) \
                    and _unit_code(d.lang, unit[3]):
                _put_unit(d, unit, out)
                return
    if intent != "check_stock":
        return
    # a one-letter unit ("m", "l", "g") is no unit without its number; "pack" and "can" are English verbs
    alone = _UNITS_ALONE | ({"pack"} if d.lang != "en" else set())
    for unit in d.all("UNIT"):
        if _unit_code(d.lang, unit[3]) in alone and not d.is_taken(unit[0], unit[1]) and unit[1] - unit[0] >= 2 - (d.lang == "zh"):
            _put_unit(d, unit, out, take=False)  # the product mention reads past it as before
            return


# --- words ------------------------------------------------------------------------------

# a lost-deal phrase that is itself the reason ("went with a competitor", "ушли к конкуренту")
_REASON_IN_STAGE = re.compile(r"compet|конкурент|concuren|竞争|别家|друг|другого|alt |другия|chose|choose|избра|ales|选了", re.I)


def _stage_channel(d: _Doc, out: dict, intent: str) -> None:
    if intent == "sales_report":  # "how many deals did we win", "в стадии переговоров": the report's filter
        stage = d.first("STAGE")
        if stage:
            out["stage"] = stage[3]
            d.take(stage[0], stage[1])
    if intent in ("update_deal", "create_deal"):
        stage = d.first("STAGE")
        if stage:
            out["stage"] = stage[3]
            d.take(stage[0], stage[1])
            if stage[3] == "lost":
                because = d.first("BECAUSE", stage[1])
                if because:
                    start = because[1]
                else:
                    # "we lost the Orion deal, they chose a cheaper supplier": the reason follows the break
                    brk = re.search(r"[,;:.!]\s|\s[-—–]+\s|\s*->\s*|(?<=[\u4e00-\u9fff])[,;:.!]", d.text[stage[1]:])
                    start = stage[1] + brk.end() if brk else stage[1]
                    deal = d.first("DEALW", start)
                    if not brk and deal and deal[0] - start < 40:
                        start = deal[1]  # "lost the acme deal price was too high"
                reason = _clean(d.orig(start, len(d.text)))
                if not reason and stage[0] > 0:
                    # "price too high, lost the Acme deal" — reason before the stage word is rarer; skip
                    reason = ""
                if not reason and _REASON_IN_STAGE.search(d.text[stage[0]:stage[1]]):
                    reason = _clean(d.orig(stage[0], stage[1]))
                if reason:
                    out["lost_reason"] = reason
    if intent == "log_interaction":
        ch = _channel(d)
        if ch:
            out["channel"] = ch[3]


@lru_cache(maxsize=None)
def _vague_channels(lang: str) -> frozenset:
    return frozenset(fold(w) for w in lexicon(lang).CHANNEL_VAGUE)


def _channel(d: _Doc):
    """The first channel word, unless it only says "wrote" and a later one says how ("wrote to them on viber")."""
    spans = d.all("CHANNEL")
    if not spans:
        return None
    vague = _vague_channels(d.lang)
    first = spans[0]
    if d.text[first[0]:first[1]] in vague:
        plainer = next((s for s in spans if s[0] >= first[1] and d.text[s[0]:s[1]] not in vague), None)
        return plainer or first
    return first


def _clean(text: str) -> str:
    text = text.strip(" \t,.;:!-—–()\"'：，。；")
    text = re.sub(r"^(because of|because|since|as|due to|of|потому что|из-за|защото|заради|pentru că|deoarece|din cauza|因为)\s+", "", text, flags=re.I)
    return text.strip(" \t,.;:!-—–")


def _walk(d: _Doc, pos: int, lx, max_tokens: int = 5, skip_stop: int = 0, backward: bool = False,
          name: bool = True) -> tuple[int, int] | None:
    """Collects the words of a mention starting at `pos` (or ending at it, backward)."""
    stop = lx.STOP
    toks = [t for t in d.tokens if (t[0] >= pos if not backward else t[1] <= pos)]
    if backward:
        toks = toks[::-1]
    got: list[tuple] = []
    skipped = 0
    skip_of = False
    from nlu.langid import known_words

    known = known_words(d.lang)
    zh = d.lang == "zh"
    for i, t in enumerate(toks):
        s, e, w = t
        if got and not backward and not zh and (name or w == "-") and _inside_name(d, toks, i):
            got.append(t)  # "Гранит-Строй", "«Пиксель»", "Sf. Maria": punctuation inside a name
            continue
        if w in _PUNCT or all(c in _PUNCT for c in w) or d.is_taken(s, e):
            break
        if zh and got and _cjk(w) and _cjk(got[-1][2]) and d.text[min(e, got[-1][1]):max(s, got[-1][0])].isspace():
            break  # "盘点 挂锁": a space between Chinese words ends a phrase
        glued = zh and w.isdigit() and _in_latin_code(d, s, e)
        if zh and (w in _ZH_STOP or w.isdigit() and not glued):
            if not got and skipped < skip_stop:
                skipped += 1
                continue
            break
        labels = d.labels_at(s)
        if "UNIT" in labels and not got and not backward \
                and not (zh and not re.search(r"(?:[\d零一二两三四五六七八九十百千万几]|多少)\s*$", d.text[:s])):
            skip_of = True  # "how many boxes of paper": the unit is not the product ("包装材料" has no count: a word)
            continue
        if skip_of and not got and w in ("of", "de", "от", "的"):
            continue
        if labels & _STOP_LABELS or "NUM" in labels and not got:
            if not got and skipped < skip_stop and labels <= {"FORW", "WITHW", "TOW", "FROMW", "INW", "NUM"}:
                skipped += 1
                continue
            break
        if name and got and not zh and w in _LEGAL_FORMS and d.orig(s, e).isupper():
            got.append(t)
            break
        if w in stop or w.isdigit() and not glued:
            if not got and skipped < skip_stop:
                skipped += 1
                continue
            break
        if not got and w in lx.LEADING_DROP:
            continue
        if name and got and not zh and not backward and d.has_case:
            first, this = d.orig(got[0][0], got[0][1]), d.orig(s, e)
            if first[:1].isupper() and this[:1].islower() and w not in _NAME_JOINERS \
                    and w in known and "UNIT" not in labels:
                break  # "Polaris Group went great": the name ends at an ordinary lower-case word ("Орион кафе" goes on)
        got.append(t)
        if len(got) >= (max_tokens * 2 if zh else max_tokens):
            break
    if not got:
        return None
    if backward:
        got = got[::-1]
    return got[0][0], got[-1][1]


_LEGAL_FORMS = {"sa", "srl", "ood", "eood", "ad", "ltd", "llc", "ооо", "еоод", "оод", "ад", "зао", "оао", "пао"}
_QUOTES_OPEN, _QUOTES_CLOSE = ("«", "\"", "“", "„"), ("»", "\"", "”", "“")


def _inside_name(d: _Doc, toks, i: int) -> bool:
    """A hyphen between two words without spaces, a quoted name, or an abbreviation's stop ("Sf.", "nr.")
    followed by a capitalised word: the name goes on."""
    s, e, w = toks[i]
    if d.is_taken(s, e):
        return False
    prev_end = toks[i - 1][1] if i else -1
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if w == "-" and prev_end == s and nxt and nxt[0] == e and nxt[2][:1].isalpha():
        return True
    if w in _QUOTES_OPEN and nxt and d.orig(nxt[0], nxt[1])[:1].isupper():
        return True
    if w in _QUOTES_CLOSE and any(d.text[t[0]:t[1]] in _QUOTES_OPEN for t in toks[:i]):
        return True
    if w in _NAME_JOINERS and d.has_case and i and nxt and d.orig(toks[i - 1][0], toks[i - 1][1])[:1].isupper() \
            and d.orig(nxt[0], nxt[1])[:1].isupper() and not d.is_taken(*nxt[:2]) and not d.labels_at(nxt[0]) & _STOP_LABELS:
        return True  # "Fabrica de Pâine Cluj", "Bank of Sofia": a joiner between capitalised words
    if w == "." and prev_end == s and i and len(toks[i - 1][2]) <= 3 and toks[i - 1][2].isalpha() and nxt \
            and d.orig(nxt[0], nxt[1])[:1].isupper():
        return True
    return False


def _cjk(w: str) -> bool:
    return bool(w) and "\u3400" <= w[0] <= "\u9fff"


def _in_latin_code(d: _Doc, s: int, e: int) -> bool:
    """Digits glued to Latin letters ("A4纸", "C4信封", "57mm"): part of a product's name, not a count."""
    return (s > 0 and d.text[s - 1].isascii() and d.text[s - 1].isalpha()) or (e < len(d.text) and d.text[e].isascii() and d.text[e].isalpha())


def _mention(d: _Doc, span) -> str | None:
    if not span:
        return None
    return _tidy(d.orig(*span)) or None


_ABBREV_END = {"corp", "bros", "intl", "ltda"}


def _tidy(text: str) -> str:
    """A mention without quotes, a possessive "'s", or a sentence's full stop ("This is Acme Trading.");
    an abbreviation keeps its stop ("Ltd.", "Co.", "А.С.")."""
    inner = text.strip(" '\"«»“”")
    text = inner if not re.search(r"\w\s*[«“„]", text) else text.strip(" '")
    text = re.sub(r"(?:'s|’s|'|’)$", "", text)
    last = re.search(r"(\w+)\.$", text)
    if last and len(last.group(1)) >= 4 and last.group(1).lower() not in _ABBREV_END and "." not in text[last.start() - 1:last.start()]:
        text = text[:-1]
    return text


_CUSTOMER_INTENTS = {"create_order", "create_deal", "update_deal", "log_interaction", "customer_info", "create_reminder",
                     "order_status", "create_customer", "send_mailing"}
_PRODUCT_INTENTS = {"create_order", "receive_stock", "move_stock", "count_stock", "check_stock", "create_deal",
                    "log_interaction", "replenishment_plan", "start_picking"}


_PERSON_AT = re.compile(r"\s+(?:from|at|@|of|из|от|de la|din)\s+")


def _mentions(d: _Doc, lx, out: dict, intent: str, qty_end) -> None:
    """Customer, supplier and product mentions (each span taken once found), then the note."""
    cust = None
    if intent in _CUSTOMER_INTENTS and "customer" not in out:
        cust = _customer_span(d, lx, intent)
        if cust and d.lang != "zh":
            # "spoke w/ Ivan at Balkan Trade", "звонила Ольга из Северного Ветра": a person, then their company
            m = _PERSON_AT.match(d.text, cust[1])
            company = _walk(d, m.end(), lx) if m else None
            if company and d.orig(company[0], company[0] + 1).isupper():
                cust = company
        _keep(d, out, "customer", cust)
    if cust:
        d.customer_span = cust
    if intent in ("receive_stock", "replenishment_plan", "create_order") and "supplier" not in out:
        _keep(d, out, "supplier", _supplier_span(d, lx, intent))
    if intent in _PRODUCT_INTENTS and "product" not in out:
        _keep(d, out, "product", _product_span(d, lx, intent, qty_end))
    if intent == "send_mailing" and "product" not in out:
        _keep(d, out, "product", _offer_span(d, lx))
    if intent in ("send_mailing", "log_interaction", "create_deal") and "product" not in out:
        _keep(d, out, "product", _about_span(d, lx, intent))
    if "product" in out and d.product_span:
        _spec_grows_back(d, out)
    if intent in _PRODUCT_INTENTS and "product" in out and d.product_span and qty_end is not None \
            and qty_end <= d.product_span[0]:
        # "8 headsets, 8 laptop stands": the gazetteer knew the second item, the first one listed is the product
        first = _walk(d, qty_end + (re.match(r"\s*(?:of\s+|de\s+|от\s+)?", d.text[qty_end:]).end()), lx, name=False)
        if first and first[1] < d.product_span[0] and re.match(r"\s*(?:[,;]|\s(?:and|и|și|si|та)\s)", d.text[first[1]:]):
            _keep(d, out, "product", first)
    if intent == "order_status" and "product" not in out:
        _keep(d, out, "product", _awaited_span(d, lx))
    if intent in _PRODUCT_INTENTS and "product" not in out:
        _keep(d, out, "product", _unknown_run(d, lx, intent))
    if "product" in out and getattr(d, "product_span", None):
        _unwrap_contract(d, lx, out)
        _whole_product(d, lx, out)
    note = _note(d, intent, cust)
    if note:
        out["note"] = note


# what a customer waits for in a status question: the goods after a possessive or an arrival verb
# ("when their chairs arrive", "когда приедут их стулья", "кога ще пристигнат столовете им", "când ajung scaunele",
# "他们的椅子什么时候到")
_AWAITED = {
    "en": r"(?<![\w])(?:their|our|my|his|her)\s+",
    "ru": r"(?<![\w])(?:(?:приедут|придут|привезут|доставят|приедет|придёт|придет|будут)\s+(?:(?:их|наши|наш|наша|мои|его|её|ее)\s+)?|(?:их|наши)\s+)",
    "bg": r"(?<![\w])(?:пристигнат|пристигне|дойдат|дойде|доставят|доставите|стигнат|идват|идва)\s+(?:(?:им|ни|наши|техните)\s+)?",
    "ro": r"(?<![\w])(?:ajung|ajunge|vin|vine|sosesc|sosește|soseste|livrati|livrați)\s+",
    "zh": r"(?:他们的|我们的|她们的)",
}
_AWAITED_END = re.compile(r"\s+(?:arrive|arrives|arriving|come|coming|get|be|is|are|will|ship|shipped|left|went|delivered|got)(?![\w]).*$"
                          r"|(?:什|啥|何时|到|怎|还没|能到|会到|哪).*$", re.S)


def _awaited_span(d: _Doc, lx):
    rx = _AWAITED.get(d.lang)
    for m in re.finditer(rx, d.text) if rx else ():
        if d.is_taken(m.start(), m.end()):
            continue
        span = _walk(d, m.end(), lx, max_tokens=3, name=False)
        if not span:
            continue
        cut = _AWAITED_END.search(d.text[span[0]:span[1]])
        end = span[0] + cut.start() if cut else span[1]
        if end > span[0]:
            return span[0], end
    return None


# the words of a supply deal around the goods ("disinfectant annual supply", "годовой контракт на бумагу",
# "поставки канцтоваров", "年度纸张供应"): the goods are the product
_CONTRACT_AFTER = re.compile(r"(?:\s+(?:annual|yearly|monthly|weekly|regular))?\s+(?:supply|supplies contract|contract|deal)$"
                             r"|(?<=[\u4e00-\u9fff])(?:供应|供货|合同|采购)$")
_CONTRACT_BEFORE = re.compile(r"^(?:(?:годов\w*|ежемесячн\w*|постоянн\w*|регулярн\w*)\s+)?(?:контракт\w*|договор\w*|поставк\w*|поставок)$"
                              r"|^(?:(?:annual|yearly|monthly)\s+)?(?:supply|contract)$|^(?:年度|每月|长期)(?=[\u4e00-\u9fff]{2})")


def _unwrap_contract(d: _Doc, lx, out: dict) -> None:
    s, e = d.product_span
    text = d.text[s:e]
    m = _CONTRACT_AFTER.search(text)
    if m and m.start() > 0 and not (text[:m.start()].endswith("supplies") and "supplies" not in m.group(0)):
        e = s + m.start()
    m = _CONTRACT_BEFORE.search(d.text[s:e])
    if m and m.end() < e - s:
        s = s + m.end()  # "年度纸张": the Chinese prefix alone
    elif m:
        # "контракт на бумагу", "поставки канцтоваров", "supply of toner": the goods after the contract word
        of = re.match(r"\s+(?:на|of|for|de|за)?\s*", d.text[e:])
        nxt = _walk(d, e + of.end(), lx, max_tokens=3, name=False) if of else None
        if not nxt:
            return
        s, e = nxt
    if (s, e) != d.product_span and e > s:
        d.product_span = (s, e)
        d.take(s, e)
        out["product"] = _tidy(d.orig(s, e))


def _keep(d: _Doc, out: dict, key: str, span) -> None:
    value = _mention(d, span)
    if value:
        out[key] = value
        d.take(*span)
        if key == "product":
            d.product_span = span


# the cities a Chinese company name may start with ("上海华贸有限公司", "杭州文具城")
_ZH_CITIES = "上海|北京|深圳|广州|杭州|天津|成都|苏州|厦门|宁波|南京|武汉|重庆|青岛|西安|长沙|郑州|东莞|佛山|无锡|大连|沈阳|济南|福州|合肥|昆明"
# a Chinese company name: an optional city, a few characters and a trade word or legal form ("杭州远航文具",
# "明达商贸", "北京恒通科技有限公司"); the characters before it that are verbs or particles are not part of it
_ZH_COMPANY = re.compile(r"((?:" + _ZH_CITIES + r")?"
                         r"[\u4e00-\u9fff]{2,4}?(?:贸易|商贸|文具|科技|办公|五金|包装|集团|酒店|商行|实业|电子|物流|印务|食品|家具|用品|超市|餐饮|医院|学校|诊所|药房)"
                         # a shop or market's own word after the trade ("文具城", "五金店", "家具馆")
                         r"(?:城|店|馆|中心)?(?:有限公司|股份有限公司|公司)?)")
_ZH_CITY = re.compile(_ZH_CITIES)
_ZH_LEAD = "帮给和跟与向是为替把让从到跟要订找问查看新建个客户档案加添录入叫了的：:，, "


def _zh_company(d: _Doc):
    """The first Chinese company name in the text, not already taken."""
    for m in _ZH_COMPANY.finditer(d.text):
        s, e = m.start(1), m.end(1)
        city = _ZH_CITY.search(d.text, s + 1, e - 3)
        if city:
            s = city.start()  # "显示杭州文具城", "请为杭州文具城": the name starts at its city
        while s < e - 3 and d.text[s] in _ZH_LEAD and not d.text[s:s + 2] in ("上海", "北京"):
            s += 1
        if not d.is_taken(s, e) and e - s >= 4:
            return s, e
    return None


def _customer_span(d: _Doc, lx, intent: str):
    cust = None
    if d.lang == "zh" and intent != "send_mailing":
        cust = _zh_company(d)
        if cust:
            return cust
    sp = d.first("CUSTW")
    if sp:
        # "new customer: ИП Козлов", "client nou - Fabrica Nord": the name after a colon or dash
        colon = re.match(r"\s*[:：—–-]\s*", d.text[sp[1]:])
        cust = _walk(d, sp[1] + (colon.end() if colon else 0), lx, max_tokens=6 if intent == "create_customer" else 4, skip_stop=1)
    if not cust and intent in ("create_deal", "update_deal"):
        sp = d.first("DEALW")
        if sp:
            after = _first_label(d, ("FORW", "WITHW"), sp[1], within=3)
            cust = (_walk(d, after[1], lx) if after else None) or _walk(d, sp[0], lx, backward=True, max_tokens=3)
    if not cust and intent in ("log_interaction", "create_reminder"):
        sp = d.first("CHANNEL")
        if sp:
            cust = _walk(d, sp[1], lx, skip_stop=1)
            if cust and d.has_case and d.orig(*cust)[:1].islower():
                cust = _capitalised(d) or cust  # "met the owner" in a text that names "Green Leaf Hostel"
    if not cust:
        found = [c for label in ("FORW", "WITHW") for sp in d.all(label) for c in [_walk(d, sp[1], lx)] if c]
        # "remind me on friday to send the quote to Acme": in a text with capitals, the capitalised
        # mention is the name, not the verb after the first "to"
        named = [c for c in found if d.orig(*c)[:1].isupper()] if d.has_case else []
        cust = (named or found or [None])[0]
    if not cust and intent in ("customer_info", "create_customer", "create_deal", "update_deal", "log_interaction",
                               "create_order", "order_status"):
        cust = _capitalised(d)
    return cust


_ZH_LATIN_SENDER = re.compile(r"\s*([a-z][a-z0-9&.' -]*[a-z0-9.])\s*(?=送来|送了|发来|发了|到了|的货|那边|来货)")


def _supplier_span(d: _Doc, lx, intent: str):
    if d.lang == "zh" and intent == "receive_stock":
        found = _zh_company(d)
        if found:
            return found
    sp = d.first("SUPW")
    sup = _walk(d, sp[1], lx, skip_stop=1) if sp else None
    if sup and d.has_case and d.orig(*sup)[:1].islower():
        # "from Aqua Rila (new supplier I think)": a lower-case walk after "supplier" is no name when a
        # capitalised one follows "from"
        named = next((s for f in d.all("FROMW") for s in [_walk(d, f[1], lx)] if s and d.orig(*s)[:1].isupper()), None)
        sup = named or sup
    if not sup and intent not in ("create_order", "check_stock", "count_stock"):
        # ("колко имаме от сините химикалки": in a stock question "from" is "of", never a sender)
        sup = next((s for sp in d.all("FROMW") for s in [_walk(d, sp[1], lx)] if s), None)
    if not sup and d.lang == "zh" and intent == "receive_stock":
        # "OFFX送来…": a sender written in Latin letters opens the line, right before the verb
        m = _ZH_LATIN_SENDER.match(d.text)
        if m and not d.is_taken(m.start(1), m.end(1)) and not CODE_RE.fullmatch(m.group(1)):
            sup = (m.start(1), m.end(1))
    if not sup and intent == "replenishment_plan" and d.lang == "ru":
        # "что дозаказать у CLEAN": whom we buy from, after "у", written with a capital
        m = re.search(r"(?<![\w-])у\s+", d.text)
        named = _walk(d, m.end(), lx) if m else None
        if named and d.orig(*named)[:1].isupper():
            sup = named
    if not sup and intent == "receive_stock":
        first = _capitalised(d)  # "Балкан Уолсейл разтоварихме, 9 палета": the sender opens the line
        if first and not d.text[:first[0]].strip():
            sup = first
    return sup


# "瓦尔纳有A3纸吗", "隔离区还有环保海绵吗": a Chinese stock question, the thing between "有" and "吗"
_ZH_HAVE = re.compile(r"(?:还有|有没有|有)\s*([^吗么嘛?？，,。！!\s]{1,12}?)\s*(?:吗|么|嘛|没有|\?|？)")


def _product_span(d: _Doc, lx, intent: str, qty_end):
    sp = d.first("PRODW")
    prod = _walk(d, sp[1], lx, skip_stop=1, name=False) if sp else None
    if not prod and d.lang == "zh" and intent == "check_stock" and qty_end is None:
        m = _ZH_HAVE.search(d.text)
        if m and not d.is_taken(m.start(1), m.end(1)) and not re.search(r"多少|几|货|库存", m.group(1)):
            prod = m.start(1), m.end(1)
    if not prod and d.lang == "zh" and d.qty_span and "\u4e00" <= d.text[d.qty_span[0] - 1:d.qty_span[0]] <= "\u9fff":
        # "盘点 挂锁28个", "数了 订书机12个": a product written right before its count, a phrase of its own
        back = _walk(d, d.qty_span[0], lx, max_tokens=3, backward=True, name=False)
        if back and d.text[back[0] - 1:back[0]] in ("", " ", "，", ",", "：", ":", "、"):
            prod = back
    if not prod and qty_end is not None:
        of = re.match(r"\s*(of|de|от)\s+|\s*", d.text[qty_end:])
        prod = _walk(d, qty_end + (of.end() if of else 0), lx, name=False)
    if not prod and intent == "check_stock":
        for sp in d.all("STOCKW"):
            prod = _walk(d, sp[1], lx, skip_stop=3, name=False) or (_walk(d, sp[0], lx, backward=True, name=False) if d.lang == "zh" else None)
            if prod:
                break
    if not prod and d.qty_span and d.lang != "zh":
        # "корректоров 46", "b-03-03 шурупы 14 кг", "盘点 挂锁28个": the product before its count, after a break
        back = _walk(d, d.qty_span[0], lx, max_tokens=2, backward=True, name=False)
        verb = next((t for t in reversed(d.tokens) if back and t[1] <= back[0]), None)
        if back and (_after_break(d, back[0]) or verb and verb[2] in lx.STOP and verb[2].isalpha() and len(verb[2]) > 3
                     and _after_break(d, verb[0])):
            prod = back  # also "от Nordic пришли кронштейны 200 шт": a verb after the break, then the product
    if not prod and intent in ("create_deal", "update_deal", "create_order") and d.customer_span:
        # "new deal Acme, highlighters, 10k": the part after the customer's; "deal Acme, lead, toner":
        # after the stage word that follows it as well
        pos = d.customer_span[1]
        sep = r"\s*[,:—–\-，：、]+\s*" if d.lang != "zh" else r"\s*[,:—–\-，：、]+\s*|\s+|(?:开个|开一个|建个|建一个|新建)?商机[，,：:\s]*"
        m = re.match(sep, d.text[pos:])
        stage = d.first("STAGE", pos)
        if m and stage and stage[0] == pos + m.end() and d.is_taken(stage[0], stage[1]):
            after = re.match(sep, d.text[stage[1]:])
            m, pos = (after, stage[1]) if after else (None, pos)
        if m:
            prod = _walk(d, pos + m.end(), lx, max_tokens=4, name=False)
    if not prod and intent in _STOCK_LINES and d.qty_span and d.lang != "zh" \
            and re.search(r"[,;]\s*$", d.text[:d.qty_span[0]]):
        # "приняли чай зелёный, 48 пачек": the product, a comma, then its count
        comma = d.text[:d.qty_span[0]].rstrip().rstrip(",;").rstrip()
        back = _walk(d, len(comma), lx, max_tokens=3, backward=True, name=False)
        lead = d.text[:back[0]].rstrip() if back else ""
        if back and not (lead and d.is_taken(len(lead) - 1, len(lead))):  # "OfficeX приехал, 3 паллеты": a verb after a name
            prod = _without_verb(d, back)
    if not prod and intent in ("move_stock", "receive_stock", "check_stock") and d.places:
        prod = _before_place(d, lx)
    if not prod and intent == "replenishment_plan":
        # "replen plan for paper products", "план пополнения по бумаге": what the plan is for, not a name
        for m in re.finditer(r"(?<![\w-])(?:" + _REPLEN_ABOUT.get(d.lang, "(?!)") + r")\s+", d.text):
            span = _walk(d, m.end(), lx, max_tokens=3, name=False)
            if span and d.orig(*span)[:1].islower() and d.text[span[0]:span[1]].split()[0] not in _PLAN_WORDS:
                prod = span
                break
    if not prod and intent == "move_stock" and len(d.tokens) > 1 and d.lang != "zh":
        prod = _walk(d, d.tokens[1][0], lx, name=False)  # "transfer napkins from B-01-01 ...": after the verb
    return prod


_STOCK_LINES = {"move_stock", "receive_stock", "check_stock", "count_stock"}
_REPLEN_ABOUT = {"ru": "по", "bg": "за", "ro": "pentru|la", "en": "for|of"}
_PLAN_WORDS = {"попълване", "попълването", "зареждане", "пополнение", "пополнения", "пополнению", "дозаказу", "replenishment",
               "restock", "restocking", "reorder", "reordering", "replen", "aprovizionare", "reaprovizionare", "plan", "план",
               "planul", "next", "this"}


def _before_place(d: _Doc, lx):
    """"чай с DOCK-IN в A-05-01", "put away the coffee from DOCK-IN": the words before the first place and its
    "from" word, without the verb a sentence starts with; in Chinese, "DOCK-IN的咖啡": the words after "place的"."""
    s, e = d.places[0]
    if d.lang == "zh":
        m = re.match(r"的", d.text[e:])
        return _walk(d, e + m.end(), lx, name=False) if m else None
    before = d.text[:s].rstrip()
    frm = next((w for w in sorted(_word_set(d.lang, "FROM_WORDS") | _word_set(d.lang, "IN_WORDS")
                                  | {fold(p) for p in _phrases(d.lang, "FROM_WORDS")},
                                  key=len, reverse=True) if re.search(r"(?<!\w)" + re.escape(w) + "$", before)), None)
    if not frm:
        return None
    span = _walk(d, len(before) - len(frm), lx, max_tokens=3, backward=True, name=False)
    if not span:
        return None
    return _without_verb(d, span)


def _without_verb(d: _Doc, span):
    """A span at the start of the message without a first word that is a verb of moving stock (the lexicon's
    stop words have most of them; "разложи чай" -> "чай"); a single word stays."""
    toks = [t for t in d.tokens if span[0] <= t[0] and t[1] <= span[1]]
    if len(toks) > 1 and not d.text[:toks[0][0]].strip() and toks[0][2] in lexicon(d.lang).STOP:
        toks = toks[1:]
    return toks[0][0], toks[-1][1]


def _unknown_run(d: _Doc, lx, intent: str):
    """The first run of words the templates do not have ("do we stock recycled toner cartridges?",
    "есть удлинители на 5 розеток?"): in a stock message, the product's name, whatever it is."""
    from nlu.langid import known_words

    if d.lang == "zh" or intent != "check_stock":  # elsewhere an unknown word is as often a verb ("доставили")
        return None
    known, run = known_words(d.lang), []
    for i, (s, e, w) in enumerate(d.tokens):
        fresh = (w.isalpha() and len(w) > 1 and w not in known and w not in lx.STOP and w not in lx.LEADING_DROP
                 and not d.is_taken(s, e) and not d.labels_at(s)) or bool(run) and w == "-" and _inside_name(d, d.tokens, i)
        if fresh:
            run.append((s, e))
        elif run:
            break
    return (run[0][0], run[-1][1]) if run else None


# what a product's name goes on with: a size or spec ("57mm", "140 см", "24寸", "A4"), and in Russian,
# Bulgarian and Romanian a "for/of" phrase ("мыло для рук", "сапун за ръце", "scotch de ambalare")
_SPEC_AFTER = re.compile(r"\s?(\d+(?:[.,]\d+)?\s?(?:mm|мм|cm|см|in|inch|inches|дюйм[а-я]*|инч[а]?|toli|țoli|寸|毫米|厘米)(?![\w])"
                         r"|\d+(?:[.,]\d+)?(?:ml|мл|g|г|gr|гр|kg|кг|l|л|m|м)(?![\w])|\d+\s?[xх×*]\s?\d+(?:\s?[xх×*]\s?\d+)?(?![\w])"
                         r"|\d+(?=\s*(?:[,;]|$)))")
# "eco sticky notes", "Premium咖啡豆", "бумага А4 Eco", "banda adeziva maro": a line's or colour's word goes with the name
_MODIFIERS = r"eco|premium|pro|hd|plus|max|mini|xl|bio|recycled|organic|deluxe|basic|classic"
_MODIFIER_BEFORE = re.compile(r"(?:^|(?<=[\s,:;(]))(" + _MODIFIERS + r")\s*$")
_MODIFIER_AFTER = re.compile(r"\s+(" + _MODIFIERS + r"|maro|alb|albe|negru|negre|brown|white|black|бял|бели|черн[аи]|кафяв[аи]?)(?![\w-])")
_SPEC_BEFORE_ZH = re.compile(r"(\d+(?:mm|cm|寸|毫米|厘米|kg|g|ml))$")
_OF_PHRASE = {"ru": ("для",), "bg": ("за",), "ro": ("de", "pentru")}
_OF_PHRASE_RE = {lang: re.compile(r"\s+(" + "|".join(words) + r")\s+([a-zа-яăâîșşțţ]{3,})(?![\w-])")
                 for lang, words in _OF_PHRASE.items()}
# The size word as group 1, as _SPEC_AFTER has it, after a number the product's name already ends with.
_SIZE_AFTER_GROUP = re.compile("(" + _SIZE_AFTER.pattern + ")")
# "10% off notebooks", "скидка 10% на тетради", "10% la caiete": what a campaign is about
_OFFER = re.compile(r"\d+\s?%\s*(?:off|discount on|on|на|за|la|reducere la|отстъпка за)?\s+")
_OFFER_ZH = re.compile(r"打[一二三四五六七八九\d]折|[一二三四五六七八九\d]折")


# what a message is about or what someone wants: the product follows ("re paper towels", "хотят крепёж",
# "despre dezinfectant", "про новые перчатки"); mailings only take the "about" words
_ABOUT = {"en": ("about", "abt", "re", "regarding", "on"), "ru": ("про", "по", "о", "об", "на"),
          "bg": ("за",), "ro": ("despre", "legat de", "pentru")}
_WANT = {"en": ("want", "wants", "need", "needs", "interested in", "asking about", "asking for", "looking for"),
         "ru": ("хотят", "хочет", "нужно", "нужны", "нужен", "нужна", "интересуют", "интересует", "интересуются", "каталог", "партию"),
         "bg": ("искат", "иска", "трябват", "трябва", "интересуват се от", "интересува се от"),
         "ro": ("vor", "vrea", "au nevoie de", "are nevoie de", "interesati de", "interesați de", "cer")}


@lru_cache(maxsize=None)
def _about_rx(lang: str, mailing: bool):
    words = _ABOUT.get(lang, ()) + (() if mailing else _WANT.get(lang, ()))
    if not words:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(fold(w)) for w in sorted(words, key=len, reverse=True)) + r")\s+")


def _about_span(d: _Doc, lx, intent: str):
    rx = _about_rx(d.lang, intent == "send_mailing")
    for m in rx.finditer(d.text) if rx else ():
        if d.is_taken(m.start(), m.end()) or d.labels_at(m.end()) & {"CHANNEL", "CUR", "DATEW", "WD"}:
            continue
        span = _walk(d, m.end(), lx, max_tokens=3, name=False)
        if span and (intent == "send_mailing" or d.orig(*span)[:1].islower()):
            return span
    return None


_SPEC_ONLY = re.compile(r"\d+\s?[xх×*]\s?\d+(?:\s?[xх×*]\s?\d+)?$")


def _spec_grows_back(d: _Doc, out: dict) -> None:
    """"5 паллет коробок 60х40х40": a product that is only a size goes back over the words before it that
    name the thing (a unit word after the count's own unit: "коробок", "cutii carton")."""
    s, e = d.product_span
    if not _SPEC_ONLY.match(d.text[s:e]):
        return
    start = s
    for t in reversed([t for t in d.tokens if t[1] <= s]):
        if d.is_taken(t[0], t[1]) or not t[2].isalpha() or t[2] in ("de", "of", "от"):
            break
        start = t[0]
    if start < s:
        d.take(start, s)
        d.product_span = (start, e)
        out["product"] = _tidy(d.orig(start, e))


def _offer_span(d: _Doc, lx):
    if d.lang == "zh":
        m = _OFFER_ZH.search(d.text)
        return _walk(d, m.start(), lx, backward=True, name=False) if m else None
    m = _OFFER.search(d.text)
    return _walk(d, m.end(), lx, name=False) if m else None


def _after_break(d: _Doc, pos: int) -> bool:
    """Nothing but a break before pos: the start, punctuation, or a code or name already read."""
    before = d.text[:pos].rstrip()
    if not before or before[-1] in _PUNCT or before[-1] in ":—–":
        return True
    cust = d.customer_span  # "Acme wants 50 chairs": a name before is no break, a bin or code is
    return d.is_taken(len(before) - 1, len(before)) and not (cust and cust[0] < len(before) <= cust[1])


# adjectives that go with a product's name in Russian and Bulgarian ("черни гел химикалки", "кресла офисные")
_ADJ_END = {"ru": ("ые", "ая", "ый", "ой", "ое", "ий", "ие", "ых", "ую", "ого", "ным"),
            "bg": ("ни", "но", "на", "ен", "ски", "чно", "щи", "ови", "ните", "ния", "ната", "ите")}


def _adjective(d: _Doc, lx, a: int, b: int) -> bool:
    w = d.text[a:b]
    return (len(w) >= 4 and w.isalpha() and w.endswith(_ADJ_END[d.lang]) and d.orig(a, b)[:1].islower()
            and w not in lx.STOP and w not in lx.LEADING_DROP and not d.labels_at(a) and not d.is_taken(a, b))


def _whole_product(d: _Doc, lx, out: dict) -> None:
    """Grows the product mention by the spec and "for ..." phrase its name goes on with."""
    s, e = d.product_span
    if d.lang in _ADJ_END:
        prev = [t for t in d.tokens if t[1] <= s]
        if prev and not d.text[prev[-1][1]:s].strip() and _adjective(d, lx, prev[-1][0], prev[-1][1]):
            s = prev[-1][0]
        nxt = [t for t in d.tokens if t[0] >= e]
        if nxt and not d.text[e:nxt[0][0]].strip() and _adjective(d, lx, nxt[0][0], nxt[0][1]):
            e = nxt[0][1]
    if d.lang == "zh":
        m = _SPEC_BEFORE_ZH.search(d.text[:s])
        if m and not d.is_taken(m.start(1), s):
            s = m.start(1)
    m = _MODIFIER_BEFORE.search(d.text[:s])
    if m and not d.is_taken(m.start(1), m.end(1)):
        s = m.start(1)

    m = _SPEC_AFTER.match(d.text, e)
    if not m and d.text[e - 1:e].isdigit():
        m = _SIZE_AFTER_GROUP.match(d.text, e)  # "мониторы 24" + "дюйма"
    if m and not d.is_taken(m.start(1), m.end(1)) and not (d.lang == "zh" and not m.group(1)[-1:].isalpha() and m.group(1)[-1:] != "寸"):
        nxt = _skip_space(d, m.end())
        if not d.labels_at(nxt) & {"UNIT", "CUR"}:
            e = m.end()
    elif d.lang in _OF_PHRASE:
        m = _OF_PHRASE_RE[d.lang].match(d.text[e:])
        if m:
            a, b = e + m.start(2), e + m.end(2)
            word_orig = d.orig(a, b)
            if word_orig[:1].islower() and not d.is_taken(a, b) and m.group(2) not in lx.STOP and not d.labels_at(a) \
                    and not (d.lang in _ADJ_END and m.group(2).endswith(_ADJ_END[d.lang])):
                e = b
    m = _MODIFIER_AFTER.match(d.text, e)
    if m and not d.is_taken(m.start(1), m.end(1)):
        e = m.end(1)
    if (s, e) != d.product_span:
        d.take(s, e)
        d.product_span = (s, e)
        out["product"] = _tidy(d.orig(s, e))


_PREP_BEFORE_DATE = re.compile(r"(?:^|(?<=\s))(?:at|on|by|в|во|на|к|до|във|pe|la|în)\s*$", re.I)


def _note(d: _Doc, intent: str, cust) -> str:
    """What is left to say: an explicit remark ("note: ...", "примечание: ...", "备注：..."); after the customer
    (or the channel) in a logged interaction; a reminder's text without its trigger word and its dates."""
    marker = d.first("NOTEW")
    if marker and intent != "create_reminder":
        return _clean(d.orig(marker[1], len(d.text)))
    if intent == "log_interaction":
        cust = cust or d.customer_span
        anchor = cust[1] if cust else (d.first("CHANNEL") or (0, 0))[1]
        ch = d.first("CHANNEL", anchor)
        if cust and ch and not d.text[anchor:ch[0]].strip(" ,.:;-—–"):
            anchor = ch[1]  # "Acme called, complaint about ...": the channel word is no part of it
        return _clean(d.orig(anchor, len(d.text)))
    if intent != "create_reminder":
        return ""
    sp = d.first("REMIND")
    note = _reminder_text(d, sp[1] if sp else 0, len(d.text))
    if not note and sp and sp[0] > 0:
        note = _reminder_text(d, 0, sp[0])  # "friday send the contract to Acme, remind me": the task comes first
    # "to call Acme" -> "call Acme"; "about the quote" -> "the quote"; the Bulgarian "да" and Romanian "să"
    # belong to the verb ("да звънна", "să sun") and stay
    return re.sub(r"^(to|about|abt|re|что|чтобы|про|că)\s+", "", note, flags=re.I)


def _reminder_text(d: _Doc, start: int, end: int) -> str:
    """The words between start and end without the dates and times in them."""
    pieces, pos = [], start
    for s, e in sorted(d.date_spans):
        if start <= s and e <= end and s >= pos:
            pieces.append(_PREP_BEFORE_DATE.sub("", d.orig(pos, s)))  # "в пятницу", "on friday": both go
            pos = e
    pieces.append(d.orig(pos, end))
    note = _clean(re.sub(r"\s+", " ", " ".join(pieces)))
    note = re.sub(r"[\s,]+(at|on|в|во|на|la|pe|în|at|me|ми|мне|adu-mi|aminte)$", "", note, flags=re.I).strip(" ,.")
    return note


def _first_label(d: _Doc, labels, pos: int, within: int):
    """A span with one of `labels` starting within `within` characters after pos."""
    for s in d.spans:
        if s[2] in labels and pos <= s[0] <= pos + within:
            return s
    return None


def _capitalised(d: _Doc):
    """A run of capitalised words not at the start: "add Blue Ocean Ltd" -> "Blue Ocean Ltd"."""
    from nlu.langid import known_words

    if not d.has_case or d.lang == "zh":
        return None
    known = known_words(d.lang)
    best = None
    run: list[tuple] = []
    for i, (s, e, w) in enumerate(d.tokens):
        orig = d.orig(s, e)
        # the first word is capitalised anyway: it counts only when it is no ordinary word
        if (i > 0 or w not in known) and orig[:1].isupper() and not d.is_taken(s, e) and not (d.labels_at(s) & _STOP_LABELS) \
                and w not in lexicon(d.lang).STOP or run and _inside_name(d, d.tokens, i):
            run.append((s, e))
            if len(run) > 1 and w in _LEGAL_FORMS and orig.isupper():
                best = best or (run[0][0], run[-1][1])  # "Fabrica Nord SRL Cluj": the name ends at its legal form
                run = []
            continue
        if run:
            best = best or (run[0][0], run[-1][1])
            run = []
    if run:
        best = best or (run[0][0], run[-1][1])
    return best
