"""Spoken test audio: espeak-ng says the sentence, PyAV turns it into an
OGG/Opus voice note the way Telegram delivers them."""
from __future__ import annotations

import functools
import shutil
import subprocess

import pytest

from bot.speech.audio import encode_ogg_opus

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng; "
                                                         "it is in apt-packages.txt)")


@functools.cache
def spoken_wav(text: str, voice: str = "en-us", speed: int = 160) -> bytes:
    return subprocess.run([ESPEAK, "-v", voice, "-s", str(speed), "--stdout", text], capture_output=True, check=True).stdout


@functools.cache
def voice_note(text: str, voice: str = "en-us", speed: int = 160) -> bytes:
    return encode_ogg_opus(spoken_wav(text, voice, speed))
