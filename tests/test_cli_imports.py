"""Each `qm` command loads only its own module: `qm parse` never touches the database layer."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_LAYER = ("sqlalchemy", "sqlmodel", "asyncpg", "aiosqlite", "storage", "domain.models", "bot.settings")

PROBE = """
import contextlib, io, json, sys
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def loaded_by(*args: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["code"] == 0
    return set(result["modules"])


def test_qm_parse_does_not_import_the_database_layer():
    modules = loaded_by("parse", "where is order 1042")
    assert "nlu" in modules  # it did parse
    leaked = sorted(m for m in modules if m.split(".")[0] in DATABASE_LAYER or m in DATABASE_LAYER)
    assert not leaked, f"qm parse imported {leaked[:10]}"


def test_help_still_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "bot", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    for command in ("run", "chat", "parse", "scan", "transcribe", "plan", "import", "export"):
        assert command in out.stdout
