"""`qm parse` reads plain text lines from standard input: `qm parse -`, or text piped in with no TEXT."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _qm(*args, stdin):
    return subprocess.run([sys.executable, "-m", "bot", "parse", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_dash_reads_plain_lines():
    p = _qm("-", stdin="where is order 1042\n\nгде заказ 7?\n")
    assert p.returncode == 0, p.stderr
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["where is order 1042", "где заказ 7?"]  # the empty line is skipped
    assert rows[0]["intent"] == "order_status" and rows[0]["entities"]["order_ref"] == "1042"
    assert rows[1]["lang"] == "ru"


def test_piped_text_without_arguments_is_read():
    p = _qm(stdin='where is order 1042\n{"text": "not taken as JSON"}\n')
    assert p.returncode == 0, p.stderr
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    assert rows[0]["entities"]["order_ref"] == "1042"
    assert rows[1]["text"] == '{"text": "not taken as JSON"}'  # plain mode: the line is the message
