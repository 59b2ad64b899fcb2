"""Rebuilds the intent classifiers from the training data in nlu/data/train.

    python -m nlu.train [--langs en,ru] [--seed 7]

Each language file holds slot vocabularies ("@customer: Acme | Blue Ocean")
and templates under "## intent" headings ("#! weight N" in a file counts its
templates N times: <lang>.kinds.txt, the kinds of line the older files miss); templates are expanded with random
fillers and with the noise people type (lower case, no punctuation, typos,
Russian in Latin letters), then a bag-of-words textcat is trained per
language. Takes seconds; the result goes to nlu/models/<lang>."""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from pathlib import Path

from nlu.intents import INTENTS, MODELS
from nlu.langid import word_table
from nlu.text import cyr2lat, features, lat2cyr

DATA = Path(__file__).resolve().parent / "data" / "train"
LANGS = ("en", "ru", "bg", "ro", "zh")
_SLOT = re.compile(r"\{(\w+)\}")


def read_templates(lang: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Slot vocabularies and templates of `lang`: <lang>.txt and every <lang>.<kind>.txt
    beside it (shorthand, codes, ...); a vocabulary named twice is the union."""
    vocab: dict[str, list[str]] = {}
    intents: dict[str, list[str]] = {}
    lines: list[str] = []
    for path in [DATA / f"{lang}.txt", *sorted(DATA.glob(f"{lang}.*.txt"))]:
        text = path.read_text(encoding="utf-8").splitlines()
        # "#! weight N" in a file: its templates count N times (kinds that the older,
        # larger files drown out otherwise)
        weight = next((int(x.split()[-1]) for x in text if x.startswith("#! weight")), 1)
        for raw in text:
            lines += [raw] * (weight if raw.strip() and not raw.lstrip().startswith(("#", "@")) else 1)
    current = None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#") and not line.startswith("##"):
            continue
        if line.startswith("@"):
            name, _, values = line[1:].partition(":")
            vocab.setdefault(name.strip(), [])
            vocab[name.strip()] += [v.strip() for v in values.split("|") if v.strip() and v.strip() not in vocab[name.strip()]]
        elif line.startswith("## "):
            current = line[3:].strip()
            if current not in INTENTS:
                raise ValueError(f"{lang}: unknown intent {current!r}")
            intents.setdefault(current, [])
        elif current:
            intents[current].append(line)
    return vocab, intents


def known_texts(lang: str) -> list[str]:
    """The templates without their slot fillers, plus the lexicon: the words a
    message in this language is made of, as opposed to names."""
    from nlu.entities import patterns

    _, intents = read_templates(lang)
    texts = [_SLOT.sub(" ", t) for ts in intents.values() for t in ts]
    return texts + [p["pattern"] for p in patterns(lang)]


_BINS = ["A-01-02", "B-03-01", "A-02-04", "B-06-03", "a-1-3", "A0102", "a-01-02", "A 01 02", "b0301", "P-01-01",
         "P-02-04", "p-1-2", "B-05-02", "A-04-01", "DOCK-IN", "DOCK-OUT", "QUARANTINE"]
_SKUS = ["WID-001", "wid-001", "WID001", "PAP-003", "WRI-012", "FUR-041", "HAR-071", "ELE-091", "CLE-111", "FOO-131",
         "PAC-151", "pap-003", "har071", "ELE-094", "PAP-001", "WRI-015", "FUR-046", "CLE-118"]
_REFS = ["1042", "#1042", "2231", "2884", "SO-1042", "№ 3310", "No. 3310", "#2890", "1187", "3002", "1999", "4410"]


def _fill(template: str, vocab: dict[str, list[str]], rng: random.Random) -> str:
    def one(m):
        name = m.group(1)
        if name == "n":
            return str(rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 20, 24, 25, 30, 36, 37, 40, 48, 50, 60, 80,
                                   100, 120, 144, 200, 250, 300, 500, 1000]))
        if name == "ref":
            return rng.choice(_REFS)
        if name == "bin":
            return rng.choice(_BINS)
        if name == "sku":
            return rng.choice(_SKUS)
        if name == "po":
            return rng.choice(["PO-0012", "PO-0031", "po-0007", "PO0044", "PO-0102"])
        if name == "phone":
            return rng.choice(["+359 888 123 456", "0888123456", "+7 916 555 12 34", "+40 721 234 567", "0721 234 567",
                               "088 765 4321", "+359887001122", "+86 138 0013 8000"])
        if name not in vocab:
            raise KeyError(f"no vocabulary for slot {name!r}")
        return rng.choice(vocab[name])
    for _ in range(3):  # a filler may itself hold slots ("call {customer}")
        if not _SLOT.search(template):
            break
        template = _SLOT.sub(one, template)
    return template


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    if not words:
        return text
    i = rng.randrange(len(words))
    w = words[i]
    if len(w) > 3 and not any(c.isdigit() for c in w):
        j = rng.randrange(1, len(w) - 1)
        op = rng.random()
        if op < 0.35:
            w = w[:j] + w[j + 1:]                      # dropped letter
        elif op < 0.6:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]    # swapped letters
        elif op < 0.8:
            w = w[:j] + w[j] + w[j:]                   # doubled letter
        else:
            w = w[:j] + rng.choice(w) + w[j + 1:]      # a wrong letter
    words[i] = w
    return " ".join(words)


# Words people leave out when they type fast, and the short forms they use instead of whole words:
# applied at random to every language's examples so that no template has to spell them out.
_DROP = {
    "en": {"the", "a", "an", "please", "i", "we", "me", "my", "our", "to", "of", "do", "is", "are", "can", "you", "just", "some"},
    "ru": {"пожалуйста", "я", "мы", "мне", "нам", "у", "нас", "на", "в", "по", "для", "а", "ну", "вот", "бы", "же", "ли"},
    "bg": {"моля", "аз", "ние", "ми", "ни", "на", "в", "за", "да", "ли", "се", "е", "има", "от"},
    "ro": {"vă", "rog", "te", "eu", "noi", "mi", "ne", "de", "la", "în", "pe", "și", "un", "o", "să", "ca"},
}
_ABBREV = {
    "en": {"please": "pls", "tomorrow": "tmrw", "quantity": "qty", "received": "rcvd", "customer": "cust", "with": "w/",
           "order": "ord", "pieces": "pcs", "message": "msg", "warehouse": "wh", "location": "loc", "thanks": "thx",
           "you": "u", "about": "abt", "before": "b4", "because": "bc", "today": "2day", "for": "4", "number": "no.",
           "available": "avail", "delivery": "dlvry", "reminder": "rmdr", "meeting": "mtg", "customers": "custs",
           "and": "&", "without": "w/o", "transfer": "xfer", "between": "btw", "boxes": "bx", "minutes": "min"},
    "ru": {"пожалуйста": "плз", "заказ": "зак", "штук": "шт", "сегодня": "сег", "клиент": "кл-т", "спасибо": "спс",
           "сейчас": "щас", "что": "чо", "завтра": "завтр", "количество": "кол-во", "товар": "тов", "склад": "скл",
           "клиенты": "кл-ты", "клиентам": "кл-там", "напомни": "напомн", "поставщик": "пост-к", "коробок": "кор",
           "упаковок": "уп", "ячейка": "яч", "ячейку": "яч", "ячейки": "яч", "остаток": "ост", "приход": "прих"},
    "bg": {"моля": "мл", "поръчка": "поръчк", "броя": "бр", "клиент": "кл", "благодаря": "мерси", "днес": "днс",
           "утре": "утр", "количество": "к-во", "склад": "скл", "кашона": "каш", "клиенти": "кл-ти"},
    "ro": {"comanda": "cmd", "comandă": "cmd", "bucăți": "buc", "bucati": "buc", "mulțumesc": "mersi", "vă rog": "vr",
           "clienți": "cl", "clienții": "cl", "clientul": "cl", "mâine": "mâine", "cantitate": "cant", "depozit": "dep",
           "pentru": "ptr", "și": "si", "să": "sa", "că": "ca", "în": "in"},
}
# Polite openings and closings wrapped around a request: they must not make it small talk.
_POLITE = {
    "en": (["hi,", "hello,", "good morning,", "hey", "hi there,", "dear sir,", "good afternoon, this is {customer}.", "quick one -", "sorry to bother,"],
           ["thanks", "thank you", "pls", "asap", "thx!", "please advise", "cheers"]),
    "ru": (["привет,", "здравствуйте,", "добрый день,", "доброе утро,", "добрый вечер,", "это {customer},", "слушай,", "короче"],
           ["спасибо", "пожалуйста", "плз", "срочно", "заранее спасибо"]),
    "bg": (["здравейте,", "добър ден,", "здрасти,", "добро утро,", "това е {customer},"], ["благодаря", "моля", "мерси", "спешно"]),
    "ro": (["buna ziua,", "salut,", "bună dimineața,", "aici {customer},", "buna,"], ["multumesc", "mersi", "vă rog", "urgent"]),
    "zh": (["你好，", "您好，", "早上好，", "我是{customer}，", "麻烦问一下，"], ["谢谢", "麻烦了", "尽快", "谢谢！"]),
}
_ZH_DROP = ["请", "一下", "吧", "吗", "了", "帮我", "我们", "我", "一下子", "的"]


def _shorthand(text: str, lang: str, rng: random.Random) -> str:
    """The same message typed in a hurry: function words dropped, long words abbreviated."""
    if lang == "zh":
        for w in _ZH_DROP:
            if w in text and rng.random() < 0.5:
                text = text.replace(w, "", 1)
        return text
    drop, short = _DROP.get(lang, set()), _ABBREV.get(lang, {})
    out = []
    for w in text.split():
        low = w.lower().strip(",.!?")
        if low in drop and rng.random() < 0.6:
            continue
        if low in short and rng.random() < 0.7:
            w = short[low]
        out.append(w)
    return " ".join(out) or text


def _corrections(lang: str) -> list[tuple[str, str]]:
    """Messages people corrected in the chat (exported by an admin into nlu/data/corrections/*.jsonl):
    {"text", "intent", "lang"} per line; each is learnt as written, a few times over."""
    out = []
    for path in sorted((DATA.parent / "corrections").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("lang") == lang and item.get("intent") in INTENTS and isinstance(item.get("text"), str):
                out += [(item["text"], item["intent"])] * 3
    return out


# how Bulgarian is typed in Latin letters: one of the ways each letter is written
_BG_TO_LAT = {"а": ["a"], "б": ["b"], "в": ["v"], "г": ["g"], "д": ["d"], "е": ["e"], "ж": ["zh", "j"], "з": ["z"],
              "и": ["i"], "й": ["i", "y", "j"], "к": ["k"], "л": ["l"], "м": ["m"], "н": ["n"], "о": ["o"], "п": ["p"],
              "р": ["r"], "с": ["s"], "т": ["t"], "у": ["u"], "ф": ["f"], "х": ["h", "x"], "ц": ["c", "ts"],
              "ч": ["ch"], "ш": ["sh"], "щ": ["sht"], "ъ": ["y", "a", "u"], "ь": [""], "ю": ["yu", "iu"],
              "я": ["ya", "q", "ia"]}


def bg_in_latin(text: str, rng: random.Random) -> str:
    """A Bulgarian message as people type it in Latin letters; each writer keeps one spelling per letter."""
    pick = {c: rng.choice(v) for c, v in _BG_TO_LAT.items()}
    return "".join(pick.get(c.lower(), c) if c.islower() or c.lower() not in pick else pick[c.lower()].capitalize()
                   for c in text)


def expand(lang: str, rng: random.Random, per_template: int = 6) -> list[tuple[str, str]]:
    vocab, intents = read_templates(lang)
    out = []
    for intent, templates in intents.items():
        for t in templates:
            for k in range(per_template if _SLOT.search(t) else 3):
                text = _fill(t, vocab, rng)
                if k and rng.random() < 0.35:
                    text = text.lower()
                if k and rng.random() < 0.3:
                    text = re.sub(r"[,.!?;:]", "", text)
                if k and rng.random() < 0.3:
                    text = _shorthand(text, lang, rng)
                if k and rng.random() < 0.3:
                    text = _typo(text, rng)
                    if rng.random() < 0.3:
                        text = _typo(text, rng)
                if k and rng.random() < 0.03:
                    text = text.upper()
                if intent != "unknown" and rng.random() < 0.12:
                    heads, tails = _POLITE[lang]
                    sep = "" if lang == "zh" else " "
                    if rng.random() < 0.7:
                        text = _fill(rng.choice(heads), vocab, rng) + sep + text
                    if rng.random() < 0.5:
                        text = text.rstrip(" .?!") + ("。" if lang == "zh" else ". ") + rng.choice(tails)
                out.append((text, intent))
                if lang == "ru" and rng.random() < 0.25:
                    # Russian typed in Latin letters, read back the way parse() does
                    out.append((lat2cyr(cyr2lat(text))[0], intent))
                if lang == "bg" and rng.random() < 0.15:
                    out.append((bg_in_latin(text, rng), intent))  # features() reads it back to Cyrillic
    return out + _corrections(lang)


def train_lang(lang: str, seed: int = 7, epochs: int = 12, out: Path = MODELS) -> dict:
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    rng = random.Random(seed)
    data = expand(lang, rng)
    # Chinese needs its per-character tokenizer for the lexicon; the others read
    # folded text and space-separated feature strings, which the generic one handles
    nlp = spacy.blank("zh" if lang == "zh" else "xx")
    nlp.meta["name"] = f"qm_intents_{lang}"
    nlp.meta["description"] = "Quartermaster intent classifier (bag of words over stemmed, masked text)"
    textcat = nlp.add_pipe("textcat", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
        "no_output_layer": False, "length": 2 ** 16}})
    for intent in INTENTS:
        textcat.add_label(intent)
    examples = []
    for text, intent in data:
        doc = nlp.make_doc(features(text, lang))
        examples.append(Example.from_dict(doc, {"cats": {i: float(i == intent) for i in INTENTS}}))
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    from nlu.entities import patterns

    # first in the pipeline: its patterns are then tokenised without running the textcat
    ruler = nlp.add_pipe("span_ruler", first=True, config={"spans_key": "qm", "phrase_matcher_attr": "LOWER", "validate": False})
    ruler.add_patterns(patterns(lang))
    target = out / lang
    if target.exists():
        shutil.rmtree(target)
    nlp.to_disk(target)
    return {"lang": lang, "examples": len(data)}


def refresh_rulers(langs, out: Path = MODELS) -> None:
    """Rebuilds only the entity rules of trained pipelines from the lexicon (nlu/lexicon): seconds,
    and the classifiers stay as they are."""
    import spacy

    from nlu.entities import patterns

    for lang in langs:
        nlp = spacy.load(out / lang)
        nlp.remove_pipe("span_ruler")
        ruler = nlp.add_pipe("span_ruler", first=True, config={"spans_key": "qm", "phrase_matcher_attr": "LOWER", "validate": False})
        ruler.add_patterns(patterns(lang))
        tmp = out / f".{lang}.new"
        if tmp.exists():
            shutil.rmtree(tmp)
        nlp.to_disk(tmp)
        shutil.rmtree(out / lang)
        tmp.rename(out / lang)
        print(f"{lang}: entity rules rebuilt", file=sys.stderr)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nlu.train", description=__doc__.splitlines()[0])
    ap.add_argument("--langs", default=",".join(LANGS))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=MODELS, help="where the pipelines go (default: nlu/models)")
    ap.add_argument("--rules-only", action="store_true", help="rebuild only the entity rules from the lexicon (keeps the classifiers)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.rules_only:
        refresh_rulers(args.langs.split(","), args.out)
        return 0
    started = time.perf_counter()
    samples = {}
    for lang in args.langs.split(","):
        t0 = time.perf_counter()
        info = train_lang(lang, args.seed, out=args.out)
        samples[lang] = [t for t, _ in expand(lang, random.Random(args.seed))]
        print(f"{lang}: {info['examples']} examples, {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if set(samples) == set(LANGS):
        known = {lang: known_texts(lang) for lang in LANGS}
        (args.out / "lang_words.json").write_text(json.dumps(word_table(samples, known), ensure_ascii=False),
                                                  encoding="utf-8")
    print(f"trained in {time.perf_counter() - started:.1f} s -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
