"""preprocess "auto": each kind of note gets its own clean-up and log_prob_threshold (no model run:
the decoder is scripted)."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from bot.speech.audio import Pcm
from bot.speech.registry import bundled_model_dir
from bot.speech.whisper_stt import GENERIC_PROMPT, WhisperOptions, WhisperSpeechToText, thresholds_by_kind
from tests.speech.test_enhance import band_limited, voice


class Recording(WhisperSpeechToText):
    """Records what _decode is given instead of decoding."""

    def __init__(self, **options):
        super().__init__(bundled_model_dir(), ["en"], options=WhisperOptions(**options))
        self.calls: list[tuple[np.ndarray, float | None]] = []

    def prompt(self, loaded, vocabulary):
        return GENERIC_PROMPT

    def _decode(self, loaded, samples, lang, prompt, seconds, threshold):
        self.calls.append((samples, threshold))
        return [SimpleNamespace(text="pick order ten", words=None)]

    def hear(self, x: np.ndarray) -> str:
        pcm = Pcm((np.clip(x, -1, 1) * 32767).astype(np.int16))
        loaded = SimpleNamespace(lock=threading.Lock(), model=None, multilingual=False)
        return self._recognise(loaded, pcm, "en", [], [], 0.0).text


def test_a_phone_band_note_is_levelled_and_decoded_without_the_log_prob_fallback():
    stt = Recording()
    phone = band_limited(voice(), 300, 3400) * 0.1
    stt.hear(phone)
    samples, threshold = stt.calls[0]
    assert threshold is None
    assert np.sqrt(np.mean(samples ** 2)) > 2 * np.sqrt(np.mean(phone ** 2))  # brought up to one loudness


def test_a_clean_note_keeps_the_usual_threshold():
    stt = Recording()
    stt.hear(voice())
    assert stt.calls[0][1] == -1.0


def test_fixed_steps_keep_the_usual_threshold_for_every_note():
    stt = Recording(preprocess="highpass+denoise")
    stt.hear(band_limited(voice(), 300, 3400))
    assert stt.calls[0][1] == -1.0


def test_thresholds_by_kind_read_the_setting():
    assert thresholds_by_kind("phone=none; reverb=-1.2") == {"phone": None, "reverb": -1.2}
    with pytest.raises(ValueError, match="unknown kind"):
        thresholds_by_kind("windy=none")
