"""MiniStack, the LocalStack-compatible AWS emulator, in a venv of its own bound to 127.0.0.1.

Its own venv keeps the emulator's pinned botocore away from the project's boto3, and means a
function missing a dependency in its package fails here as it would on AWS.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

EXTRA_PORTS: tuple[str, ...] = ()
REQUIREMENTS = ["ministack>=1.5.33,<1.6", "aws-sam-translator>=1.90,<2"]


def build(cache_dir: Path) -> Path:
    venv = cache_dir / "venvs" / "ministack"
    marker = venv / ".algoarts-ready"
    wanted = "\n".join(REQUIREMENTS)
    if marker.exists() and marker.read_text() == wanted:
        return venv
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS], check=True
    )
    marker.write_text(wanted)
    return venv


def prepare(build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int]) -> None:
    (data_dir / "s3").mkdir(parents=True, exist_ok=True)
    clean_workers(data_dir)
    (data_dir / "tmp").mkdir(parents=True, exist_ok=True)


def clean_workers(data_dir: Path) -> None:
    """MiniStack unpacks code and layer per function worker (~135 MB, 3,500 files each) and never deletes
    them; the emulator starts empty every time, so its leftovers go at every start and stop.

    73 workers leave ~10 GB, which took `down` 70 s to delete in place: the folder is renamed aside at once
    (the next start finds a clean one) and a detached, niced `rm` deletes it, as it does any trash an
    interrupted delete left behind."""
    import subprocess
    import time

    tmp = data_dir / "tmp"
    if tmp.exists():
        tmp.rename(data_dir / f"tmp.trash-{time.time_ns()}")
    trash = [str(p) for p in data_dir.glob("tmp.trash-*")]
    if trash:
        subprocess.Popen(
            ["nice", "-n", "19", "rm", "-rf", "--", *trash],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


def command(
    build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int]
) -> tuple[list[str], dict[str, str]]:
    env = {
        "GATEWAY_PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "MINISTACK_HOST": "localhost",
        "S3_DATA_DIR": str(data_dir / "s3"),
        "TMPDIR": str(data_dir / "tmp"),
        "LOG_LEVEL": "WARNING",
        "LAMBDA_WARM_TTL_SECONDS": "3600",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    # Through ministack_boot: a layer is unpacked once per content, not once per function worker.
    return [str(build_dir / "bin" / "python"), str(Path(__file__).with_name("ministack_boot.py"))], env


def is_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_ministack/health", timeout=1) as r:
            return bool(r.status == 200)
    except OSError:
        return False
