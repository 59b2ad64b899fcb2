from __future__ import annotations

import pytest

from bot.settings import load_settings
from bot.speech.registry import SpeechConfig, SpeechRouter, speech_config, speech_to_text
from bot.speech.audio import AudioLimits
from domain.errors import InvalidInput
from domain.speech import SpeechUnavailable

from .conftest import needs_espeak, voice_note


def settings(**speech):
    return load_settings(speech=speech)


def test_config_yaml_speech_section_is_valid():
    config = speech_config(load_settings().speech)
    assert config.default_engine == "pocketsphinx"
    assert config.pocketsphinx.domain_bias is True


def test_named_engines():
    assert speech_to_text(settings(), "pocketsphinx").name == "pocketsphinx"
    assert speech_to_text(settings(), "pocketsphinx-raw").name == "pocketsphinx-raw"
    assert speech_to_text(settings(), "vosk").name == "vosk"
    with pytest.raises(InvalidInput, match="Unknown speech engine whisper"):
        speech_to_text(settings(), "whisper")


def test_unknown_engine_in_config_is_refused_at_start():
    with pytest.raises(InvalidInput, match="Unknown speech engine"):
        speech_to_text(settings(engine_for_lang={"ru": "google"}))


def test_limits_come_from_settings(tmp_path):
    stt = speech_to_text(load_settings(speech={"max_bytes": 1234}, limits={"voice_seconds": 7}), "pocketsphinx")
    assert stt.limits == AudioLimits(max_seconds=7, max_bytes=1234)


def test_router_picks_the_engine_per_language(tmp_path):
    router = SpeechRouter(SpeechConfig(engine_for_lang={"ru": "vosk"}, vosk={"model_dirs": {"ru": str(tmp_path / "ru")}}),
                          AudioLimits(), default_lang="en")
    assert router.engine_for("en").name == "pocketsphinx"
    assert router.engine_for(None).name == "pocketsphinx"
    assert router.engine_for("ru").name == "vosk"
    assert list(router.languages()) == ["en", "ru"]
    with pytest.raises(SpeechUnavailable, match=r"speech\.vosk\.model_dirs\.ru"):
        router.transcribe(b"OggS", lang="ru")


@needs_espeak
def test_router_transcribes_english_with_the_biased_engine(tmp_path):
    router = speech_to_text(settings(cache_dir=str(tmp_path)))
    result = router.transcribe(voice_note("where is order one zero four two"), vocabulary=["Acme"])
    assert result.engine == "pocketsphinx" and "1042" in result.text.split()
    assert list(tmp_path.glob("ps-*/domain.lm"))  # the model went to the configured cache
