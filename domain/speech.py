"""Speech-to-text as the domain sees it: a port and its result.

Adapters (Whisper, Vosk) live in bot/speech/; the domain only knows that
audio bytes go in and a Transcript comes out. `vocabulary` carries the
company's names (customers, products, suppliers from the database) and
`expected` the few the current step asks for (in a pick: the bin and the
product); an engine that can be biased towards them does so.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .errors import DomainError, N_


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str  # what was said, with spoken numbers as digits ("order 1042")
    lang: str  # language the engine listened for (ISO 639-1)
    engine: str  # adapter name, e.g. "whisper" or "vosk"
    seconds_audio: float  # length of the audio
    seconds_taken: float  # wall-clock time decoding + recognition took
    raw_text: str = ""  # the engine's words before number normalisation
    confidence: float | None = None  # 0..1 when the engine reports one
    unsure: tuple[str, ...] = ()  # words (lower case, no punctuation) the engine gave a low probability

    @property
    def real_time_factor(self) -> float:
        """Seconds of work per second of audio (below 1 = faster than real time)."""
        return self.seconds_taken / self.seconds_audio if self.seconds_audio else 0.0


@runtime_checkable
class SpeechToText(Protocol):
    """Transcribes one recording (OGG/Opus, WAV, MP3... as bytes)."""

    name: str

    def languages(self) -> Sequence[str]:
        """ISO 639-1 codes this engine is set up for."""
        ...

    def transcribe(self, audio: bytes, lang: str | None = None, vocabulary: Sequence[str] = (),
                   expected: Sequence[str] = (), score: Callable[[str], float] | None = None) -> Transcript:
        """Raises InvalidInput for audio that is unreadable or over the limits,
        SpeechUnavailable when the engine cannot serve `lang`. `score`, when given, judges a
        transcript (0..1: how well it makes sense, e.g. the parser's confidence); an engine
        that can hear a note more than one way may use it to keep the best hearing."""
        ...


class SpeechUnavailable(DomainError):
    """The engine is not set up for this (model directory missing, language
    not supported). The message names the configuration key to fix; `lang`
    is the language that was asked for."""

    lang: str = ""


def not_set_up(engine: str, lang: str, reason: str) -> SpeechUnavailable:
    error = SpeechUnavailable(N_("Speech recognition ({engine}, language {lang}) is not set up: {reason}"),
                              engine=engine, lang=lang, reason=reason)
    error.lang = lang
    return error
