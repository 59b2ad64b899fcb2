"""When the parse is sure enough to act on, and when the dialogue should ask.

Sure means: the top intent scores at least ASK_BELOW and leads the runner-up by at least
MARGIN (two readings neck and neck are a question, however high the first one is).
Both were chosen with `python -m bench.nlu.calibrate` on the used sets A and B pooled
(1,150 messages), cross-validated: the pair that acts wrongly least while asking on at most
10% of messages is picked on four fifths of them and measured on the fifth left out, five
times over five shuffles (2026-12-07, after the issue #20 retraining: acts wrongly 1.2%, asks 9.9%;
before it 1.4% and 9.2%; no pair reaches 1% wrong within 10% asks on these sets). The lead over the
runner-up separates right from wrong better than the top score alone, so both count. Re-run it after
retraining; `python -m bench.nlu` reports both rates per set."""
from __future__ import annotations

ASK_BELOW = 0.79
MARGIN = 0.68


def is_sure(confidence: float, runner_up: float = 0.0, ask_below: float | None = None) -> bool:
    """confidence: the chosen intent's score; runner_up: the second intent's score."""
    return confidence >= (ASK_BELOW if ask_below is None else ask_below) and confidence - runner_up >= MARGIN
