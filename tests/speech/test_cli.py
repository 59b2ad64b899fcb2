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
    done = qm(str(note), "--lang", "en", QM_SPEECH__CACHE_DIR=str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert list(out) == ["file", "lang", "engine", "text", "seconds_audio", "seconds_taken"]
    assert out["file"] == str(note) and out["lang"] == "en" and out["engine"] == "pocketsphinx"
    assert "1042" in out["text"].split()
    assert out["seconds_audio"] > 1 and out["seconds_taken"] > 0


@needs_espeak
def test_vocabulary_and_engine_options(tmp_path):
    note = tmp_path / "voice.ogg"
    note.write_bytes(voice_note("call back globex tomorrow"))
    names = tmp_path / "names.txt"
    names.write_text("Globex Corporation\nInitech\n")
    done = qm(str(note), "--vocab-file", str(names), "--vocab", "Acme", QM_SPEECH__CACHE_DIR=str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr
    assert "globex" in json.loads(done.stdout)["text"].split()
    raw = qm(str(note), "--engine", "pocketsphinx-raw")
    assert json.loads(raw.stdout)["engine"] == "pocketsphinx-raw"


def test_not_audio_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not a voice note")
    done = qm(str(bad))
    assert done.returncode == 1 and done.stdout == ""
    assert "not audio" in done.stderr


def test_missing_vosk_model_names_the_key(tmp_path):
    note = tmp_path / "voice.ogg"
    note.write_bytes(b"OggS")
    done = qm(str(note), "--lang", "ru", "--engine", "vosk", QM_SPEECH__VOSK__MODEL_DIRS__RU=str(tmp_path / "none"))
    assert done.returncode == 1
    assert "speech.vosk.model_dirs.ru" in done.stderr and str(tmp_path / "none") in done.stderr


def test_missing_file(tmp_path):
    done = qm(str(tmp_path / "nope.ogg"))
    assert done.returncode == 2 and "cannot read" in done.stderr
