from __future__ import annotations

import tomllib

from support import ROOT


def test_layer_requirements_match_the_project_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = (ROOT / "layers" / "shared" / "requirements.txt").read_text().splitlines()
    layer = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert sorted(layer) == sorted(project)


def test_functions_do_not_import_cloud_sdks_at_module_level() -> None:
    # Domain code stays cloud-free and cheap to import; adapters import their clients lazily.
    for path in list((ROOT / "shared").rglob("*.py")) + list((ROOT / "functions").rglob("app.py")):
        top = [line for line in path.read_text().splitlines() if line.startswith(("import ", "from "))]
        for line in top:
            for sdk in (
                "boto3",
                "botocore",
                "psycopg",
                "redis ",
                "opensearchpy",
                "clickhouse_connect",
                "confluent_kafka",
            ):
                assert not line.startswith((f"import {sdk}", f"from {sdk}")), f"{path}: {line}"
