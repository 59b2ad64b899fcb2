"""Speech-to-text adapters behind domain.speech.SpeechToText.

    audio.py             bytes (OGG/Opus, WAV, MP3...) -> 16 kHz mono PCM, with length and size limits
    pocketsphinx_stt.py  English, model in the wheel, biased by domain_lm.py towards commands and names
    vosk_stt.py          any language with an operator-installed Vosk model (speech.vosk.model_dirs)
    registry.py          engine by name, or routed by language, from config.yaml's speech: section
    numbers.py           spoken numbers -> digits ("one zero four two" -> "1042")
    vocabulary.py        the names to expect, from the database
"""
from .audio import AudioLimits, decode_pcm16k, encode_ogg_opus
from .numbers import words_to_digits
from .registry import ENGINES, SpeechConfig, SpeechRouter, speech_to_text

__all__ = ["AudioLimits", "ENGINES", "SpeechConfig", "SpeechRouter", "decode_pcm16k", "encode_ogg_opus",
           "speech_to_text", "words_to_digits"]
