"""A free voice note the parser makes little sense of is heard again other ways (the audio slower, a
conversational prompt); the hearing the parser understands best is kept, the first on a tie."""
from __future__ import annotations

import numpy as np
import pytest

from bot.speech.audio import Pcm
from bot.speech.registry import bundled_model_dir
from bot.speech.whisper_stt import TALK_PROMPT, WhisperOptions, WhisperSpeechToText
from domain.speech import Transcript


class Scripted(WhisperSpeechToText):
    """Each way of hearing answers from a script (keyed by what its options change)."""

    heard_ways: list[str] = []

    def __init__(self, answers: dict[str, str], options: WhisperOptions = WhisperOptions()):
        super().__init__(bundled_model_dir(), ["en"], options=options)
        self.answers = answers

    def loaded(self, lang):
        return None

    def _recognise(self, loaded, pcm, lang, vocabulary, expected, started):
        o = self.options
        way = "talk" if o.sample_prompt == TALK_PROMPT else "slow" if "slow" in o.preprocess_auto else "first"
        Scripted.heard_ways.append(way)
        return Transcript(text=self.answers[way], lang=lang, engine="whisper", seconds_audio=1.0, seconds_taken=0.1)

    def heard_another_way(self, way):
        other = super().heard_another_way(way)
        return Scripted(self.answers, other.options)


SCORES = {"where is order 1042": 0.97, "well we bought the 1042": 0.41, "where is the order 1042": 0.88, "big case": 0.2}
PCM = Pcm(np.zeros(16_000, dtype=np.int16))


@pytest.fixture(autouse=True)
def _fresh():
    Scripted.heard_ways = []


def test_a_note_that_makes_sense_is_heard_once():
    stt = Scripted({"first": "where is order 1042", "slow": "big case", "talk": "big case"})
    assert stt.transcribe_pcm(PCM, score=SCORES.get).text == "where is order 1042"
    assert Scripted.heard_ways == ["first"]


def test_a_garbled_note_keeps_the_hearing_the_parser_understands_best():
    stt = Scripted({"first": "well we bought the 1042", "slow": "where is the order 1042", "talk": "big case"})
    assert stt.transcribe_pcm(PCM, score=SCORES.get).text == "where is the order 1042"
    assert Scripted.heard_ways == ["first", "slow", "talk"]


def test_on_a_tie_the_first_hearing_stays_and_without_a_judge_nothing_is_heard_again():
    stt = Scripted({"first": "big case", "slow": "big case", "talk": "big case"})
    assert stt.transcribe_pcm(PCM, score=SCORES.get).text == "big case"
    Scripted.heard_ways = []
    stt.transcribe_pcm(PCM)
    assert Scripted.heard_ways == ["first"]
    off = Scripted({"first": "big case", "slow": "x", "talk": "x"}, WhisperOptions(rescue_below=None))
    Scripted.heard_ways = []
    off.transcribe_pcm(PCM, score=SCORES.get)
    assert Scripted.heard_ways == ["first"]


def test_the_ways_of_hearing():
    stt = WhisperSpeechToText(bundled_model_dir(), ["en"])
    slow = stt.heard_another_way("slow").options
    assert all(steps.endswith("slow") for steps in slow.preprocess_auto.split(";")) and slow.rescue_below is None
    assert stt.heard_another_way("talk").options.sample_prompt == TALK_PROMPT
    assert stt.heard_another_way("plain").options.sample_prompt == "" and stt.heard_another_way("plain").options.rescue_below is None
    plain = WhisperSpeechToText(bundled_model_dir(), ["en"], options=WhisperOptions(preprocess="highpass"))
    assert plain.heard_another_way("slow").options.preprocess == "highpass+slow"
    with pytest.raises(ValueError):
        stt.heard_another_way("loud")
