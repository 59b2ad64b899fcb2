"""python -m bench.speech: speech-to-text speed and accuracy on the spoken set.

espeak-ng says each sentence of bench/speech/cases.py in a few voices; PyAV
turns it into an OGG/Opus voice note as Telegram sends it; each engine
transcribes it. Baseline: pocketsphinx with its general English model
("pocketsphinx-raw", no domain bias), measured in the same run.

Figures per engine:
  RTF         recognition seconds per second of audio (decoding excluded; below 1 = faster than real time)
  cpuRTF      the same in CPU seconds (steadier on a shared machine)
  WER         word error rate against the sentence, numbers as digits on both sides
  free        WER on the few sentences phrased unlike any command (what the domain bias costs)
  order/qty   share of order numbers / quantities that came out as the right digits
  names       share of sentences whose customer/product name words all came out
  intent      share whose nlu.parse intent equals the intent of the true sentence (when nlu.parse exists)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from bench.speech.cases import CASES, VOCABULARY, Case
from bot.speech.audio import Pcm, decode_pcm16k, encode_ogg_opus

VOICES = [("en-us", 160), ("en-us+m3", 175), ("en+f3", 150)]  # espeak-ng voice, words per minute


@dataclass
class Sample:
    case: Case
    voice: str
    pcm: Pcm
    ogg_bytes: int
    decode_seconds: float


@dataclass
class Score:
    engine: str
    utterances: int = 0
    seconds_audio: float = 0.0
    seconds_taken: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of recognition: steadier than wall time on a shared machine
    word_errors: int = 0
    words: int = 0
    free_errors: int = 0  # the same for the free-phrasing sentences alone
    free_words: int = 0
    orders: list[bool] = field(default_factory=list)
    qtys: list[bool] = field(default_factory=list)
    names: list[bool] = field(default_factory=list)
    intents: list[bool] = field(default_factory=list)
    worst: list[tuple[str, str]] = field(default_factory=list)
    by_voice: dict[str, list[int]] = field(default_factory=dict)  # voice -> [word errors, words]

    @property
    def rtf(self) -> float:
        return self.seconds_taken / self.seconds_audio if self.seconds_audio else 0.0

    @property
    def cpu_rtf(self) -> float:
        return self.cpu_seconds / self.seconds_audio if self.seconds_audio else 0.0

    @property
    def wer(self) -> float:
        return self.word_errors / self.words if self.words else 0.0

    @property
    def free_wer(self) -> float | None:
        return self.free_errors / self.free_words if self.free_words else None

    @staticmethod
    def share(flags: Sequence[bool]) -> float | None:
        return sum(flags) / len(flags) if flags else None

    def summary(self) -> dict:
        return {"engine": self.engine, "utterances": self.utterances, "rtf": round(self.rtf, 3), "cpu_rtf": round(self.cpu_rtf, 3), "wer": round(self.wer, 3), "wer_free_phrasing": _round(self.free_wer),
                "order_numbers": _round(self.share(self.orders)), "quantities": _round(self.share(self.qtys)),
                "names": _round(self.share(self.names)), "intent": _round(self.share(self.intents)),
                "wer_by_voice": {v: round(e / n, 3) for v, (e, n) in self.by_voice.items()}}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def synthesise(text: str, voice: str, speed: int) -> bytes:
    return subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
                          capture_output=True, check=True).stdout


def spoken_set(voices: int) -> list[Sample]:
    samples = []
    for case in CASES:
        for voice, speed in VOICES[:voices]:
            ogg = encode_ogg_opus(synthesise(case.said, voice, speed))
            started = time.perf_counter()
            pcm = decode_pcm16k(ogg)
            samples.append(Sample(case, f"{voice}@{speed}", pcm, len(ogg), time.perf_counter() - started))
    return samples


def intent_of() -> Callable[[str], str] | None:
    """nlu.parse's intent for a text, when the NLU layer is there."""
    try:
        from nlu import parse  # type: ignore[attr-defined]
    except ImportError:
        return None
    return lambda text: parse(text, lang="en").intent


def score(engine, samples: list[Sample], vocabulary: Sequence[str], intent: Callable[[str], str] | None) -> Score:
    s = Score(engine.name)
    reference_intents: dict[str, str] = {}
    for sample in samples:
        cpu = time.process_time()
        result = engine.transcribe_pcm(sample.pcm, lang="en", vocabulary=vocabulary)
        s.cpu_seconds += time.process_time() - cpu
        ref, hyp = sample.case.reference.split(), result.text.lower().split()
        errors = Levenshtein.distance(ref, hyp)
        s.utterances += 1
        s.seconds_audio += result.seconds_audio
        s.seconds_taken += result.seconds_taken
        s.word_errors += errors
        s.words += len(ref)
        tally = s.by_voice.setdefault(sample.voice, [0, 0])
        tally[0] += errors
        tally[1] += len(ref)
        if sample.case.free:
            s.free_errors += errors
            s.free_words += len(ref)
        if sample.case.order:
            s.orders.append(sample.case.order in hyp)
        if sample.case.qty:
            s.qtys.append(sample.case.qty in hyp)
        if sample.case.names:
            s.names.append(all(n in hyp for n in sample.case.names))
        if intent is not None:
            if sample.case.said not in reference_intents:
                reference_intents[sample.case.said] = intent(sample.case.reference)
            s.intents.append(intent(result.text) == reference_intents[sample.case.said])
        if errors:
            s.worst.append((sample.case.reference, result.text))
    return s


