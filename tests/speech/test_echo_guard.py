"""tiny.en reading its prompt back ("Order 1042 from bin C-25 from bin C-25 ...") or looping on a
phrase: the audio is decoded again without a prompt. The bug this guards: "bin C-25" in
transcripts of notes that never named a bin (the sample command's code read back)."""
from __future__ import annotations

from types import SimpleNamespace

from bot.speech.registry import bundled_model_dir
from bot.speech.whisper_stt import GENERIC_PROMPT, OTHER_PROMPT, WhisperOptions, WhisperSpeechToText, repeats, sample_codes


def segments(text: str) -> list:
    return [SimpleNamespace(text=text)]


class Scripted(WhisperSpeechToText):
    """_decode answers from a script: with the prompt, then again (another sample command, or none)."""

    def __init__(self, with_prompt: str, again: str):
        super().__init__(bundled_model_dir(), ["en"], options=WhisperOptions())
        self.answers = {GENERIC_PROMPT: with_prompt}
        self.again = again
        self.prompts: list[str] = []

    def _decode(self, loaded, samples, lang, prompt, seconds):
        self.prompts.append(prompt)
        return segments(self.answers.get(prompt, self.again))

    def heard(self, expected=()) -> str:
        first = self._decode(None, None, "en", GENERIC_PROMPT, 1.0)
        return " ".join(s.text for s in self._without_echo(None, None, "en", first, 1.0, expected))


def test_the_sample_commands_codes():
    assert sample_codes(GENERIC_PROMPT) == ["1042", "C-25"]


def test_a_loop_is_counted():
    assert repeats("Order 1042 from bin C-25 from bin C-25 from bin C-25.") == 3
    assert repeats("pick 45 boxes from bin C-25") == 1


def test_the_prompt_read_back_is_decoded_again_without_it():
    stt = Scripted("How many glue widgets do we have in bin C-25?", "How many blue widgets do we have in bin A 0102?")
    assert stt.heard() == "How many blue widgets do we have in bin A 0102?"
    assert stt.prompts == [GENERIC_PROMPT, OTHER_PROMPT]


def test_a_code_heard_with_another_sample_too_was_said():
    stt = Scripted("Pick 45 boxes from bin C-25.", "Pick 45 boxes from bin C 25.")
    assert stt.heard() == "Pick 45 boxes from bin C-25."


def test_a_code_heard_without_the_prompt_too_was_said():
    stt = Scripted("Where's order 1042?", "Where's order ten forty two?")
    assert stt.heard() == "Where's order 1042?"


def test_a_code_the_step_expects_is_not_an_echo():
    stt = Scripted("Pick C-25.", "Pick see 25.")
    assert stt.heard(expected=["C-25"]) == "Pick C-25." and stt.prompts == [GENERIC_PROMPT]


def test_a_loop_gives_way_to_the_version_that_loops_less():
    stt = Scripted("the height of the height of the height of the height", "it's order ten ninety nine")
    assert stt.heard() == "it's order ten ninety nine" and stt.prompts[1] == ""


def test_ordinary_speech_is_decoded_once():
    stt = Scripted("remind me to call Acme tomorrow at 10", "unused")
    assert stt.heard() == "remind me to call Acme tomorrow at 10" and len(stt.prompts) == 1


def test_a_code_heard_spaced_without_the_prompt_is_the_same_code():
    stt = Scripted("Start picking order 1042.", "Start picking order 10 42.")
    assert stt.heard() == "Start picking order 1042."


def test_another_sample_prompt_keeps_the_guard():
    from bot.speech.whisper_stt import other_sample

    assert other_sample(GENERIC_PROMPT) == OTHER_PROMPT
    assert other_sample("Okay, so I met the customer. Pick order 1042 from bin C-25, 45 boxes.") == \
        "Okay, so I met the customer. Pick order 2071 from bin D-14, 36 boxes."
    assert other_sample("No codes here.") is None
