"""No function outside tests and migrations grows past 80 lines: a longer one is split into named steps."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("bot", "domain", "nlu", "jobs", "storage", "bench")
MOST = 80

# Parsed in a child interpreter, as in test_boundaries.py: ast.parse can fail with a SystemError in a
# process where async SQLAlchemy code ran (CPython 3.11.7, gh-106905).
_LIST_LONG = r"""
import ast, json, sys
from pathlib import Path
most, read, out = int(sys.argv[1]), 0, []
for folder in sys.argv[2:]:
    for path in sorted(Path(folder).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        read += 1
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > most:
                    out.append(f"{path}:{node.lineno} {node.name} ({lines} lines)")
print(json.dumps({"read": read, "long": out}))
"""


def test_no_function_longer_than_80_lines():
    done = subprocess.run([sys.executable, "-c", _LIST_LONG, str(MOST), *FOLDERS], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    assert found["read"] > 100, "the listing read too few files"  # it must have looked
    assert found["long"] == []


def test_the_check_sees_a_long_function(tmp_path):
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "long.py").write_text("def f():\n" + "    x = 1\n" * MOST)
    done = subprocess.run([sys.executable, "-c", _LIST_LONG, str(MOST), "bot"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == {"read": 1, "long": ["bot/long.py:1 f (81 lines)"]}
