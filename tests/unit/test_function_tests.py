"""Every function of template.yaml has its own test file: tests/functions/<context>/test_<function>.py.

The handler is where a newcomer starts reading; its test beside it shows the events it takes and the
answers it gives. A function added without one fails here, naming the file to write.
"""

from __future__ import annotations

from pathlib import Path

from localcloud import template as tpl
from localcloud.paths import ROOT, TEMPLATE


def expected_test_files() -> dict[str, Path]:
    functions = tpl.functions(tpl.load(TEMPLATE))
    files: dict[str, Path] = {}
    for logical, resource in functions.items():
        code = Path(resource["Properties"]["CodeUri"].rstrip("/"))  # functions/<context>/<function>
        context, function = code.parts[-2], code.parts[-1]
        files[logical] = ROOT / "tests" / "functions" / context / f"test_{function}.py"
    return files


def test_every_function_has_its_test_file() -> None:
    missing = {name: str(path.relative_to(ROOT)) for name, path in expected_test_files().items() if not path.exists()}
    assert not missing, f"functions without a test file: {missing}"


def test_every_test_file_names_a_function() -> None:
    expected = set(expected_test_files().values())
    present = set((ROOT / "tests" / "functions").glob("*/test_*.py"))
    assert not present - expected, f"test files for no function of template.yaml: {sorted(present - expected)}"
