"""MiniStack's entry point with one change: a Lambda layer is unpacked once per content, not once per worker.

Run by the emulator's own venv (`ministack.command`), so it imports nothing of ours. MiniStack 1.5 writes
each attached layer's zip into every function worker's folder and extracts it there: the platform's one
99 MB layer, 73 times per start (~1.9 s each on this machine's two cores, ~10 GB of files). Here the
extraction of a `layer_N.zip` goes once into `$TMPDIR/shared-layers/<content key>` and each worker's
layer folder becomes a symlink to it. The worker reads the same files at the same path (`/opt` on AWS is
read-only and shared by every instance too); bytecode the first worker writes serves the rest. Code zips
are extracted per worker as before. The content key is the zip's central directory (every member's name,
CRC-32 and size), so a republished layer with other content gets a folder of its own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import threading
import types
import zipfile
from typing import Any

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


class SharedLayerZipFile(zipfile.ZipFile):
    """`zipfile.ZipFile` whose `extractall` of a worker's `layer_N.zip` links to one shared extraction."""

    def extractall(self, path: Any = None, members: Any = None, pwd: bytes | None = None) -> None:
        name = os.path.basename(str(self.filename or ""))
        if path is None or members is not None or not (name.startswith("layer_") and name.endswith(".zip")):
            super().extractall(path, members, pwd)
            return
        key = hashlib.sha256(
            "\n".join(f"{i.filename}\t{i.CRC:08x}\t{i.file_size}" for i in self.infolist()).encode()
        ).hexdigest()[:24]
        shared = os.path.join(tempfile.gettempdir(), "shared-layers", key)
        with _lock(key):
            if not os.path.isdir(shared):
                partial = f"{shared}.partial"
                shutil.rmtree(partial, ignore_errors=True)
                super().extractall(partial, None, pwd)
                os.rename(partial, shared)
        os.rmdir(path)  # MiniStack created it empty just before
        os.symlink(shared, path)
        os.remove(str(self.filename))  # the worker's 99 MB copy of the zip is not needed any more


def install() -> None:
    """Point MiniStack's worker runtime at a `zipfile` whose ZipFile is SharedLayerZipFile."""
    from ministack.core import lambda_runtime

    patched = types.ModuleType("zipfile")
    patched.__dict__.update(zipfile.__dict__)
    patched.ZipFile = SharedLayerZipFile  # type: ignore[attr-defined]
    lambda_runtime.zipfile = patched


if __name__ == "__main__":
    # Run by path, this folder is sys.path[0], where our own ministack.py would shadow the emulator's package.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    install()
    from ministack.app import main

    sys.argv[0] = "ministack"
    sys.exit(main())
