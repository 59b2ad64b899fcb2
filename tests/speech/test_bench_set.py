"""The committed blind voice set that python -m bench.speech reads without any TTS installed."""
from __future__ import annotations

from bench.speech.__main__ import DEFAULT_SET, load_set, words
from bot.speech.audio import decode_pcm16k


def test_the_rendered_set_is_complete_and_decodes():
    root, notes = load_set(DEFAULT_SET)
    assert len(notes) >= 100 and {n["lang"] for n in notes} == {"en", "ru"}
    assert all((root / n["file"]).is_file() for n in notes)
    assert {n["condition"] for n in notes} == {"clean", "noise", "reverb", "phone"}
    assert len({n["voice"].split(":")[0] for n in notes}) >= 3  # espeak-ng, festival, flite
    pcm = decode_pcm16k((root / notes[0]["file"]).read_bytes())
    assert pcm.seconds > 1


def test_wer_words_ignore_case_punctuation_fillers_and_number_spelling():
    assert words("Um, pick order ten forty-two, C two five!", "en") == ["pick", "order", "1042", "c", "25"]
    assert words("pick order 1042 C-25", "en") == ["pick", "order", "1042", "c", "25"]
