"""Assembling a server's jars from Maven Central into the cache, once (Kafka, OpenSearch).

A marker holding the Maven project's hash is written last, so an interrupted build or a changed
pom/launcher is redone. Maven's local repository is ``cache_dir/m2`` so the cache is
self-contained; concurrent callers are serialised with a file lock. Failures raise RuntimeError
naming the fix.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

MARKER = ".build-complete"
MAVEN_PROJECTS = Path(__file__).resolve().parents[2] / "maven"


def java() -> str:
    """The java launcher: $JAVA_HOME/bin/java when set (what Maven uses too), else the PATH one."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise RuntimeError(
            "java not found: install a JDK 17+ (Debian: apt-get install -y openjdk-17-jdk-headless) or set JAVA_HOME"
        )
    return found


@cache
def java_major(launcher: str) -> int:
    """Major version of a java launcher (0 when it cannot be told)."""
    out = subprocess.run([launcher, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return 0
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def check_toolchain(min_java: int, what: str) -> str:
    """Fail early with the fix when java (min_java+) or mvn is missing; return the mvn path."""
    launcher = java()
    major = java_major(launcher)
    if 0 < major < min_java:
        raise RuntimeError(
            f"{launcher} is Java {major}; {what} needs Java {min_java}+: "
            "apt-get install -y openjdk-17-jdk-headless (or point JAVA_HOME at one)"
        )
    mvn = shutil.which("mvn")
    if not mvn:
        raise RuntimeError("mvn not found: install Apache Maven 3.8+ (Debian: apt-get install -y maven)")
    return mvn


def fingerprint(project: Path) -> str:
    """Hash of the Maven project (pom + sources): any change invalidates the cached build."""
    digest = hashlib.sha256()
    files = (p for p in project.rglob("*") if p.is_file() and "target" not in p.relative_to(project).parts)
    for path in sorted(files):
        digest.update(path.relative_to(project).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(cache_dir: Path, name: str, *, what: str, min_java: int, produced: Callable[[Path], bool]) -> Path:
    """Idempotent: run ``localstack/maven/<name>`` into ``cache_dir/<name>/libs``; return ``cache_dir/<name>``.

    `produced(libs)` tells whether Maven really left the expected jars.
    """
    source = MAVEN_PROJECTS / name
    cache_dir = Path(cache_dir).resolve()
    build_dir = cache_dir / name
    marker = build_dir / MARKER
    if not (source / "pom.xml").is_file():
        raise RuntimeError(f"{source / 'pom.xml'} is missing: use a source checkout (pip install -e .)")
    wanted = fingerprint(source)
    if marker.is_file() and marker.read_text().strip() == wanted:
        return build_dir

    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.read_text().strip() == wanted:
            return build_dir  # another process finished it while we waited
        mvn = check_toolchain(min_java, what)
        marker.unlink(missing_ok=True)
        libs = build_dir / "libs"
        project = build_dir / "project"
        shutil.rmtree(libs, ignore_errors=True)
        shutil.rmtree(project, ignore_errors=True)
        # Build a copy so Maven's target/ lands in the cache, never in the source tree.
        shutil.copytree(source, project, ignore=shutil.ignore_patterns("target"))
        argv = [
            mvn, "-q", "-B",
            "-f", str(project / "pom.xml"),
            f"-Dmaven.repo.local={cache_dir / 'm2'}",
            f"-Dlibs.dir={libs}",
            "package",
        ]  # fmt: skip
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=1800)
        if proc.returncode != 0 or not produced(libs):
            tail = (proc.stdout + proc.stderr)[-4000:]
            raise RuntimeError(
                f"Maven could not assemble {what} (exit {proc.returncode}); check that Maven Central is "
                f"reachable and see {project / 'pom.xml'}:\n{tail}"
            )
        marker.write_text(wanted + "\n")
    return build_dir
