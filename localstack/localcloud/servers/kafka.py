"""Apache Kafka 4.1 in KRaft mode (one combined broker+controller) for the local cloud.

Why this shape: the Kafka tarball is not on any registry this project can reach, but the broker is
published on Maven Central as ``org.apache.kafka:kafka_2.13``. ``build`` lets Maven copy that jar and
its runtime dependencies (plus a log4j2 backend) into one folder, once, into the cache; the server is
then plain ``java -cp 'libs/*' kafka.Kafka server.properties`` bound to 127.0.0.1 only.
The Maven project lives in ``localstack/maven/kafka``.
"""

from __future__ import annotations

import base64
import socket
import struct
import subprocess
import uuid
from pathlib import Path

from localcloud.servers import _maven

NAME = "kafka"
EXTRA_PORTS: tuple[str, ...] = ("controller",)

#: Heap for the broker: enough for local topics, small enough for a 2-core/low-RAM laptop.
HEAP = ("-Xms128m", "-Xmx512m")

_MIN_JAVA = 17  # Kafka 4.x brokers need Java 17+


# --------------------------------------------------------------------------- build


def build(cache_dir: Path) -> Path:
    """Idempotent: the Kafka jars, once, into ``cache_dir/kafka/libs``; returns ``cache_dir/kafka``."""
    return _maven.build(
        cache_dir, NAME, what="Kafka", min_java=_MIN_JAVA, produced=lambda libs: any(libs.glob("kafka_2.13-*.jar"))
    )


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
        _maven.java(), *_jvm_flags(data_dir), "-cp", _classpath(build_dir),
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
        _maven.java(), *_jvm_flags(data_dir), "-cp", _classpath(build_dir),
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
