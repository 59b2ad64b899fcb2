"""Named baseline: TF-IDF nearest neighbour over raw lower-cased words.

It sees the same expanded training examples as the spaCy classifiers, but
none of their feature engineering (stems, masking of numbers and codes,
Latin-to-Cyrillic reading) — the common first attempt at intent matching."""
from __future__ import annotations

import math
import random
import re
from collections import Counter

from nlu.train import expand

_TOKEN = re.compile(r"\w+", re.U)


def _tokens(text: str, lang: str) -> list[str]:
    low = text.lower()
    if lang == "zh":
        return [c for c in low if not c.isspace()]
    return _TOKEN.findall(low)


class TfidfNearest:
    def __init__(self, lang: str, seed: int = 7):
        self.lang = lang
        data = expand(lang, random.Random(seed))
        docs = [Counter(_tokens(t, lang)) for t, _ in data]
        df = Counter(w for d in docs for w in d)
        n = len(docs)
        self.idf = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}
        self.rows = [(self._vec(d), intent) for d, (_, intent) in zip(docs, data)]

    def _vec(self, counts: Counter) -> dict[str, float]:
        vec = {w: c * self.idf.get(w, 0.0) for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {w: v / norm for w, v in vec.items()}

    def predict(self, text: str) -> str:
        q = self._vec(Counter(_tokens(text, self.lang)))
        best, best_score = "unknown", 0.0
        for vec, intent in self.rows:
            score = sum(v * vec.get(w, 0.0) for w, v in q.items())
            if score > best_score:
                best, best_score = intent, score
        return best
