"""The benchmark's baselines (bench/speech/baselines): spoken commands (espeak-ng,
sent as OGG/Opus voice notes) through pocketsphinx with the domain language
model. pocketsphinx is in the bench extra only: skipped where it is not installed."""
from __future__ import annotations

import pytest

pytest.importorskip("pocketsphinx")

from bench.speech.baselines import domain_lm  # noqa: E402
from bench.speech.baselines.lexicon import _ESPEAK_TO_CMU, cmudict, espeak_to_cmu, pronunciations
from bot.speech.numbers import words_to_digits
from bench.speech.baselines.pocketsphinx_stt import PocketsphinxSpeechToText
from domain.speech import SpeechToText, SpeechUnavailable

from .conftest import needs_espeak, voice_note

VOCABULARY = ["ACME Ltd.", "Globex Corporation", "Initech EOOD", "Nordic Supply", "Blue widget", "A4 paper", "Vitosha Print"]


@pytest.fixture(scope="module")
def stt(tmp_path_factory):
    return PocketsphinxSpeechToText(cache_dir=tmp_path_factory.mktemp("speech"))


@needs_espeak
@pytest.mark.parametrize("said, must_contain", [
    ("where is order one zero four two", ["where", "order", "1042"]),
    ("start picking order ten forty two", ["start", "picking", "order", "1042"]),
    ("received fifty widgets", ["received", "50", "widgets"]),
    ("call back acme tomorrow", ["call", "back", "acme", "tomorrow"]),
    ("ship twenty five boxes to globex", ["ship", "25", "boxes", "globex"]),
    ("received one hundred blue widgets from nordic supply", ["received", "100", "blue", "widgets", "nordic", "supply"]),
    ("new deal with initech", ["deal", "initech"]),
])
def test_spoken_commands_come_out(stt, said, must_contain):
    result = stt.transcribe(voice_note(said), lang="en", vocabulary=VOCABULARY)
    words = result.text.split()
    assert [w for w in must_contain if w not in words] == [], result.text
    assert result.engine == "pocketsphinx" and result.lang == "en"
    assert result.seconds_audio > 1 and result.seconds_taken > 0
    assert not any(c.isdigit() for c in result.raw_text)  # the engine says words; digits come from the normaliser
    assert result.text == words_to_digits(result.raw_text)


@needs_espeak
def test_names_missing_from_cmudict_get_a_pronunciation():
    prons = pronunciations({"globex", "vitosha", "widgets"})
    assert prons["widgets"] == "W IH JH IH T S"  # CMUdict
    assert prons["globex"].split()[:2] == ["G", "L"]  # espeak-ng
    assert "vitosha" in prons


def test_espeak_mnemonics_map_onto_the_models_phones():
    assert espeak_to_cmu("gl'oUbEks") == "G L OW B EH K S"
    assert espeak_to_cmu("tS'3:tS") == "CH ER CH"
    model_phones = {p for phones in cmudict().values() for p in phones.split()}
    mapped = {p for phones in _ESPEAK_TO_CMU.values() for p in phones.split()}
    assert mapped <= model_phones


def test_the_model_is_built_once_per_vocabulary(tmp_path):
    first = domain_lm.build(["Acme", "Globex"], tmp_path)
    again = domain_lm.build(["globex", "ACME"], tmp_path)  # same names, other order and case
    other = domain_lm.build(["Acme", "Initech"], tmp_path)
    assert first.lm_path == again.lm_path and first.lm_path.exists()
    assert other.lm_path != first.lm_path
    assert "globex" in first.dict_path.read_text().split()
    assert "globex" not in other.dict_path.read_text().split()


def test_vocabulary_is_what_people_say():
    # other scripts cannot be said with the English model; legal forms are left out; digits are said
    assert domain_lm.normalise_vocabulary(["ООО Вектор", "上海华贸有限公司", "Bolt M4x20", "ACME Ltd.", "Initech EOOD"]) == [
        "acme", "bolt m four x twenty", "initech"]


def test_other_languages_name_the_config_key(stt):
    with pytest.raises(SpeechUnavailable, match=r"speech\.vosk\.model_dirs\.ru"):
        stt.transcribe(b"whatever", lang="ru")


def test_it_is_a_speech_to_text_port(stt):
    assert isinstance(stt, SpeechToText)
    assert list(stt.languages()) == ["en"]


def test_old_models_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(domain_lm, "KEEP_MODELS", 2)
    first = domain_lm.build(["Acme"], tmp_path)
    domain_lm.build(["Globex"], tmp_path)
    domain_lm.build(["Acme"], tmp_path)  # used again: now the most recent
    latest = domain_lm.build(["Initech"], tmp_path)
    kept = {p.name for p in tmp_path.glob("ps-*")}
    assert kept == {first.lm_path.parent.name, latest.lm_path.parent.name}
