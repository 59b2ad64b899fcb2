"""Speech-to-text with Vosk (Kaldi): the engine for Russian and the other
languages, and a stronger English one, from models the operator installs.

Models cannot be downloaded by the application: the operator unpacks one per
language (e.g. vosk-model-small-ru-0.22) and names its directory in
config.yaml under speech.models.<lang>. A missing or empty directory
is reported with that key, so the fix is obvious.

The vocabulary is not used: a Vosk grammar would restrict recognition to the
listed phrases only, and big Vosk models ignore grammars altogether.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from domain.speech import Transcript, not_set_up

from .audio import SAMPLE_RATE, AudioLimits, Pcm, decode_pcm16k
from .normalise import normalise_spoken

CONFIG_KEY = "speech.models"
_CHUNK = SAMPLE_RATE * 2 // 5  # feed 0.2 s at a time (bytes: 2 per sample), as Vosk's examples do


class VoskSpeechToText:
    name = "vosk"

    def __init__(self, model_dirs: Mapping[str, str], *, limits: AudioLimits = AudioLimits(), default_lang: str = "en"):
        self.model_dirs = {lang: str(path) for lang, path in model_dirs.items() if path}
        self.limits = limits
        self.default_lang = default_lang
        self._models: dict[str, Any] = {}
        self._guard = threading.Lock()

    def languages(self) -> Sequence[str]:
        return tuple(sorted(self.model_dirs))

    def transcribe(self, audio: bytes, lang: str | None = None, vocabulary: Sequence[str] = (),
                   expected: Sequence[str] = (), score: Callable[[str], float] | None = None) -> Transcript:
        lang = lang or self.default_lang
        model = self.model(lang)  # before decoding: a missing model is the clearer error
        started = time.perf_counter()
        pcm = decode_pcm16k(audio, self.limits)
        return self._recognise(model, pcm, lang, started)

    def transcribe_pcm(self, pcm: Pcm, lang: str | None = None, vocabulary: Sequence[str] = (),
                       expected: Sequence[str] = (), score: Callable[[str], float] | None = None) -> Transcript:
        lang = lang or self.default_lang
        model = self.model(lang)
        return self._recognise(model, pcm, lang, time.perf_counter())

    def model(self, lang: str) -> Any:
        """The loaded vosk.Model for `lang` (loaded once; models are shared across threads)."""
        with self._guard:
            if lang not in self._models:
                self._models[lang] = self._load(lang)
            return self._models[lang]

    def _load(self, lang: str) -> Any:
        key = f"{CONFIG_KEY}.{lang}"
        path = self.model_dirs.get(lang)
        if not path:
            raise not_set_up(self.name, lang, f"no model directory configured; set {key} in config.yaml "
                                              "to the directory of an unpacked Vosk model for this language")
        directory = Path(path)
        if not directory.is_dir() or not any(directory.iterdir()):
            raise not_set_up(self.name, lang, f"the model directory {path} ({key}) is missing or empty; "
                                              "unpack a Vosk model for this language there")
        import vosk  # its native library loads on first use only

        vosk.SetLogLevel(-1)
        try:
            return vosk.Model(str(directory))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise not_set_up(self.name, lang, f"{path} ({key}) does not hold a usable Vosk model ({exc})") from exc

    def _recognise(self, model: Any, pcm: Pcm, lang: str, started: float) -> Transcript:
        import vosk

        recogniser = vosk.KaldiRecognizer(model, float(SAMPLE_RATE))
        recogniser.SetWords(True)  # per-word confidences
        data = pcm.tobytes()
        parts: list[dict[str, Any]] = []
        for i in range(0, len(data), _CHUNK):
            if recogniser.AcceptWaveform(data[i:i + _CHUNK]):  # an utterance ended
                parts.append(json.loads(recogniser.Result()))
        parts.append(json.loads(recogniser.FinalResult()))
        raw = " ".join(p.get("text", "") for p in parts if p.get("text")).strip()
        confs = [w["conf"] for p in parts for w in p.get("result", []) if "conf" in w]
        return Transcript(text=normalise_spoken(raw, lang), lang=lang, engine=self.name, seconds_audio=round(pcm.seconds, 3),
                          seconds_taken=round(time.perf_counter() - started, 3), raw_text=raw,
                          confidence=round(sum(confs) / len(confs), 3) if confs else None)
