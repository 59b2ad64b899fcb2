"""Rebuilds the intent classifiers from the training data in nlu/data/train.

    python -m nlu.train [--langs en,ru] [--seed 7]

Each language file holds slot vocabularies ("@customer: Acme | Blue Ocean")
and templates under "## intent" headings; templates are expanded with random
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
    vocab: dict[str, list[str]] = {}
    intents: dict[str, list[str]] = {}
    current = None
    for raw in (DATA / f"{lang}.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") and not line.startswith("##"):
            continue
        if line.startswith("@"):
            name, _, values = line[1:].partition(":")
            vocab[name.strip()] = [v.strip() for v in values.split("|") if v.strip()]
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


def _fill(template: str, vocab: dict[str, list[str]], rng: random.Random) -> str:
    def one(m):
        name = m.group(1)
        if name == "n":
            return str(rng.choice([1, 2, 3, 5, 7, 10, 12, 15, 20, 24, 30, 37, 40, 50, 100, 120, 200, 250, 500]))
        if name == "ref":
            return rng.choice(["1042", "#1042", "2231", "SO-1042", "887", "10455", "No. 3310", "#77"])
        if name == "bin":
            return rng.choice(["A-01-02", "B-03-01", "C-02-05", "a-1-3", "D-10-04", "A1-02-03"])
        if name == "phone":
            return rng.choice(["+359 888 123 456", "0888123456", "+7 916 555 12 34", "+40 721 234 567", "0721 234 567"])
        if name not in vocab:
            raise KeyError(f"no vocabulary for slot {name!r}")
        return rng.choice(vocab[name])
    return _SLOT.sub(one, template)


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    if not words:
        return text
    i = rng.randrange(len(words))
    w = words[i]
    if len(w) > 4:
        j = rng.randrange(1, len(w) - 1)
        op = rng.random()
        if op < 0.4:
            w = w[:j] + w[j + 1:]                      # dropped letter
        elif op < 0.7:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]    # swapped letters
        else:
            w = w[:j] + w[j] + w[j:]                   # doubled letter
    words[i] = w
    return " ".join(words)


def expand(lang: str, rng: random.Random, per_template: int = 4) -> list[tuple[str, str]]:
    vocab, intents = read_templates(lang)
    out = []
    for intent, templates in intents.items():
        for t in templates:
            for k in range(per_template if _SLOT.search(t) else 2):
                text = _fill(t, vocab, rng)
                r = rng.random()
                if k and r < 0.35:
                    text = text.lower()
                if k and rng.random() < 0.3:
                    text = re.sub(r"[,.!?;:]", "", text)
                if k and rng.random() < 0.25:
                    text = _typo(text, rng)
                out.append((text, intent))
                if lang == "ru" and rng.random() < 0.25:
                    # Russian typed in Latin letters, read back the way parse() does
                    out.append((lat2cyr(cyr2lat(text))[0], intent))
    return out


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
        "no_output_layer": False, "length": 2 ** 15}})
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nlu.train", description=__doc__.splitlines()[0])
    ap.add_argument("--langs", default=",".join(LANGS))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=MODELS, help="where the pipelines go (default: nlu/models)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
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
