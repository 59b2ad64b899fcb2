"""Which speech engine serves which language, built from config.yaml's `speech:` section.

    stt = speech_to_text(settings)             # routes by language
    stt = speech_to_text(settings, "vosk")     # one engine, by name
    transcript = stt.transcribe(ogg_bytes, lang="en", vocabulary=names)
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from domain.errors import N_, InvalidInput
from domain.speech import SpeechToText, Transcript

from .audio import AudioLimits
from .pocketsphinx_stt import PocketsphinxSpeechToText
from .vosk_stt import VoskSpeechToText


class PocketsphinxConfig(BaseModel):
    domain_bias: bool = True


class VoskConfig(BaseModel):
    model_dirs: dict[str, str] = {}


class SpeechConfig(BaseModel):
    default_engine: str = "pocketsphinx"
    engine_for_lang: dict[str, str] = {}
    max_bytes: int = Field(20 * 1024 * 1024, ge=1)
    cache_dir: str = "data/speech"
    pocketsphinx: PocketsphinxConfig = PocketsphinxConfig()
    vosk: VoskConfig = VoskConfig()


def _pocketsphinx(bias: bool) -> Callable[[SpeechConfig, AudioLimits, str], SpeechToText]:
    return lambda cfg, limits, _lang: PocketsphinxSpeechToText(limits=limits, cache_dir=Path(cfg.cache_dir),
                                                              domain_bias=bias and cfg.pocketsphinx.domain_bias)


# name -> factory(config, limits, default language)
ENGINES: dict[str, Callable[[SpeechConfig, AudioLimits, str], SpeechToText]] = {
    "pocketsphinx": _pocketsphinx(True),
    "pocketsphinx-raw": _pocketsphinx(False),  # no domain bias: the benchmark's baseline
    "vosk": lambda cfg, limits, lang: VoskSpeechToText(cfg.vosk.model_dirs, limits=limits, default_lang=lang),
}


def unknown_engine(name: str) -> InvalidInput:
    return InvalidInput(N_("Unknown speech engine {name}; known: {known}."), name=name, known=", ".join(ENGINES))


class SpeechRouter:
    """A SpeechToText that hands each recording to the engine configured for
    its language (speech.engine_for_lang, else speech.default_engine).
    Engines are built on first use and kept."""

    name = "auto"

    def __init__(self, config: SpeechConfig, limits: AudioLimits, default_lang: str = "en"):
        for engine in [config.default_engine, *config.engine_for_lang.values()]:
            if engine not in ENGINES:
                raise unknown_engine(engine)
        self.config, self.limits, self.default_lang = config, limits, default_lang
        self._engines: dict[str, SpeechToText] = {}
        self._guard = threading.Lock()

    def engine(self, name: str) -> SpeechToText:
        if name not in ENGINES:
            raise unknown_engine(name)
        with self._guard:
            if name not in self._engines:
                self._engines[name] = ENGINES[name](self.config, self.limits, self.default_lang)
            return self._engines[name]

    def engine_for(self, lang: str | None) -> SpeechToText:
        lang = lang or self.default_lang
        return self.engine(self.config.engine_for_lang.get(lang, self.config.default_engine))

    def languages(self) -> Sequence[str]:
        langs = set(self.config.engine_for_lang)
        if self.config.default_engine.startswith("pocketsphinx"):
            langs.add("en")
        else:
            langs.update(self.engine(self.config.default_engine).languages())
        return tuple(sorted(langs))

    def transcribe(self, audio: bytes, lang: str | None = None, vocabulary: Sequence[str] = ()) -> Transcript:
        lang = lang or self.default_lang
        return self.engine_for(lang).transcribe(audio, lang=lang, vocabulary=vocabulary)


def speech_config(section: Mapping[str, Any] | SpeechConfig) -> SpeechConfig:
    return section if isinstance(section, SpeechConfig) else SpeechConfig.model_validate(dict(section))


def speech_to_text(settings: Any, engine: str | None = None) -> SpeechToText:
    """The configured speech-to-text: a router by language, or one named engine.
    `settings` is bot.settings.Settings (its `speech` section, limits and company language)."""
    config = speech_config(settings.speech)
    limits = AudioLimits(max_seconds=float(settings.limits.voice_seconds), max_bytes=config.max_bytes)
    router = SpeechRouter(config, limits, default_lang=settings.company.language)
    return router.engine(engine) if engine else router