def _fmt(x: float | None, pct: bool = True) -> str:
    if x is None:
        return "   -  "
    return f"{100 * x:5.1f}%" if pct else f"{x:6.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speech", description=__doc__.split("\n")[0])
    parser.add_argument("--voices", type=int, default=2, choices=range(1, len(VOICES) + 1), help="espeak-ng voices per sentence")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    parser.add_argument("--show-errors", type=int, default=5, help="mistranscriptions to print per engine")
    args = parser.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed (apt-get install espeak-ng): no spoken set to measure", file=sys.stderr)
        return 2

    from bot.settings import load_settings
    from bot.speech.pocketsphinx_stt import PocketsphinxSpeechToText
    from bot.speech.registry import speech_config
    from bot.speech.vosk_stt import VoskSpeechToText
    from domain.speech import SpeechUnavailable

    samples = spoken_set(args.voices)
    audio_seconds = sum(x.pcm.seconds for x in samples)
    decode_ms = 1000 * sum(x.decode_seconds for x in samples) / len(samples)
    print(f"spoken set: {len(CASES)} sentences x {args.voices} voices = {len(samples)} voice notes, "
          f"{audio_seconds:.0f} s of audio; OGG/Opus -> 16 kHz PCM decode {decode_ms:.1f} ms per note")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared, noisy)")

    with tempfile.TemporaryDirectory() as cache:
        biased = PocketsphinxSpeechToText(cache_dir=Path(cache))
        started = time.perf_counter()
        biased.warm_up(VOCABULARY)
        build_seconds = time.perf_counter() - started
        print(f"domain model for {len(VOCABULARY)} names built in {build_seconds:.2f} s (cold cache), then cached")
        engines = [PocketsphinxSpeechToText(domain_bias=False), biased]
        vosk_dirs = speech_config(load_settings().speech).vosk.model_dirs
        vosk = VoskSpeechToText(vosk_dirs)
        try:
            vosk.model("en")
            engines.append(vosk)
        except SpeechUnavailable as exc:
            print(f"vosk: not measured: {exc}")
        intent = intent_of()
        if intent is None:
            print("intent: not measured (nlu.parse is not there yet)")
        scores = [score(e, samples, VOCABULARY, intent) for e in engines]

    print()
    print(f"{'engine':18} {'RTF':>6} {'cpuRTF':>6} {'WER':>6} {'free':>6} {'order':>6} {'qty':>6} {'names':>6} {'intent':>6}")
    for s in scores:
        print(f"{s.engine:18} {s.rtf:6.3f} {s.cpu_rtf:6.3f} {_fmt(s.wer)} {_fmt(s.free_wer)} {_fmt(s.share(s.orders))} {_fmt(s.share(s.qtys))} "
              f"{_fmt(s.share(s.names))} {_fmt(s.share(s.intents))}")
    for s in scores:
        print(f"{s.engine:18} WER by voice: " + ", ".join(f"{v} {_fmt(e / n).strip()}" for v, (e, n) in s.by_voice.items()))
    base, dom = scores[0], scores[1]
    print()
    print(f"baseline {base.engine} vs {dom.engine}: WER x{base.wer / dom.wer if dom.wer else float('inf'):.1f} lower, "
          f"order numbers x{_ratio(dom.orders, base.orders)}, quantities x{_ratio(dom.qtys, base.qtys)}, "
          f"names x{_ratio(dom.names, base.names)}, RTF x{base.rtf / dom.rtf:.1f} faster "
          f"(CPU time x{base.cpu_rtf / dom.cpu_rtf:.1f})")
    for s in scores:
        if args.show_errors and s.worst:
            print(f"\n{s.engine}: {len(s.worst)} of {s.utterances} with errors, e.g.")
            for ref, hyp in s.worst[: args.show_errors]:
                print(f"  said {ref!r}\n  got  {hyp!r}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"samples": len(samples), "audio_seconds": round(audio_seconds, 1),
                                         "decode_ms_per_note": round(decode_ms, 2), "domain_model_build_s": round(build_seconds, 2),
                                         "engines": [s.summary() for s in scores]}, indent=2))
    return 0


def _ratio(better: list[bool], base: list[bool]) -> str:
    b, d = Score.share(base), Score.share(better)
    if b is None or d is None:
        return "-"
    return f"{d / b:.1f}" if b else f"inf ({100 * d:.0f}% vs 0%)"


if __name__ == "__main__":
    sys.exit(main())
