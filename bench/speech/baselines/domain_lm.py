"""A small language model of what people say to the assistant, for pocketsphinx.

The general US-English model lets pocketsphinx hear "arctic in order to" for
"start picking order ten forty two". A trigram model trained on the
assistant's own command sentences — filled with the caller's vocabulary
(customer, product and supplier names), number words and order numbers —
makes it pick the domain's words. The model and its pronunciation dictionary
are built once per vocabulary and kept on disk under a hash of it.
"""
from __future__ import annotations

import hashlib
import io
import itertools
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pocketsphinx.lm import ArpaBoLM

from .lexicon import pronunciations
from bot.speech.numbers import say_digits, say_number, say_pairs

log = logging.getLogger(__name__)

# Bump when the templates or the way they are expanded change: old caches are then ignored.
CORPUS_VERSION = "2"
MAX_VOCABULARY = 3000  # entries used from the caller's list (bounds build time)
# Probability mass left for unseen word sequences. Low: people say commands the
# templates know. On the spoken set (bench.speech) word error rate went 0.20 -> 0.13
# from the default 0.5 to 0.03.
DISCOUNT_MASS = 0.03
KEEP_MODELS = 16  # built models kept in the cache directory

# What the assistant is asked (see the NLU contract's intents). Slots:
# {order} order number, {num} quantity, {thing} product or unit ({things}: plural,
# after a quantity), {name} any
# name from the vocabulary, {day} day word, {bin} bin code.
TEMPLATES = [
    "where is order {order}", "what is the status of order {order}", "status of order {order}",
    "order {order}", "order number {order}", "my order number is {order}", "check order {order}",
    "start picking order {order}", "pick order {order}", "next pick", "picked {num} {things}",
    "received {num} {things}", "we received {num} {things}", "received {num} {things} from {name}",
    "move {num} {things} from {bin} to {bin}", "bin {bin} has {num} {things}", "put {num} {things} into {bin}",
    "how many {things} do we have", "how many {things} do we have in the main warehouse", "check stock of {thing}",
    "call back {name} tomorrow", "call back {name} {day}", "called {name} they want {num} {things}",
    "called {name} they want {num} {things} call back {day}", "remind me to call {name} tomorrow at {num}",
    "remind me to call {name} {day}", "new deal with {name}", "new deal with {name} {num} {things}",
    "order {num} {things} for {name}", "order {num} {things} for {name} deliver {day}",
    "ship {num} {things} to {name}", "send {num} {things} to {name}", "what is our history with {name}",
    "add customer {name}", "move the {name} deal to negotiation", "{name} deal lost price too high",
    "{name} deal won", "meeting with {name} {day}", "email {name} about the offer",
    "what should we reorder this week", "what is on my list today", "how does the pipeline look this month",
    "text all customers about the sale", "help", "what can you do", "cancel", "never mind", "yes", "no",
    "confirm", "done", "skip", "next", "stop", "quantity {num}", "{num} {things}", "{num}", "{name}", "{thing}",
]
UNITS = ["boxes", "pallets", "cartons", "pieces", "units", "items", "packs", "bottles", "widgets", "chairs", "reams",
         "boxes of paper", "packs of paper"]
THINGS = UNITS + ["box", "pallet", "carton", "piece", "pack", "bottle", "widget", "chair", "paper"]
DAYS = ["today", "tomorrow", "on monday", "on tuesday", "on wednesday", "on thursday", "on friday",
        "on saturday", "on sunday", "next week", "this week", "in the morning", "after lunch"]


def _numbers() -> list[str]:
    """Quantities as people say them: 1..100, round hundreds and thousands."""
    out = [say_number(n) for n in range(1, 101)]
    out += [say_number(n) for n in (120, 150, 200, 250, 300, 400, 500, 600, 750, 800, 1000, 1500, 2000, 5000)]
    return out


def _order_numbers() -> list[str]:
    """Order numbers digit by digit, in pairs ("ten forty two") and as cardinals:
    every leading pair 10..99 and every digit pair occurs."""
    out = []
    for k, hi in enumerate(range(10, 100)):
        for j, lo in enumerate((k * 7) % 100 + d for d in (0, 31, 58)):
            n = hi * 100 + lo % 100
            out.append(say_pairs(n))
            out.append(say_digits(str(n)))
            if j == 0:
                out.append(say_number(n))
    out += [say_digits(f"{n:03d}") for n in range(0, 1000, 53)]  # shorter references
    return out


def _bins() -> list[str]:
    letters = ["a", "b", "c", "p"]
    return [f"{letters[i % 4]} {say_digits(f'{i % 7:02d}')} {say_digits(f'{i % 5 + 1:02d}')}" for i in range(28)]


def words_of(phrase: str) -> list[str]:
    """'ACME Ltd.' -> ['acme', 'ltd']; 'Bolt M4x20' -> ['bolt', 'm', 'four', 'x', 'twenty']."""
    out: list[str] = []
    for tok in re.findall(r"[a-z]+(?:'[a-z]+)?|\d+", phrase.lower()):
        if tok.isdigit():
            out += (say_number(int(tok)) if len(tok) <= 5 else say_digits(tok)).split()
        else:
            out.append(tok)
    return out


