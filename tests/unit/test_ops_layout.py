"""The operator package and the local cloud depend on each other one way, in the places that say so.

algoarts_ops reads the local cloud (for defaults) only through `algoarts_ops/local_cloud.py`; localcloud
imports algoarts_ops only in `cli.py` (the `algoarts` program dispatching the operator subcommands) and,
inside the seeding function, in `seed.py` (the sample data goes through the bulk import). And the
`algoarts` program loads no operator command, nor the domain, before one is asked for.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "ops" / "algoarts_ops"
LOCALCLOUD = ROOT / "localstack" / "localcloud"


def _imports(path: Path, package: str) -> list[tuple[int, bool]]:
    """(line, at module level) of every import of `package` in `path`."""
    tree = ast.parse(path.read_text("utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        if any(name == package or name.startswith(package + ".") for name in names):
            found.append((node.lineno, id(node) in top))
    return found


def test_only_local_cloud_py_imports_localcloud_from_the_operator_package() -> None:
    importers = {p.relative_to(OPS).as_posix() for p in OPS.rglob("*.py") if _imports(p, "localcloud")}
    assert importers == {"local_cloud.py"}
    assert all(not top for _, top in _imports(OPS / "local_cloud.py", "localcloud"))  # each one lazy


def test_localcloud_imports_the_operator_package_only_to_dispatch_and_to_seed() -> None:
    importers = {p.relative_to(LOCALCLOUD).as_posix() for p in LOCALCLOUD.rglob("*.py") if _imports(p, "algoarts_ops")}
    assert importers == {"cli.py", "seed.py"}
    assert all(not top for _, top in _imports(LOCALCLOUD / "seed.py", "algoarts_ops"))


def test_the_program_loads_no_operator_command_before_one_is_run() -> None:
    code = (
        "import sys, localcloud.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('shared', 'psycopg', 'boto3') "
        "or m.startswith('algoarts_ops.') and m != 'algoarts_ops.cli'))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]"
