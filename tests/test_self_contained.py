"""The repository stands on its own: a fresh clone has nothing beside it, so no
file may read or name a folder outside the checkout."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A folder beside the checkout, named the way the first round's files named it.
# spelt in pieces so that this file does not itself name the folder it looks for
BESIDE = "sha" + "red"
OUTSIDE_NAMES = re.compile(rf"\.\./{BESIDE}\b|(?<![\w/.]){BESIDE}/(specs|contracts|seeds)\b|/work/(main|{BESIDE})\b")
# `Path(__file__)...` climbing: `.parent` steps and `parents[N]` on one expression.
FILE_ANCHOR = re.compile(r"Path\(__file__\)(?P<chain>(?:\.resolve\(\)|\.absolute\(\)|\.parents\[\d+\]|\.parent)+)")


def tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    files = [ROOT / p for p in out.decode().split("\0") if p]
    return [f for f in files if f.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ".cfg", ".sh", ".txt", ".ini", ""}
            and f.is_file() and f.stat().st_size < 2_000_000]


def levels_up(chain: str) -> int:
    """How many folders above the file's own folder the chain reaches (parents[0] is the file's folder)."""
    up = 0
    for step in re.findall(r"\.parent(?:s\[(\d+)\])?", chain):
        up += int(step) + 1 if step else 1
    return up - 1  # the first step only leaves the file for its folder


def test_no_file_names_a_folder_beside_the_checkout():
    offenders = []
    for f in tracked_text_files():
        if f == Path(__file__).resolve():
            continue
        for n, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE_NAMES.search(line):
                offenders.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()[:120]}")
    assert not offenders, "files name a folder outside the repository:\n" + "\n".join(offenders)


def test_no_code_climbs_out_of_the_checkout():
    offenders = []
    for f in tracked_text_files():
        if f.suffix != ".py" or f == Path(__file__).resolve():
            continue
        depth = len(f.relative_to(ROOT).parts) - 1  # folders between the root and the file
        for n, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
            for m in FILE_ANCHOR.finditer(line):
                if levels_up(m.group("chain")) > depth:
                    offenders.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()[:120]}")
    assert not offenders, "code reaches above the repository root:\n" + "\n".join(offenders)


def test_the_checks_see_a_reference_outside():
    # the two rules above must be able to fail
    assert OUTSIDE_NAMES.search(f'SPECS = "../{BESIDE}/specs"')
    chain = FILE_ANCHOR.search('Path(__file__).resolve().parents[3] / "specs"').group("chain")
    assert levels_up(chain) == 3  # three folders above tests/fakes/x.py's folder: outside a two-deep file
    assert levels_up(FILE_ANCHOR.search("Path(__file__).resolve().parent.parent").group("chain")) == 1
