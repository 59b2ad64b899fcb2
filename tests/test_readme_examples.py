"""Every example the README shows works as written, on the demo company, through
the console channel (`qm chat`), in each language it shows."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()

# What a person types, and what the answer must (and must not) contain.
EXAMPLES = {
    "where is order 1042?": (["Order 1042"], []),
    "сколько синих виджетов на складе": (["WID-001"], ["No product"]),
    "remind me to call Acme tomorrow at 10": (["remind you", "10:00"], []),
    "who changed order 1042?": (["Changes to order 1042"], []),
    "кто менял заказ 1042": (["Changes to order 1042"], []),
    "/history order 1042": (["Changes to order 1042"], []),
    "/history 1042": (["Changes to order 1042"], []),
    "/status 1042": (["Order 1042"], []),
    "/stock A4 paper": (["A4 copy paper"], ["No product"]),
    "/today tomorrow": (["tomorrow"], ["don't know"]),
}


def quoted_chat_examples(text: str) -> set[str]:
    """The phrases the README puts in quotes as things to write to the assistant."""
    # a quote followed by an arrow is what a voice note becomes ("ten forty two" → 1042), not a typed example
    found = {m.group(1) for m in re.finditer(r'"([^"\n]{1,80})"(\s*→)?', text) if not m.group(2) and len(m.group(1)) >= 6}
    found |= {m for m in re.findall(r"`(/\w+ [^`]+)`", text) if not m.startswith("/start")}
    # not chat input: SMS that customers send, and the voice reply shown back
    return {f for f in found if "my order" not in f and not f.startswith("I heard") and f != "please type it"}


def test_every_readme_example_is_checked_here():
    missing = {e for e in quoted_chat_examples(README) if e.rstrip("?") not in {k.rstrip("?") for k in EXAMPLES}
               and not re.search(r" (\[?[A-Z]{2,}\]?|<[^>]+>)( |$)", e)}  # syntax such as `/count BIN`, `/return 1042 SKU 4`
    assert not missing, f"README examples without a check in this test: {sorted(missing)}"


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> list[str]:
    """One `qm chat` session on a fresh demo database: the answer to each example, in order."""
    db = tmp_path_factory.mktemp("readme") / "qm.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    script = "".join(f"{example}\n/help\n" for example in EXAMPLES) + "/quit\n"
    out = subprocess.run([sys.executable, "-m", "bot", "chat"], cwd=ROOT, env=env, input=script,
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    # /help's list separates the answers
    pieces = re.split(r"You are signed in as .*?where is order 1042\?”\.\n", out.stdout, flags=re.S)
    assert len(pieces) == len(EXAMPLES) + 1, out.stdout[-3000:]
    return pieces[:-1]


@pytest.mark.parametrize("example", list(EXAMPLES))
def test_readme_example_answers_as_promised(example, answers):
    answer = answers[list(EXAMPLES).index(example)]
    must, must_not = EXAMPLES[example]
    for fragment in must:
        assert fragment in answer, f"{example!r} answered:\n{answer}"
    for fragment in must_not:
        assert fragment not in answer, f"{example!r} answered:\n{answer}"
