"""Audio clean-up before decoding (speech.whisper.preprocess)."""
from __future__ import annotations

import numpy as np
import pytest

from bot.settings import load_settings
from bot.speech.enhance import RATE, analyse, denoise, dereverb, enhance, enhance_auto, highpass, level, preemphasis, steps_by_kind


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


# What a note is, from cheap measures: the renderer's conditions (bench/speech/render.py) rebuilt in
# small, on a voice-like signal (a buzz with harmonics up to 7 kHz, words and pauses).
def voice(seconds: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(3)
    t = np.arange(int(RATE * seconds)) / RATE
    buzz = sum(np.sin(2 * np.pi * 140 * k * t) / k ** 0.5 for k in range(1, 50))
    words = (np.sin(2 * np.pi * 2.5 * t) > 0).astype(np.float32)  # 0.2 s words, 0.2 s pauses
    hiss = rng.normal(0, 1, len(t)) * words  # consonants: energy up to the top of the band
    x = (0.05 * buzz * words + 0.02 * hiss).astype(np.float32)
    pad = np.zeros(RATE // 2, np.float32)
    return np.concatenate([pad, x, pad]) + rng.normal(0, 3e-4, len(x) + RATE).astype(np.float32)


def band_limited(x: np.ndarray, low: float, high: float) -> np.ndarray:
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0
    return np.fft.irfft(spectrum, len(x)).astype(np.float32)


def test_a_clean_note_is_clean():
    assert analyse(voice()).kind == "clean"


def test_a_note_under_noise_is_noisy():
    x = voice()
    noise = np.random.default_rng(4).normal(0, 1, len(x)).astype(np.float32)
    noise *= np.sqrt(np.mean(x ** 2) / np.mean(noise ** 2) / 10 ** 1.5)  # 15 dB SNR
    assert analyse(x + noise).kind == "noisy"


def test_a_call_recording_is_phone_band():
    assert analyse(band_limited(voice(), 300, 3400)).kind == "phone"


def test_a_room_tail_is_reverberant():
    x = voice()
    rng = np.random.default_rng(5)
    t = np.arange(int(0.3 * RATE)) / RATE
    ir = rng.normal(0, 1, len(t)) * np.exp(-t / 0.06)
    ir[0] = 1.0
    assert analyse(np.convolve(x, ir * 0.25)[: len(x)].astype(np.float32)).kind == "reverb"


def test_dereverb_shortens_the_tail_and_keeps_the_words():
    x = np.concatenate([tone(500, 0.5), np.zeros(RATE // 2, np.float32)])
    t = np.arange(int(0.3 * RATE)) / RATE
    ir = np.random.default_rng(6).normal(0, 1, len(t)) * np.exp(-t / 0.06)
    ir[0] = 1.0
    wet = np.convolve(x, ir * 0.25)[: len(x)].astype(np.float32)
    out = dereverb(wet)
    tail = slice(RATE // 2 + RATE // 40, RATE // 2 + RATE // 4)  # 25-250 ms after the word
    assert out.shape == wet.shape
    assert rms(out[tail]) < 0.75 * rms(wet[tail])  # gently: the tail's estimate is rough
    assert rms(out[RATE // 10: RATE // 2]) > 0.8 * rms(wet[RATE // 10: RATE // 2])


def test_preemphasis_lifts_the_highs_over_the_lows():
    assert rms(preemphasis(tone(3000))) / rms(tone(3000)) > 1.5 * rms(preemphasis(tone(200))) / rms(tone(200))


def test_auto_applies_each_kind_its_own_steps():
    x = voice()
    out, kind = enhance_auto(x, "noisy=highpass+denoise;clean=")
    assert kind == "clean" and out is x  # a kind with no steps: untouched
    out, kind = enhance_auto(band_limited(x, 300, 3400), "clean=level")
    assert kind == "phone" and out.shape == x.shape


def test_steps_by_kind_reads_the_setting_and_refuses_what_it_does_not_know():
    assert steps_by_kind("noisy=highpass+denoise; phone=") == {"noisy": "highpass+denoise", "phone": ""}
    with pytest.raises(ValueError):
        steps_by_kind("windy=denoise")
    with pytest.raises(ValueError):
        steps_by_kind("noisy=louder")


def test_the_auto_setting_reaches_the_options_and_bad_kinds_are_refused_at_start():
    options = load_settings(speech={"whisper": {"preprocess": "auto", "preprocess_auto": {"noisy": "denoise", "phone": ""}}}
                            ).speech.whisper.options()
    by_kind = steps_by_kind(options.preprocess_auto)
    assert options.preprocess == "auto" and by_kind["noisy"] == "denoise" and by_kind["phone"] == ""
    assert set(by_kind) == {"noisy", "phone", "reverb", "clean"}  # the kinds not named keep config.yaml's steps
    with pytest.raises(ValueError, match="unknown kind"):
        load_settings(speech={"whisper": {"preprocess_auto": {"windy": "denoise"}}})


def test_slow_makes_the_note_longer_and_keeps_it_float32():
    import numpy as np

    from bot.speech.enhance import enhance

    x = (0.1 * np.sin(np.arange(16_000) * 2 * np.pi * 200 / 16_000)).astype(np.float32)
    y = enhance(x, "slow")
    assert y.dtype == np.float32 and len(y) == 19_200
