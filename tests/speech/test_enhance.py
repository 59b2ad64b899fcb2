"""Audio clean-up before decoding (speech.whisper.preprocess)."""
from __future__ import annotations

import numpy as np
import pytest

from bot.settings import load_settings
from bot.speech.enhance import RATE, denoise, enhance, highpass, level


def tone(hz: float, seconds: float = 1.0, amp: float = 0.1) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amp * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x ** 2)))


def test_level_brings_quiet_speech_to_one_loudness_without_clipping():
    quiet = level(tone(440, amp=0.005))
    loud = level(tone(440, amp=0.9))
    assert abs(rms(quiet) - rms(loud)) < 0.01 and np.max(np.abs(loud)) <= 0.99


def test_highpass_takes_out_rumble_and_keeps_the_voice_band():
    assert rms(highpass(tone(40))) < 0.1 * rms(tone(40))
    assert rms(highpass(tone(800))) > 0.9 * rms(tone(800))


def test_denoise_quiets_the_pauses_and_keeps_the_words():
    rng = np.random.default_rng(1)
    speech = np.concatenate([np.zeros(RATE // 2, np.float32), tone(500), np.zeros(RATE // 2, np.float32)])
    noisy = speech + rng.normal(0, 0.01, len(speech)).astype(np.float32)
    out = denoise(noisy)
    assert out.shape == noisy.shape
    assert rms(out[: RATE // 2]) < 0.6 * rms(noisy[: RATE // 2])  # the pause (gently: about half)
    assert rms(out[RATE: RATE + RATE // 2]) > 0.8 * rms(speech[RATE: RATE + RATE // 2])  # the tone


def test_steps_chain_and_nothing_is_nothing():
    x = tone(300)
    assert enhance(x, "") is x
    assert enhance(x, "level+highpass").shape == x.shape


def test_an_unknown_step_is_refused_at_start():
    with pytest.raises(ValueError, match="unknown preprocess"):
        load_settings(speech={"whisper": {"preprocess": "level+louder"}})
