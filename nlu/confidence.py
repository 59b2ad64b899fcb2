"""When the parse is sure enough to act on, and when the dialogue should ask.

ASK_BELOW is chosen on labelled messages the classifiers were not trained on
(bench/nlu/heldout): the lowest top score at which the intent was still wrong in at
most 1 message in 100. Rechecked by `python -m bench.nlu`, which reports how often the
bot would act on a wrong intent without asking and how often it would ask."""
from __future__ import annotations

ASK_BELOW = 0.55


def is_sure(confidence: float) -> bool:
    return confidence >= ASK_BELOW
