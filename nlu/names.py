"""The company's own names as gazetteers: customers, suppliers and products (with their
aliases in any language), found in a message however it is inflected, abbreviated or
misspelt ("у Альфа Снаба" -> Альфа Снаб, "orbit" -> Orbit Office OOD, "华贸" -> 上海华贸有限公司).

The names come from a JSON snapshot of the database, {"customer": [[name, alias, ...], ...],
"supplier": [...], "product": [...]}, written by the application (bot/nlu_names.py) so that
`qm parse` needs no database. The snapshot is read from $QM_NLU_NAMES, else data/nlu_names.json
in the repository; without one, mentions come from the wording rules alone.

A mention is reported as written in the message (the contract), with the record's name
alongside for whoever resolves it."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlu.text import fold

DEFAULT = Path(__file__).resolve().parents[1] / "data" / "nlu_names.json"
KINDS = ("customer", "supplier", "product")

# legal forms and other words a name may carry or drop ("ООО Вектор" is written "Вектор")
_LEGAL = {"ооо", "оао", "зао", "пао", "ип", "тд", "еоод", "оод", "ад", "ет", "srl", "sa", "ltd", "ltd.", "llc", "inc",
          "inc.", "co", "co.", "corp", "corporation", "gmbh", "eood", "ood", "ad", "plc", "bg", "company"}
_ZH_TRIM = ("有限公司", "公司", "贸易", "商贸")
_ZH_CITIES = ("上海", "深圳", "北京", "广州", "杭州", "天津")
# a Latin or Cyrillic word; Chinese characters glued to it are not part of it ("收到Sino Trading", "Supply的货")
_WORD = re.compile(r"(?:[^\W\u3400-\u9fff]|['’&.-])+", re.U)


@dataclass(frozen=True)
class Mention:
    kind: str
    start: int
    end: int
    name: str  # the record's name
    score: float
    whole: bool = True  # False: the name shortened ("Orbit" for Orbit Office OOD)


def _core(tokens: list[str]) -> list[str]:
    core = [t for t in tokens if t.strip(".") not in _LEGAL and t.rstrip(".") not in _LEGAL]
    return core or tokens


def _same_word(written: str, known: str) -> bool:
    """One word of a name as typed against the name's word: equal, inflected (the ending
    changed or grown: "снаба"/"снаб", "вектору"/"вектор") or with one typo ("ветре"/"ветер")."""
    if written == known:
        return True
    if len(known) <= 2:
        return False
    common = 0
    for a, b in zip(written, known):
        if a != b:
            break
        common += 1
    if common >= 3 and common >= len(known) - (1 if len(known) <= 5 else 2) and len(written) - common <= 3:
        return True
    if len(known) >= 5 and abs(len(written) - len(known)) <= 1:
        from rapidfuzz.distance import OSA

        return OSA.distance(written, known, score_cutoff=1) <= 1
    return False


class Names:
    def __init__(self, data: dict):
        # (kind, record name, core words, read into the other alphabet) per alias; indexed by the first core word's first 3 letters
        self.index: dict[str, list[tuple[str, str, list[str], bool]]] = {}
        self.zh: list[tuple[str, str, str]] = []
        self.count = 0
        for kind in KINDS:
            for forms in data.get(kind, []):
                forms = [forms] if isinstance(forms, str) else forms
                forms = [f for f in forms if isinstance(f, str) and f.strip()]
                if not forms:
                    continue
                name = forms[0]
                self.count += 1
                for form in forms:
                    low = fold(form.strip())
                    if re.search(r"[\u4e00-\u9fff]", low):
                        for variant in _zh_variants(low):
                            self.zh.append((kind, name, variant))
                        continue
                    for k, variant in enumerate(_scripts(low, kind)):
                        words = _core([w for w in _WORD.findall(variant)])
                        if words:
                            # (a name read into the other alphabet is only found whole: "Sino" read as
                            # "сино" is no shortened name in "синие")
                            self.index.setdefault(words[0][:3], []).append((kind, name, words, k > 0))
        self.zh.sort(key=lambda z: -len(z[2]))

    def find(self, text: str, common_words: frozenset[str] = frozenset()) -> list[Mention]:
        """All mentions in `text` (original text; offsets refer to it), longest and best first,
        not overlapping."""
        low = fold(text)
        found: list[Mention] = []
        if self.zh:
            for kind, name, variant in self.zh:
                at = low.find(variant)
                while at >= 0:
                    found.append(Mention(kind, at, at + len(variant), name, 100.0 + len(variant)))
                    at = low.find(variant, at + 1)
        words = [(m.start(), m.end(), m.group(0).strip(".,'’-")) for m in _WORD.finditer(low)]
        for i, (ws, we, w) in enumerate(words):
            for kind, name, core, other_script in self.index.get(w[:3], ()):
                n = 0
                while n < len(core) and i + n < len(words) and _same_word(words[i + n][2], core[n]):
                    n += 1
                if n == 0:
                    continue
                if n < len(core) and other_script:
                    continue
                if n < len(core):
                    # a shortened name ("Orbit" for Orbit Office OOD): only from a word that is no ordinary word,
                    # and not when the name goes on with other capitalised words ("Delta Hotels" is not Delta Birotică)
                    first = core[0]
                    if len(first) < 4 or first in common_words or words[i][2] in common_words or kind == "product" and n < 2:
                        continue
                    after = words[i + n] if i + n < len(words) else None
                    if after and text[after[0]:after[0] + 1].isupper() and after[0] - words[i + n - 1][1] <= 1:
                        continue
                    before = words[i - 1] if i else None  # nor when it ends another capitalised name ("Aqua Rila")
                    if before and text[before[0]:before[0] + 1].isupper() and ws - before[1] <= 1 \
                            and text[words[i][0]:words[i][0] + 1].isupper():
                        continue
                start, end = ws, words[i + n - 1][1]
                # the legal form written around the name belongs to the mention ("ООО Северный Ветер")
                # (a company's only: "Globex Corporation, USB-C cables" names no product "Corporation, USB-C cables")
                if kind != "product" and i > 0 and words[i - 1][2] in _LEGAL and not text[words[i - 1][1]:ws].strip():
                    start = words[i - 1][0]
                if kind != "product" and i + n < len(words) and words[i + n][2].rstrip(".") in _LEGAL \
                        and not text[end:words[i + n][0]].strip():
                    end = words[i + n][1]
                    if text[end:end + 1] == ".":
                        end += 1
                found.append(Mention(kind, start, end, name, 10.0 * n / len(core) + n, n == len(core)))
        found.sort(key=lambda m: (-m.score, -(m.end - m.start)))
        chosen: list[Mention] = []
        for m in found:
            if not any(m.start < c.end and c.start < m.end for c in chosen):
                chosen.append(m)
        return chosen


def _scripts(low: str, kind: str) -> list[str]:
    """A company's name as written in the other alphabet too: "Рила Маркет" is typed "Rila Market", and
    "Pirin Hotels" "Пирин Хотелс" (products carry their own aliases in every language)."""
    out = [low]
    if kind != "product":
        from nlu.text import cyr2lat, lat2cyr

        if re.search(r"[\u0400-\u04ff]", low):
            out.append(cyr2lat(low))
        elif re.search(r"[a-z]", low):
            out += [lat2cyr(low, "bg")[0], lat2cyr(low, "ru")[0]]
    return list(dict.fromkeys(out))


def _zh_variants(name: str) -> list[str]:
    out = {name}
    trimmed = name
    for suffix in _ZH_TRIM:
        if trimmed.endswith(suffix) and len(trimmed) > len(suffix) + 1:
            trimmed = trimmed[: -len(suffix)]
            out.add(trimmed)
    for variant in list(out):  # "深圳新科贸易" is also written "新科贸易", not only "新科"
        for city in _ZH_CITIES:
            if variant.startswith(city) and len(variant) > len(city) + 1:
                out.add(variant[len(city):])
    return [v for v in out if len(v) >= 2]


@lru_cache(maxsize=None)
def _load(path: str, mtime: float) -> Names:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return Names(data if isinstance(data, dict) else {})


def current() -> Names | None:
    """The snapshot in use (re-read when the file changes), or None when there is none."""
    path = os.environ.get("QM_NLU_NAMES") or str(DEFAULT)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    return _load(path, mtime)
