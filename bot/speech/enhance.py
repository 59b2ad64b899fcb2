"""Audio clean-up before Whisper decodes a voice note (16 kHz mono float32).

Steps, named in speech.whisper.preprocess and joined by "+":
    level      speech to one loudness (RMS of its loud part), peaks kept under full scale
    highpass   below 100 Hz out (rumble, handling noise: no speech there)
    denoise    spectral gating: each frequency's noise floor (from the quietest frames)
               taken off, gently, so the words keep their edges
"""
from __future__ import annotations

import numpy as np

RATE = 16_000


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


STEPS = {"level": level, "highpass": highpass, "denoise": denoise}


def enhance(x: np.ndarray, steps: str) -> np.ndarray:
    for name in (s.strip() for s in steps.split("+")):
        if name:
            x = STEPS[name](x)
    return x
