"""MiniStack's worker leftovers leave `down` at once and are deleted in the background."""

from __future__ import annotations

import time
from pathlib import Path

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
