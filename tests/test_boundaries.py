"""Dependencies point inward: domain/ knows nothing of channels, NLU or schedulers."""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {"telegram", "twilio", "spacy", "apscheduler", "starlette", "uvicorn", "bot", "nlu", "jobs"}

# The imports are read in a child interpreter: CPython 3.11.7's ast.parse can raise "SystemError: AST
# constructor recursion depth mismatch" in a process where greenlet-driven (SQLAlchemy async) code ran or
# where the garbage collector finalises a connection mid-parse (gh-106905, fixed in 3.11.8). A fresh thread
# was not enough: CI still hit it once.
_LIST_IMPORTS = r"""
import ast, json, sys
from pathlib import Path
out = []
for folder in sys.argv[1:]:
    for path in sorted(Path(folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                out += [[str(path), a.name] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                out.append([str(path), node.module])
print(json.dumps(out))
"""


def _absolute_imports(folder: str) -> list[tuple[str, str]]:
    done = subprocess.run([sys.executable, "-c", _LIST_IMPORTS, folder], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    found = [tuple(pair) for pair in json.loads(done.stdout)]
    assert found, f"no imports read under {folder}/"  # the listing itself must have worked
    return found


def test_domain_source_imports_no_framework():
    offenders = [f"{path}: {module}" for path, module in _absolute_imports("domain")
                 if module.split(".")[0] in FORBIDDEN]
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
    offenders = [f"{path}: {module}" for path, module in _absolute_imports("storage")
                 if module.split(".")[0] in {"bot", "telegram", "twilio"}]
    assert offenders == []


# Database-specific SQL lives behind storage/ (domain/database.py is the port, storage/dialects.py the
# implementations). Column types are the one exception: SQLAlchemy hands a TypeDecorator the dialect to
# convert values for it (domain/models/base.py).
_NAMES_A_DATABASE = re.compile(r"dialect\.name\s*(==|!=|\bin\b|\bnot\b)|get_backend_name\(|PRAGMA\s|pg_advisory")
_COLUMN_TYPES = Path("domain/models/base.py")


def test_domain_imports_no_database_dialect():
    offenders = [f"{path}: {module}" for path, module in _absolute_imports("domain")
                 if module == "sqlalchemy.dialects" or module.startswith("sqlalchemy.dialects.")]
    assert offenders == []


def test_domain_does_not_branch_on_the_database():
    offenders = []
    for path in sorted((ROOT / "domain").rglob("*.py")):
        if path.relative_to(ROOT) == _COLUMN_TYPES:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _NAMES_A_DATABASE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_the_boundary_checks_catch_a_database_branch():
    """The two checks above would see what they forbid (they must be able to fail)."""
    assert _NAMES_A_DATABASE.search('if conn.dialect.name == "postgresql":')
    assert _NAMES_A_DATABASE.search("if session.bind.dialect.name != 'sqlite':")
    assert _NAMES_A_DATABASE.search('await conn.exec_driver_sql("PRAGMA cache_size")')
    assert not _NAMES_A_DATABASE.search("database = database_of(conn)")
