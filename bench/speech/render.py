"""python -m bench.speech.render --sentences FILE --out DIR: a spoken test set.

Each sentence of FILE (JSON lines with at least "id", "lang", "text"; the blind
sets also carry "intent" and "entities") is spoken `--takes` times, each take
by another synthetic voice and under another recording condition, and saved
as an OGG/Opus voice note the way Telegram sends them (mono 48 kHz, 24 kbit/s).
DIR gets the notes and manifest.jsonl (one line per note: the sentence's
fields plus file, voice, condition). The choice of voice and condition is
seeded by the sentence id: the same command renders the same set.

Voices (Debian packages, for rendering only; the bench reads the OGG files):
  espeak-ng                  en-us, en-us+m3, en+f2, en-gb+m5 / ru, ru+m3, ru+f2
  festival + festvox-*       kal_diphone, ked_diphone, cmu_us_slt_arctic_hts / msu_ru_nsh_clunits (festvox-ru)
  flite                      rms, slt, awb
  apt-get install espeak-ng festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts festvox-ru flite

Conditions (numpy): clean; noise (white + low rumble at 15 dB SNR); reverb
(a small room's decaying impulse response); phone (300-3400 Hz band, 8 kHz,
then back up, as a call recording forwarded as a voice note).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.speech.audio import encode_ogg_opus


@dataclass(frozen=True)
class Voice:
    name: str  # engine:voice
    langs: tuple[str, ...]
    tool: str  # the executable it needs

    def available(self) -> bool:
        if shutil.which(self.tool) is None:
            return False
        if self.name.startswith("festival:"):
            return any(Path("/usr/share/festival/voices").glob(f"*/{self.name.split(':', 1)[1]}"))
        return True

    def say(self, text: str) -> tuple[np.ndarray, int]:
        engine, voice = self.name.split(":", 1)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "said.wav"
            if engine == "espeak-ng":
                voice, _, speed = voice.partition("@")
                subprocess.run(["espeak-ng", "-v", voice, "-s", speed or "160", "-w", str(out), text], check=True,
                               capture_output=True)
            elif engine == "festival":
                subprocess.run(["text2wave", "-eval", f"(voice_{voice})", "-o", str(out)], input=text.encode("utf-8"),
                               check=True, capture_output=True, timeout=120)
            elif engine == "flite":
                subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(out)], check=True, capture_output=True)
            return read_wav(out.read_bytes())


VOICES = [
    Voice("espeak-ng:en-us@165", ("en",), "espeak-ng"),
    Voice("espeak-ng:en-us+m3@175", ("en",), "espeak-ng"),
    Voice("espeak-ng:en+f2@150", ("en",), "espeak-ng"),
    Voice("espeak-ng:en-gb+m5@160", ("en",), "espeak-ng"),
    Voice("festival:kal_diphone", ("en",), "text2wave"),
    Voice("festival:ked_diphone", ("en",), "text2wave"),
    Voice("festival:cmu_us_slt_arctic_hts", ("en",), "text2wave"),
    Voice("flite:rms", ("en",), "flite"),
    Voice("flite:slt", ("en",), "flite"),
    Voice("flite:awb", ("en",), "flite"),
    Voice("espeak-ng:ru@160", ("ru",), "espeak-ng"),
    Voice("espeak-ng:ru+m3@170", ("ru",), "espeak-ng"),
    Voice("espeak-ng:ru+f2@150", ("ru",), "espeak-ng"),
    Voice("festival:msu_ru_nsh_clunits", ("ru",), "text2wave"),
]
CONDITIONS = ("clean", "noise", "reverb", "phone")
RATE = 16_000


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as w:
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
        if w.getnchannels() > 1:
            frames = frames.reshape(-1, w.getnchannels()).mean(axis=1)
        return frames, w.getframerate()


def resample(x: np.ndarray, rate: int, to: int) -> np.ndarray:
    if rate == to:
        return x
    n = int(round(len(x) * to / rate))
    return np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x).astype(np.float32)


def band(x: np.ndarray, rate: int, low: float, high: float) -> np.ndarray:
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    spectrum[(freqs < low) | (freqs > high)] = 0
    return np.fft.irfft(spectrum, len(x)).astype(np.float32)


def condition(x: np.ndarray, name: str, rng: np.random.Generator) -> np.ndarray:
    """x: float mono at RATE, with half a second of room tone either side (people pause)."""
    pad = np.zeros(RATE // 2, np.float32)
    x = np.concatenate([pad, x, pad])
    x = x + rng.normal(0, 3e-4, len(x)).astype(np.float32)  # a microphone's noise floor
    if name == "noise":
        noise = rng.normal(0, 1, len(x)).astype(np.float32)
        rumble = band(rng.normal(0, 1, len(x)).astype(np.float32), RATE, 20, 300) * 8
        noise = noise + rumble
        speech_power = np.mean(x ** 2)
        noise *= np.sqrt(speech_power / (np.mean(noise ** 2) * 10 ** (15 / 10)))
        x = x + noise
    elif name == "reverb":
        t = np.arange(int(0.3 * RATE)) / RATE
        ir = rng.normal(0, 1, len(t)).astype(np.float32) * np.exp(-t / 0.06).astype(np.float32)
        ir[0] = 1.0
        wet = np.convolve(x, ir * 0.25)[: len(x)]
        x = wet.astype(np.float32)
    elif name == "phone":
        x = resample(band(x, RATE, 300, 3400), RATE, 8000)
        x = np.round(x * 128) / 128  # 8-bit-ish: the grain of a cheap codec
        x = resample(x, 8000, RATE)
    peak = float(np.max(np.abs(x))) or 1.0
    return (x / peak * 0.7).astype(np.float32)


def to_wav(x: np.ndarray, rate: int = RATE) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    return out.getvalue()


def seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


def render(sentences: list[dict], out: Path, takes: int = 2) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for s in sentences:
        voices = [v for v in VOICES if s["lang"] in v.langs and v.available()]
        if not voices:
            raise SystemExit(f"no voice installed for {s['lang']} (see python -m bench.speech.render --help)")
        k = seed(s["id"])
        for take in range(takes):
            voice = voices[(k + take * 3) % len(voices)]
            cond = CONDITIONS[(k // 7 + take) % len(CONDITIONS)]
            said, rate = voice.say(s["text"])
            x = condition(resample(said, rate, RATE), cond, np.random.default_rng(k + take))
            name = f"{s['id']}-{take + 1}.ogg"
            (out / name).write_bytes(encode_ogg_opus(to_wav(x), bitrate=24_000))
            rows.append({**s, "file": name, "voice": voice.name, "condition": cond})
            print(f"{name:20} {voice.name:36} {cond:7} {s['text'][:60]}", flush=True)
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


def read_sentences(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speech.render", description=__doc__.split("\n")[0],
                                     epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=Path, required=True, nargs="+", help="JSON lines: id, lang, text (+ intent, entities)")
    parser.add_argument("--out", type=Path, required=True, help="directory for the OGG files and manifest.jsonl")
    parser.add_argument("--takes", type=int, default=2, help="renderings per sentence (voice and condition rotate)")
    args = parser.parse_args(argv)
    sentences = [s for path in args.sentences for s in read_sentences(path)]
    rows = render(sentences, args.out, args.takes)
    print(f"{len(rows)} voice notes in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
