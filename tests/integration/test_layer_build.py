"""The emulator's layer zip carries bytecode for `shared` as well as for its dependencies, and an
interpreter running from the unpacked zip (as every MiniStack worker does, each in a fresh folder)
runs that bytecode instead of compiling the package again."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from localcloud.build import build_layer


def test_the_layer_ships_bytecode_that_an_unpacked_worker_uses(tmp_path: Path) -> None:
    artifact = build_layer(tmp_path / "build")
    with zipfile.ZipFile(artifact.path) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "worker")
    tag = sys.implementation.cache_tag
    assert "python/shared/settings.py" in names
    assert f"python/shared/__pycache__/settings.{tag}.pyc" in names
    assert f"python/pydantic/__pycache__/main.{tag}.pyc" in names

    # A worker must load that bytecode without reading the source: with the source made unparsable,
    # the import still succeeds only if the unchecked-hash .pyc is what Python runs.
    worker = tmp_path / "worker" / "python"
    (worker / "shared" / "settings.py").write_text("this is not python (\n")
    run = subprocess.run(
        [sys.executable, "-c", "import shared.settings; print(shared.settings.ENV_PREFIX)"],
        env={"PYTHONPATH": str(worker), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ALGOARTS_"
