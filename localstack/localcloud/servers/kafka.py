"""Apache Kafka 4.1 in KRaft mode (one combined broker+controller) for the local cloud.

Why this shape: the Kafka tarball is not on any registry this project can reach, but the broker is
published on Maven Central as ``org.apache.kafka:kafka_2.13``. ``build`` lets Maven copy that jar and
its runtime dependencies (plus a log4j2 backend) into one folder, once, into the cache; the server is
then plain ``java -cp 'libs/*' kafka.Kafka server.properties`` bound to 127.0.0.1 only.
The Maven project lives in ``localstack/maven/kafka``.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import re
import shutil
import socket
import struct
import subprocess
import uuid
from pathlib import Path

NAME = "kafka"
EXTRA_PORTS: tuple[str, ...] = ("controller",)

#: Heap for the broker: enough for local topics, small enough for a 2-core/low-RAM laptop.
HEAP = ("-Xms128m", "-Xmx512m")

_MAVEN_PROJECT = Path(__file__).resolve().parents[2] / "maven" / NAME
_MARKER = ".build-complete"
_MIN_JAVA = 17  # Kafka 4.x brokers need Java 17+


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


def _check_toolchain() -> str:
    """Fail early with the fix when java (17+) or mvn is missing; return the mvn path."""
    java = _java()
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if match:
        major = int(match.group(1))
        if major == 1 and match.group(2):  # "1.8.0_x" style
            major = int(match.group(2))
        if major < _MIN_JAVA:
            raise RuntimeError(
                f"{java} is Java {major}; Kafka 4 needs Java {_MIN_JAVA}+: "
                "apt-get install -y openjdk-17-jdk-headless (or point JAVA_HOME at one)"
            )
    mvn = shutil.which("mvn")
    if not mvn:
        raise RuntimeError("mvn not found: install Apache Maven 3.8+ (Debian: apt-get install -y maven)")
    return mvn


def _fingerprint(project: Path) -> str:
    """Hash of the Maven project: a changed pom (e.g. a version bump) invalidates the cached build."""
    digest = hashlib.sha256()
    files = (p for p in project.rglob("*") if p.is_file() and "target" not in p.relative_to(project).parts)
    for path in sorted(files):
        digest.update(path.relative_to(project).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(cache_dir: Path) -> Path:
    """Idempotent: assemble the Kafka jars once into ``cache_dir/kafka/libs`` and return ``cache_dir/kafka``.

    A marker file holding the Maven project's hash is written last, so an interrupted build (or a
    changed pom) is redone. Maven's local repository is ``cache_dir/m2`` so the cache is
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
        if proc.returncode != 0 or not any(libs.glob("kafka_2.13-*.jar")):
            tail = (proc.stdout + proc.stderr)[-4000:]
            raise RuntimeError(
                f"Maven could not assemble Kafka (exit {proc.returncode}); check that Maven Central is "
                f"reachable and see {project / 'pom.xml'}:\n{tail}"
            )
        marker.write_text(fingerprint + "\n")
    return build_dir


# --------------------------------------------------------------------------- run

_LOG4J2 = """\
# Written by localcloud: console only (the caller decides where stdout goes).
status = warn
# Kafka stops itself on SIGTERM; log4j's own hook would race it and print a warning.
shutdownHook = disable
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRefs = stdout
rootLogger.appenderRef.stdout.ref = STDOUT
# keep the start/stop lines
logger.raft.name = kafka.server.KafkaRaftServer
logger.raft.level = INFO
logger.kafka.name = kafka.Kafka
logger.kafka.level = INFO
"""


def _server_properties(data_dir: Path, port: int, controller_port: int) -> str:
    return f"""\
# Written by localcloud on every prepare(): single-node KRaft, loopback only.
process.roles=broker,controller
node.id=1
# Static voters (not --standalone): the quorum endpoint is not stored in the log, so ports may change
# between runs on the same data dir.
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data_dir / "kraft-logs"}
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=67108864
"""


def _controller_port(extra_ports: dict[str, int]) -> int:
    try:
        return int(extra_ports["controller"])
    except KeyError:
        raise ValueError("kafka needs extra_ports['controller'] (the KRaft controller port)") from None


def _cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, base64url without padding (22 chars, not starting with '-')."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid


def _classpath(build_dir: Path) -> str:
    return str(Path(build_dir) / "libs" / "*")


def _jvm_flags(data_dir: Path) -> list[str]:
    return [
        *HEAP,
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-Djava.io.tmpdir={data_dir / 'tmp'}",
        f"-Dlog4j2.configurationFile={data_dir / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={data_dir / 'logs'}",
    ]


def prepare(build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int]) -> None:
    """Write server.properties/log4j2 config and format the KRaft storage once (idempotent).

    The config is rewritten each time so new ports take effect; formatting happens only when the
    log dir has no meta.properties yet (a formatted dir keeps its cluster id and topics).
    """
    data_dir = Path(data_dir).resolve()
    controller_port = _controller_port(extra_ports)
    for sub in ("kraft-logs", "logs", "tmp"):
        (data_dir / sub).mkdir(parents=True, exist_ok=True)
    (data_dir / "server.properties").write_text(_server_properties(data_dir, port, controller_port))
    (data_dir / "log4j2.properties").write_text(_LOG4J2)
    if (data_dir / "kraft-logs" / "meta.properties").is_file():
        return
    argv = [
        _java(), *_jvm_flags(data_dir), "-cp", _classpath(build_dir),
        "kafka.tools.StorageTool", "format",
        "--config", str(data_dir / "server.properties"),
        "--cluster-id", _cluster_id(),
        "--ignore-formatted",
    ]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300)
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        raise RuntimeError(f"kafka storage format failed (exit {proc.returncode}):\n{output}")


def command(
    build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int]
) -> tuple[list[str], dict[str, str]]:
    """argv (and extra env: none) to run the broker in the foreground; call prepare() first."""
    _controller_port(extra_ports)
    data_dir = Path(data_dir).resolve()
    argv = [
        _java(), *_jvm_flags(data_dir), "-cp", _classpath(build_dir),
        "kafka.Kafka", str(data_dir / "server.properties"),
    ]  # fmt: skip
    return argv, {}


def is_ready(port: int) -> bool:
    """True when the broker answers a Kafka ApiVersions request on 127.0.0.1:port.

    A bare TCP connect is not enough: the listener socket is bound before the broker is unfenced,
    while requests are only processed once it is ready to serve.
    """
    client_id = b"localcloud-ready"
    correlation_id = 0x10CA1
    # RequestHeader v1: api_key=18 (ApiVersions), api_version=0, correlation_id, client_id (int16 string)
    body = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.settimeout(2)
            sock.sendall(struct.pack(">i", len(body)) + body)
            head = _recv_exact(sock, 4)
            (size,) = struct.unpack(">i", head)
            if size < 6:
                return False
            payload = _recv_exact(sock, min(size, 4096))
    except OSError:
        return False
    got_id, error_code = struct.unpack(">ih", payload[:6])
    return bool(got_id == correlation_id and error_code == 0)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf
