"""Dependencies point inward: domain/ knows nothing of channels, NLU or schedulers."""
import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
def _parse(path: Path) -> ast.AST:
    """ast.parse on a fresh thread: CPython 3.11's AST builder compares against the calling thread's
    recursion depth, which other tests in the same process (deep async stacks) can leave skewed
    ("SystemError: AST constructor recursion depth mismatch")."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(ast.parse, path.read_text(encoding="utf-8")).result()


FORBIDDEN = {"telegram", "twilio", "spacy", "apscheduler", "starlette", "uvicorn", "bot", "nlu", "jobs"}


def test_domain_source_imports_no_framework():
    offenders = []
    for path in (ROOT / "domain").rglob("*.py"):
        for node in ast.walk(_parse(path)):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_the_domain_loads_no_framework():
    code = (
        "import importlib, pkgutil, sys, domain\n"
        "for m in pkgutil.walk_packages(domain.__path__, 'domain.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = sorted({{n.split('.')[0] for n in sys.modules}} & set({sorted(FORBIDDEN)!r}))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_storage_does_not_import_bot():
    for path in (ROOT / "storage").rglob("*.py"):
        tree = _parse(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                assert node.module.split(".")[0] not in {"bot", "telegram", "twilio"}, path
