"""Vosk loads models the operator installs; without one it must say which
config key to set. (No model can be downloaded here, so recognition itself
is exercised only where an operator has put a model.)"""
from __future__ import annotations

import os

import pytest

from bot.speech.vosk_stt import VoskSpeechToText
from domain.speech import SpeechToText, SpeechUnavailable

from .conftest import needs_espeak, voice_note


def test_language_without_a_directory_names_the_key():
    stt = VoskSpeechToText({"en": ""})
    with pytest.raises(SpeechUnavailable, match=r"speech\.models\.ru") as err:
        stt.transcribe(b"OggS", lang="ru")
    assert "no model directory configured" in str(err.value)


def test_missing_directory_names_the_key_and_the_path(tmp_path):
    missing = tmp_path / "vosk-model-small-ru"
    stt = VoskSpeechToText({"ru": str(missing)})
    with pytest.raises(SpeechUnavailable, match=r"speech\.models\.ru") as err:
        stt.transcribe(b"OggS", lang="ru")
    assert str(missing) in str(err.value) and "missing or empty" in str(err.value)


def test_empty_directory_is_refused(tmp_path):
    stt = VoskSpeechToText({"ru": str(tmp_path)})
    with pytest.raises(SpeechUnavailable, match="missing or empty"):
        stt.transcribe(b"OggS", lang="ru")


def test_directory_without_a_model_is_refused_by_vosk_itself(tmp_path):
    (tmp_path / "README").write_text("not a model")
    stt = VoskSpeechToText({"ru": str(tmp_path)})
    with pytest.raises(SpeechUnavailable, match=r"does not hold a usable Vosk model"):
        stt.model("ru")


def test_default_language_is_used_when_none_is_given(tmp_path):
    stt = VoskSpeechToText({"ru": str(tmp_path / "nope")}, default_lang="ru")
    with pytest.raises(SpeechUnavailable, match=r"speech\.models\.ru"):
        stt.transcribe(b"OggS")


def test_languages_are_the_configured_ones():
    stt = VoskSpeechToText({"ru": "models/ru", "bg": "models/bg", "en": ""})
    assert isinstance(stt, SpeechToText)
    assert list(stt.languages()) == ["bg", "ru"]


# With a model an operator installed: QM_TEST_VOSK_MODEL=LANG=DIR (e.g. ru=/models/vosk-model-small-ru-0.22).
REAL_MODEL = os.environ.get("QM_TEST_VOSK_MODEL", "")


@needs_espeak
@pytest.mark.skipif("=" not in REAL_MODEL, reason="no Vosk model here (set QM_TEST_VOSK_MODEL=LANG=DIR to run it)")
def test_real_model_transcribes_a_voice_note():
    lang, directory = REAL_MODEL.split("=", 1)
    stt = VoskSpeechToText({lang: directory})
    result = stt.transcribe(voice_note(SAY[lang], voice=lang), lang=lang)
    assert result.engine == "vosk" and result.lang == lang
    assert result.text.strip() and result.seconds_audio > 1
    assert result.confidence is not None and 0 <= result.confidence <= 1


SAY = {"en": "where is order one zero four two", "ru": "где мой заказ один ноль четыре два",
       "ko": "안녕하세요 주문 번호는 천사십이 입니다"}
