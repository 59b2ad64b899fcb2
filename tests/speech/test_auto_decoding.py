"""preprocess "auto" in the recogniser: each kind of note reaches the decoder with its own clean-up
(no model run: the decoder is scripted)."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np

from bot.speech.audio import Pcm
from bot.speech.registry import bundled_model_dir
from bot.speech.whisper_stt import GENERIC_PROMPT, WhisperOptions, WhisperSpeechToText
from tests.speech.test_enhance import band_limited, voice


class Recording(WhisperSpeechToText):
    """Records the samples _decode is given instead of decoding."""

    def __init__(self, **options):
        super().__init__(bundled_model_dir(), ["en"], options=WhisperOptions(**options))
        self.samples: list[np.ndarray] = []

    def prompt(self, loaded, vocabulary):
        return GENERIC_PROMPT

    def _decode(self, loaded, samples, lang, prompt, seconds):
        self.samples.append(samples)
        return [SimpleNamespace(text="pick order ten", words=None)]

    def hear(self, x: np.ndarray) -> np.ndarray:
        pcm = Pcm((np.clip(x, -1, 1) * 32767).astype(np.int16))
        loaded = SimpleNamespace(lock=threading.Lock(), model=None, multilingual=False)
        self._recognise(loaded, pcm, "en", [], [], 0.0)
        return self.samples[0]


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


def test_a_quiet_phone_band_note_is_brought_to_one_loudness():
    phone = band_limited(voice(), 300, 3400) * 0.1
    assert rms(Recording().hear(phone)) > 2 * rms(phone)


def test_a_quiet_clean_note_is_only_high_passed():
    clean = voice() * 0.1
    assert abs(rms(Recording().hear(clean)) - rms(clean)) < 0.1 * rms(clean)


def test_fixed_steps_apply_to_every_note():
    phone = band_limited(voice(), 300, 3400) * 0.1
    assert abs(rms(Recording(preprocess="").hear(phone)) - rms(phone)) < 0.01 * rms(phone)
