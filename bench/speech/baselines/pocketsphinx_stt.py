"""Speech-to-text with pocketsphinx (US English, model inside the wheel).

Two flavours share this class:
- "pocketsphinx": decodes with the domain language model built from the
  command templates and the caller's vocabulary (bot/speech/domain_lm.py);
- "pocketsphinx-raw": the wheel's general English model, no domain bias —
  kept as the benchmark's baseline.

A pocketsphinx Decoder is not thread-safe and takes ~50 ms to load, so
decoders are cached per vocabulary and each is used under its own lock.
Recognition is CPU-bound: async callers run `transcribe` in a thread.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pocketsphinx import Decoder

from domain.speech import Transcript, not_set_up

from . import domain_lm
from bot.speech.audio import AudioLimits, Pcm, decode_pcm16k
from bot.speech.numbers import words_to_digits


# Exact digital silence (synthesised or edited audio) throws pocketsphinx's noise
# and cepstral-mean estimates off; every real microphone adds a faint noise
# floor, so one is added here (about -66 dBFS, seeded: same audio, same text).
# On espeak-ng WAV files it took the word error rate from 0.48 to about 0.2.
NOISE_FLOOR = 16.0  # standard deviation, in 16-bit sample units


def with_noise_floor(samples: np.ndarray) -> bytes:
    noise = np.random.default_rng(len(samples)).normal(0.0, NOISE_FLOOR, len(samples))
    return np.clip(samples + noise, -32768, 32767).astype("<i2").tobytes()


class PocketsphinxSpeechToText:
    def __init__(self, *, limits: AudioLimits = AudioLimits(), cache_dir: Path = Path("data/speech"),
                 domain_bias: bool = True, max_decoders: int = 4):
        self.name = "pocketsphinx" if domain_bias else "pocketsphinx-raw"
        self.limits = limits
        self.cache_dir = Path(cache_dir)
        self.domain_bias = domain_bias
        self.max_decoders = max_decoders
        self._decoders: OrderedDict[str, tuple[Decoder, threading.Lock]] = OrderedDict()
        self._guard = threading.Lock()

    def languages(self) -> Sequence[str]:
        return ("en",)

    def transcribe(self, audio: bytes, lang: str | None = None, vocabulary: Sequence[str] = (),
                   expected: Sequence[str] = ()) -> Transcript:
        self._check_lang(lang)
        started = time.perf_counter()
        pcm = decode_pcm16k(audio, self.limits)
        return self._transcript(pcm, self.recognise(pcm, [*expected, *vocabulary]), started)

    def transcribe_pcm(self, pcm: Pcm, lang: str | None = None, vocabulary: Sequence[str] = ()) -> Transcript:
        """Same, for audio already decoded (the benchmark times recognition alone)."""
        self._check_lang(lang)
        started = time.perf_counter()
        return self._transcript(pcm, self.recognise(pcm, vocabulary), started)

    def recognise(self, pcm: Pcm, vocabulary: Sequence[str] = ()) -> str:
        decoder, lock = self._decoder(vocabulary)
        audio = with_noise_floor(pcm.samples)
        with lock:
            decoder.start_utt()
            decoder.process_raw(audio, no_search=False, full_utt=True)
            decoder.end_utt()
            hyp = decoder.hyp()
        return hyp.hypstr.strip() if hyp is not None else ""

    def warm_up(self, vocabulary: Sequence[str] = ()) -> None:
        """Builds (or loads) the model for this vocabulary ahead of the first voice note."""
        self._decoder(vocabulary)

    def _check_lang(self, lang: str | None) -> None:
        if lang not in (None, "en"):
            raise not_set_up(self.name, lang, f"pocketsphinx has only the English model; set speech.engine_for_lang.{lang} "
                                              f"to vosk and speech.vosk.model_dirs.{lang} in config.yaml")

    def _transcript(self, pcm: Pcm, raw: str, started: float) -> Transcript:
        return Transcript(text=words_to_digits(raw, "en"), lang="en", engine=self.name, seconds_audio=round(pcm.seconds, 3),
                          seconds_taken=round(time.perf_counter() - started, 3), raw_text=raw)

    def _decoder(self, vocabulary: Sequence[str]) -> tuple[Decoder, threading.Lock]:
        if self.domain_bias:
            phrases = domain_lm.normalise_vocabulary(vocabulary)
            key = domain_lm.vocabulary_key(phrases)
        else:
            phrases, key = [], "raw"
        with self._guard:
            if key in self._decoders:
                self._decoders.move_to_end(key)
                return self._decoders[key]
            if self.domain_bias:
                model = domain_lm.build(phrases, self.cache_dir)
                decoder = Decoder(lm=str(model.lm_path), dict=str(model.dict_path), loglevel="FATAL")
            else:
                decoder = Decoder(loglevel="FATAL")
            self._decoders[key] = (decoder, threading.Lock())
            while len(self._decoders) > self.max_decoders:
                self._decoders.popitem(last=False)
            return self._decoders[key]
