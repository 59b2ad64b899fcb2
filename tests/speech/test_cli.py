"""qm transcribe, run as a process like an operator would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import needs_espeak, voice_note

ROOT = Path(__file__).resolve().parents[2]


def qm(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "transcribe", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


@needs_espeak
def test_prints_one_json_line(tmp_path):
    note = tmp_path / "voice.ogg"
    note.write_bytes(voice_note("start picking order ten forty two"))
    done = qm(str(note), "--lang", "en")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert list(out) == ["file", "lang", "engine", "text", "seconds_audio", "seconds_taken"]
    assert out["file"] == str(note) and out["lang"] == "en" and out["engine"] == "whisper"
    assert "1042" in out["text"]
    assert out["seconds_audio"] > 1 and out["seconds_taken"] > 0


@needs_espeak
def test_vocabulary_and_engine_options(tmp_path):
    note = tmp_path / "voice.ogg"
    note.write_bytes(voice_note("call back globex tomorrow"))
    names = tmp_path / "names.txt"
    names.write_text("Globex Corporation\nInitech\n")
    done = qm(str(note), "--vocab-file", str(names), "--vocab", "Acme", "--engine", "whisper")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["engine"] == "whisper" and "globex" in out["text"].lower()


def test_not_audio_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not a voice note")
    done = qm(str(bad))
    assert done.returncode == 1 and done.stdout == ""
    assert "not audio" in done.stderr


def test_language_without_a_model_names_the_key(tmp_path):
    note = tmp_path / "voice.ogg"
    note.write_bytes(b"OggS")
    done = qm(str(note), "--lang", "ru")
    assert done.returncode == 1 and done.stdout == ""
    assert "speech.models.ru" in done.stderr
    done = qm(str(note), "--lang", "ru", QM_SPEECH__MODELS__RU=str(tmp_path / "none"))
    assert done.returncode == 1
    assert "speech.models.ru" in done.stderr and str(tmp_path / "none") in done.stderr


def test_missing_file(tmp_path):
    done = qm(str(tmp_path / "nope.ogg"))
    assert done.returncode == 2 and "cannot read" in done.stderr


def test_unknown_engine_and_bad_config_exit_2(tmp_path):
    note = tmp_path / "voice.ogg"
    note.write_bytes(b"OggS")
    done = qm(str(note), "--engine", "pocketsphinx")
    assert done.returncode == 2 and "Unknown speech engine pocketsphinx" in done.stderr
    done = qm(str(note), QM_SPEECH__MAX_BYTES="-5")
    assert done.returncode == 2 and "max_bytes" in done.stderr
