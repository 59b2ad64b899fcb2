"""Audio clean-up before Whisper decodes a voice note (16 kHz mono float32).

Steps, named in speech.whisper.preprocess and joined by "+":
    level      speech to one loudness (RMS of its loud part), peaks kept under full scale
    highpass   below 100 Hz out (rumble, handling noise: no speech there)
    denoise    spectral gating: each frequency's noise floor (from the quietest frames)
               taken off, gently, so the words keep their edges
    dereverb   late reverberation (the room's tail, predicted from the sound 50 ms before)
               taken off, gently
    slow       20% slower (resampled, the pitch falls with it)

"auto" picks the steps per note from what the audio is (analyse: noisy, phone band,
reverberant or clean), each kind's steps a setting (speech.whisper.preprocess_auto).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE = 16_000
KINDS = ("noisy", "phone", "reverb", "clean")


@dataclass(frozen=True, slots=True)
class Analysis:
    snr_db: float  # loud frames over quiet ones
    edge_db: float  # how far 3.5-3.95 kHz lies below 2.5-3.3 kHz: a phone call's band ends at 3.4 kHz
    fastest_fall_db: float  # the steepest fall of loudness in 10 ms (a room's tail makes falls slow)

    @property
    def kind(self) -> str:
        if self.snr_db < 35.0:
            return "noisy"
        if self.edge_db > 12.5:
            return "phone"
        if self.fastest_fall_db < 7.5:
            return "reverb"
        return "clean"


def analyse(x: np.ndarray) -> Analysis:
    """Cheap measures of a note (one 25 ms STFT): noise, bandwidth, reverberation."""
    from scipy.signal import stft

    if len(x) < RATE // 4:
        return Analysis(99.0, 0.0, 99.0)
    freqs, _, spec = stft(x, fs=RATE, nperseg=400, noverlap=240)  # 25 ms frames, 10 ms apart
    power = np.abs(spec) ** 2
    frame_db = 10 * np.log10(power.sum(axis=0) + 1e-12)
    snr = float(np.percentile(frame_db, 95) - np.percentile(frame_db, 10))
    loud = power[:, frame_db >= np.percentile(frame_db, 60)].mean(axis=1) + 1e-15

    def band_db(low: float, high: float) -> float:
        return float(10 * np.log10(loud[(freqs >= low) & (freqs < high)].mean()))

    edge = band_db(2500, 3300) - band_db(3500, 3950)
    fall = float(-np.percentile(np.diff(frame_db), 1))
    return Analysis(round(snr, 1), round(edge, 1), round(fall, 1))


def level(x: np.ndarray, target_rms: float = 0.08) -> np.ndarray:
    if len(x) < RATE // 10:
        return x
    frames = x[: len(x) // 400 * 400].reshape(-1, 400)
    rms = np.sqrt(np.mean(frames ** 2, axis=1))
    loud = rms[rms >= np.percentile(rms, 70)]
    speech = float(np.sqrt(np.mean(loud ** 2))) if len(loud) else 0.0
    if speech < 1e-5:
        return x
    y = x * (target_rms / speech)
    peak = float(np.max(np.abs(y)))
    return (y / peak * 0.99 if peak > 0.99 else y).astype(np.float32)


def highpass(x: np.ndarray, cutoff: float = 100.0) -> np.ndarray:
    from scipy.signal import butter, sosfiltfilt

    if len(x) < 64:
        return x
    sos = butter(4, cutoff, btype="highpass", fs=RATE, output="sos")
    return sosfiltfilt(sos, x).astype(np.float32)


def denoise(x: np.ndarray, strength: float = 1.0, floor: float = 0.15) -> np.ndarray:
    from scipy.signal import istft, stft

    if len(x) < RATE // 4:
        return x
    _, _, spec = stft(x, fs=RATE, nperseg=512, noverlap=384)
    power = np.abs(spec) ** 2
    frame_energy = power.sum(axis=0)
    quiet = frame_energy <= np.percentile(frame_energy, 15)
    noise = power[:, quiet].mean(axis=1, keepdims=True) if quiet.any() else power.min(axis=1, keepdims=True)
    gain = np.maximum(1.0 - strength * noise / np.maximum(power, 1e-12), floor ** 2) ** 0.5
    # smooth the gain over time so it does not warble ("musical noise")
    kernel = np.ones(3) / 3
    gain = np.apply_along_axis(lambda g: np.convolve(g, kernel, mode="same"), 1, gain)
    _, y = istft(spec * gain, fs=RATE, nperseg=512, noverlap=384)
    return y[: len(x)].astype(np.float32)


def dereverb(x: np.ndarray, t60: float = 0.4, delay: float = 0.05, strength: float = 1.0,
             floor: float = 0.2) -> np.ndarray:
    """Spectral subtraction of late reverberation: the power 50 ms ago, decayed as a room
    with this reverberation time would, is what the room still adds now."""
    from scipy.signal import istft, stft

    if len(x) < RATE // 4:
        return x
    hop = 128
    _, _, spec = stft(x, fs=RATE, nperseg=512, noverlap=512 - hop)
    power = np.abs(spec) ** 2
    frames = max(1, round(delay * RATE / hop))
    late = np.zeros_like(power)
    late[:, frames:] = power[:, :-frames] * 10 ** (-6.0 * delay / t60)  # 60 dB per t60
    gain = np.maximum(1.0 - strength * late / np.maximum(power, 1e-12), floor ** 2) ** 0.5
    kernel = np.ones(3) / 3
    gain = np.apply_along_axis(lambda g: np.convolve(g, kernel, mode="same"), 1, gain)
    _, y = istft(spec * gain, fs=RATE, nperseg=512, noverlap=512 - hop)
    return y[: len(x)].astype(np.float32)


def preemphasis(x: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """Lifts the upper voice band (consonants) against the vowels; gentle."""
    if len(x) < 2:
        return x
    y = np.append(x[:1], x[1:] - alpha * x[:-1])
    peak = float(np.max(np.abs(y)))
    return (y / peak * 0.99 if peak > 0.99 else y).astype(np.float32)


def slow(x: np.ndarray, up: int = 6, down: int = 5) -> np.ndarray:
    """Played 20% slower (resampled: the pitch falls with it): fast speech gets more frames per sound."""
    from scipy.signal import resample_poly

    return resample_poly(x, up, down).astype(np.float32) if len(x) else x


STEPS = {"slow": slow, "level": level, "highpass": highpass, "denoise": denoise, "dereverb": dereverb, "preemphasis": preemphasis}


def enhance(x: np.ndarray, steps: str) -> np.ndarray:
    for name in (s.strip() for s in steps.split("+")):
        if name:
            x = STEPS[name](x)
    return x


def steps_by_kind(text: str) -> dict[str, str]:
    """"noisy=highpass+denoise;phone=;reverb=highpass" -> {kind: steps}; unknown kinds or steps: ValueError."""
    by_kind: dict[str, str] = {}
    for item in filter(None, (i.strip() for i in text.split(";"))):
        kind, _, steps = item.partition("=")
        kind = kind.strip()
        unknown = [s for s in (p.strip() for p in steps.split("+")) if s and s not in STEPS]
        if kind not in KINDS or unknown:
            raise ValueError(f"unknown kind {kind!r} or step(s) {unknown}; kinds: {', '.join(KINDS)}; steps: {', '.join(STEPS)}")
        by_kind[kind] = steps.strip()
    return by_kind


def enhance_auto(x: np.ndarray, by_kind: str) -> tuple[np.ndarray, str]:
    """The steps for what the note is (by_kind as steps_by_kind reads it; a kind not named: none); the kind too."""
    kind = analyse(x).kind
    return enhance(x, steps_by_kind(by_kind).get(kind, "")), kind