# Legal forms people leave out when they say a company's name.
LEGAL_FORMS = {"ltd", "llc", "inc", "co", "corp", "plc", "gmbh", "eood", "ood", "ad", "srl", "sa", "ooo", "ip", "bg"}


def _plural(words: list[str]) -> list[str]:
    last = words[-1]
    if re.search(r"[^s]s$", last):  # "coffee beans", "hand tools": already plural
        return words
    if re.search(r"(s|x|z|ch|sh)$", last):
        last += "es"
    elif re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return words[:-1] + [last]


def normalise_vocabulary(vocabulary: Iterable[str]) -> list[str]:
    """Latin-script names as lower-case word strings without legal forms
    ("ACME Ltd." -> "acme"), unique and sorted (the cache key). Names in other
    scripts cannot be said with the English model and are dropped."""
    phrases = set()
    for v in vocabulary:
        words = words_of(v)
        while len(words) > 1 and words[-1] in LEGAL_FORMS:
            words = words[:-1]
        if words:
            phrases.add(" ".join(words))
    return sorted(phrases)[:MAX_VOCABULARY]


def vocabulary_key(vocabulary: Sequence[str]) -> str:
    h = hashlib.sha256(CORPUS_VERSION.encode())
    for phrase in vocabulary:
        h.update(b"\0" + phrase.encode())
    return h.hexdigest()[:16]


def corpus(vocabulary: Sequence[str]) -> list[str]:
    """Template sentences with every slot value used at least once per template."""
    names = list(vocabulary)
    plurals = [" ".join(_plural(n.split())) for n in names]
    things = THINGS + names + plurals
    slots = {"order": _order_numbers(), "num": _numbers(), "thing": things, "things": UNITS + plurals, "name": names,
             "day": DAYS, "bin": _bins()}
    sentences: list[str] = []
    for template in TEMPLATES:
        used = re.findall(r"\{(\w+)\}", template)
        if any(not slots[s] for s in used):
            continue  # e.g. name templates when no vocabulary was given
        rounds = max((len(slots[s]) for s in used), default=1)
        for i in range(rounds):
            # Each slot walks its list with its own stride, so combinations vary.
            values = iter([slots[s][(i * (2 * k + 1) + k) % len(slots[s])] for k, s in enumerate(used)])
            sentences.append(re.sub(r"\{\w+\}", lambda _m: next(values), template))
    return sentences


@dataclass(frozen=True, slots=True)
class DomainModel:
    lm_path: Path
    dict_path: Path
    words: int  # size of the dictionary
    dropped: tuple[str, ...]  # vocabulary words left out (no pronunciation)


def build(vocabulary: Sequence[str], cache_dir: Path) -> DomainModel:
    """The domain LM and dictionary for this vocabulary, built or taken from the cache."""
    phrases = normalise_vocabulary(vocabulary)
    target = cache_dir / f"ps-{vocabulary_key(phrases)}"
    lm_path, dict_path = target / "domain.lm", target / "domain.dict"
    if lm_path.exists() and dict_path.exists():
        os.utime(target)  # recently used: pruned last
        dropped_file = target / "dropped.txt"
        dropped = tuple(dropped_file.read_text().split()) if dropped_file.exists() else ()
        return DomainModel(lm_path, dict_path, sum(1 for _ in dict_path.open()), dropped)

    sentences = corpus(phrases)
    words = set(itertools.chain.from_iterable(s.split() for s in sentences))
    prons = pronunciations(words)
    dropped = tuple(sorted(words - prons.keys()))
    if dropped:
        log.warning("no pronunciation for %d words, left out of the speech model: %s", len(dropped), " ".join(dropped[:20]))
        sentences = [s for s in sentences if not set(s.split()) & set(dropped)]
    lm = ArpaBoLM(text="\n".join(sentences), add_start=True, discount_mass=DISCOUNT_MASS)
    lm.compute()
    arpa = io.StringIO()
    lm.write(arpa)
    used = sorted(set(itertools.chain.from_iterable(s.split() for s in sentences)))

    # Write into a private directory, then rename: concurrent builders never see half a model.
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache_dir, prefix=".build-"))
    (tmp / "domain.lm").write_text(arpa.getvalue(), encoding="utf-8")
    (tmp / "domain.dict").write_text("".join(f"{w} {prons[w]}\n" for w in used), encoding="utf-8")
    (tmp / "dropped.txt").write_text("\n".join(dropped), encoding="utf-8")
    try:
        os.rename(tmp, target)
    except OSError:  # another process built it first
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(cache_dir, keep=target)
    return DomainModel(lm_path, dict_path, len(used), dropped)


def _prune(cache_dir: Path, keep: Path) -> None:
    """Every change of the names makes a new model: keep the most recently used few."""
    models = sorted(cache_dir.glob("ps-*"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in models[KEEP_MODELS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
