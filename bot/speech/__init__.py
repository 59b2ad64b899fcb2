"""Speech-to-text adapters behind domain.speech.SpeechToText.

    audio.py         bytes (OGG/Opus, WAV, MP3...) -> 16 kHz mono PCM, with length and size limits
    whisper_stt.py   the default: faster-whisper, English from the bundled tiny.en model, biased by a prompt of names
    enhance.py       audio clean-up before Whisper decodes, chosen per note (noisy, phone band, reverberant, clean)
    vosk_stt.py      a language whose model the operator installed as an unpacked Vosk model
    registry.py      model per language from config.yaml's speech.models, English by default
    normalise.py     what was heard -> what the parser reads: spoken numbers as digits, bin codes (C-25)
    numbers.py       spoken numbers -> digits ("one zero four two" -> "1042")
    vocabulary.py    the names to expect, the person's own and the current flow's first
"""
from .audio import AudioLimits, decode_pcm16k, encode_ogg_opus
from .normalise import normalise_spoken
from .numbers import words_to_digits
from .registry import ENGINES, SpeechConfig, SpeechRouter, speech_to_text

__all__ = ["AudioLimits", "ENGINES", "SpeechConfig", "SpeechRouter", "decode_pcm16k", "encode_ogg_opus",
           "normalise_spoken", "speech_to_text", "words_to_digits"]
