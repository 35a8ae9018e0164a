"""MiniStack's worker leftovers leave `down` at once and are deleted in the background; a layer is unpacked once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from localcloud.servers.ministack import clean_workers


def _leftovers(data_dir: Path, n: int) -> None:
    for i in range(n):
        worker = data_dir / "tmp" / f"ministack-lambda-{i}" / "layer_0" / "python"
        worker.mkdir(parents=True)
        (worker / "module.py").write_text("x = 1\n")


def test_the_workers_folder_is_gone_at_once_and_its_trash_soon_after(tmp_path: Path) -> None:
    _leftovers(tmp_path, 20)
    (tmp_path / "keep.txt").write_text("the emulator's own files stay")
    clean_workers(tmp_path)
    assert not (tmp_path / "tmp").exists()  # a start right after finds a clean folder
    deadline = time.monotonic() + 10
    while list(tmp_path.glob("tmp.trash-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob("tmp.trash-*")) == []
    assert (tmp_path / "keep.txt").exists()


def test_trash_an_interrupted_delete_left_is_deleted_by_the_next_clean(tmp_path: Path) -> None:
    stale = tmp_path / "tmp.trash-1" / "worker"
    stale.mkdir(parents=True)
    clean_workers(tmp_path)  # no tmp/ this time
    deadline = time.monotonic() + 10
    while (tmp_path / "tmp.trash-1").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (tmp_path / "tmp.trash-1").exists()


def _worker_layer(tmp: Path, worker: str, files: dict[str, str]) -> Path:
    """What MiniStack's worker spawn does with an attached layer: write its zip, create the folder, extract."""
    import zipfile

    from localcloud.servers.ministack_boot import SharedLayerZipFile

    folder = tmp / f"ministack-lambda-{worker}"
    folder.mkdir()
    archive = folder / "layer_0.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for name, text in files.items():
            out.writestr(name, text)
    layer = folder / "layer_0"
    layer.mkdir()
    with SharedLayerZipFile(archive) as zf:
        zf.extractall(layer)
    return layer


def test_a_layer_is_unpacked_once_and_every_worker_reads_it(tmp_path: Path, monkeypatch: Any) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    layer = {"python/shared/__init__.py": "VERSION = 1\n", "python/dep.py": "x = 1\n"}
    first, second = (_worker_layer(tmp_path, w, layer) for w in ("a", "b"))
    assert first.is_symlink() and first.resolve() == second.resolve()
    assert (second / "python" / "shared" / "__init__.py").read_text() == "VERSION = 1\n"
    assert not (tmp_path / "ministack-lambda-a" / "layer_0.zip").exists()  # the worker's copy of the zip is gone
    changed = _worker_layer(tmp_path, "c", {**layer, "python/shared/__init__.py": "VERSION = 2\n"})
    assert changed.resolve() != first.resolve()  # other content, a folder of its own
    assert (changed / "python" / "shared" / "__init__.py").read_text() == "VERSION = 2\n"
    assert len(list((tmp_path / "shared-layers").iterdir())) == 2


def test_a_code_zip_is_still_extracted_per_worker(tmp_path: Path) -> None:
    import zipfile

    from localcloud.servers.ministack_boot import SharedLayerZipFile

    archive = tmp_path / "code.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("app.py", "handler = None\n")
    with SharedLayerZipFile(archive) as zf:
        zf.extractall(tmp_path / "code")
    assert not (tmp_path / "code").is_symlink() and (tmp_path / "code" / "app.py").exists()
