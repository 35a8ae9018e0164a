"""`algoarts local up` time to ready per profile, first run and warm, and the local cloud's memory.

Run: .venv/bin/python tests/benchmarks/bench_dev_ready.py [--profiles embedded,full] [--cold-build]
(embedded + full: about 4-5 minutes, four cloud starts; --cold-build adds one embedded start, ~1 min;
 --profiles embedded alone: about 2 minutes)

For each profile, through the CLI exactly as a developer runs it (with the sample data, as `make dev`):
  first run   a fresh, empty state folder (ALGOARTS_STATE): initdb, migrations, deploy, seed. The
              build caches in .cache (MiniStack venv, layer deps, Kafka/OpenSearch jars, layer zip)
              are already warm: the table says which were present.
  warm        `down`, then `up` again with the same state folder: data kept, seed skipped.
  cold build  (--cold-build, embedded only) a first run whose layer zip must be rebuilt: a private
              cache folder (ALGOARTS_CACHE) that links every cache of .cache except an empty build/,
              so the shared .cache/build that other checkouts' clouds use is never deleted.
Time to ready is the wall time of the `up` process (and the CLI's own "ready in" figure). After the
warm start, the resident memory of the whole cloud: every part's process and all its descendants
(Postgres backends, MiniStack's Lambda workers, the JVMs), as the sum of VmRSS (double-counts shared
pages) and of Pss (shared pages split between their users: the honest total); and the state
folder's size on disk, with MiniStack's per-worker folders (layer zip + unpacked layer) counted.
Each cloud is stopped with `local down` and its state folder, also on error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "localstack"))
sys.path.insert(0, str(ROOT))

from localcloud.runtime import CloudState  # noqa: E402

CACHE = ROOT / ".cache"
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("ALGOARTS_", "AWS_"))}
PART_LINE = re.compile(r"^\s+(\w+)\s+127\.0\.0\.1:\d+\s+\(([\d.]+) s\)")
DEPLOY_LINE = re.compile(r"deployed\s+(\d+) functions in ([\d.]+) s")
READY_LINE = re.compile(r"ready in ([\d.]+) s")
SAMPLE_LINE = re.compile(r"sample data (\d+) companies")
PID_LINE = re.compile(r"^\s+(relay|bridge)\s+pid \d+")


@dataclass
class Run:
    profile: str
    kind: str
    wall: float = 0.0
    ready: float | None = None
    steps: dict[str, float] = field(default_factory=dict)
    seeded: str = "-"
    error: str = ""


def cli(
    state_dir: Path, *args: str, cache: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    env = {**CLEAN_ENV, "ALGOARTS_STATE": str(state_dir)}
    if cache is not None:
        env["ALGOARTS_CACHE"] = str(cache)
    return subprocess.run(
        [sys.executable, "-m", "localcloud.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def up(run: Run, state_dir: Path, cache: Path | None = None, timeout: float = 600) -> bool:
    """`local up`, its output read line by line as it comes, to time the phases between its lines."""
    env = {**CLEAN_ENV, "ALGOARTS_STATE": str(state_dir)}
    if cache is not None:
        env["ALGOARTS_CACHE"] = str(cache)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "localcloud.cli", "local", "up", "--profile", run.profile],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    timer = threading.Timer(timeout, proc.kill)  # bounded
    timer.start()
    lines: list[tuple[float, str]] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("demo accounts"):
                lines.append((time.monotonic() - started, "demo accounts (not kept)"))
                proc.stdout.read()  # the rest lists demo passwords: never kept or printed
                break
            lines.append((time.monotonic() - started, line.rstrip("\n")))
        proc.wait(timeout=timeout)
    finally:
        timer.cancel()
    run.wall = time.monotonic() - started
    if proc.returncode != 0 or not any(ln.startswith("ready in") for _, ln in lines):
        tail = [ln for _, ln in lines][-12:]
        run.error = f"exit {proc.returncode}: " + " | ".join(tail)
        return False
    run.steps = phases(lines)
    for _, line in lines:
        if m := READY_LINE.search(line):
            run.ready = float(m[1])
        elif m := SAMPLE_LINE.search(line):
            run.seeded = m[1]
    if run.seeded == "-" and run.kind == "warm":
        run.seeded = "kept"
    return True


def phases(lines: list[tuple[float, str]]) -> dict[str, float]:
    """Seconds between the lines `up` prints, grouped into phases (each ends at the line named)."""
    out: dict[str, float] = {}
    last = 0.0

    def mark(name: str, t: float) -> None:
        nonlocal last
        out[name] = out.get(name, 0.0) + (t - last)
        last = t

    for t, line in lines:
        if line.startswith("starting the local cloud"):
            mark("cli start", t)
        elif m := PART_LINE.match(line):
            mark("ministack" if m[1] == "ministack" else "servers+migr", t)
        elif DEPLOY_LINE.search(line):
            mark("keys+deploy", t)
        elif PID_LINE.match(line):
            mark("relay/bridge", t)
        elif SAMPLE_LINE.search(line):
            mark("warm+acct+seed", t)
        elif READY_LINE.search(line):
            if "warm+acct+seed" not in out:
                mark("warm+acct+seed", t)
            else:
                mark("status", t)
    return out


def down(state_dir: Path, cache: Path | None = None) -> str:
    result = cli(state_dir, "local", "down", cache=cache, timeout=180)
    return "" if result.returncode == 0 else f"`local down` failed: {result.stdout[-500:]} {result.stderr[-500:]}"


# --- memory --------------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _tree(pid: int, kids: dict[int, list[int]]) -> list[int]:
    out: list[int] = []
    todo = [pid]
    while todo and len(out) < 10_000:  # bounded
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _kb(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class Mem:
    name: str
    processes: int
    rss_mb: float
    pss_mb: float


def memory(state: CloudState) -> list[Mem]:
    kids = _children()
    rows = []
    for part in state.parts.values():
        pids = [p for p in _tree(part.pid, kids) if Path(f"/proc/{p}").exists()]
        groups: dict[str, list[int]] = {part.name: []}
        for p in pids:
            if part.name == "ministack" and "ministack-lambda-" in _cmd(p):
                groups.setdefault("  lambda workers", []).append(p)
            else:
                groups[part.name].append(p)
        for name, members in groups.items():
            rss = sum(_kb(f"/proc/{p}/status", "VmRSS") for p in members)
            pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss") for p in members)
            rows.append(Mem(name, len(members), rss / 1024, pss / 1024))
    return rows


def disk_mb(path: Path) -> float:
    """Allocated size of a folder tree (bounded walk), in MB."""
    total, seen = 0, 0
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            seen += 1
            if seen > 500_000:
                return total / 2**20
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total / 2**20


# --- cache report --------------------------------------------------------------------------------


def cache_state() -> str:
    parts = []
    parts.append("ministack venv " + ("yes" if (CACHE / "venvs/ministack/.algoarts-ready").exists() else "NO"))
    deps = [d for d in (CACHE / "layer-deps").glob("*") if (d / ".complete").exists()]
    parts.append(f"layer deps {'yes' if deps else 'NO'}")
    parts.append("layer zip " + ("yes" if (CACHE / "build/shared-layer.zip").exists() else "NO"))
    parts.append("kafka jars " + ("yes" if (CACHE / "kafka/libs").is_dir() else "NO"))
    parts.append("opensearch jars " + ("yes" if (CACHE / "opensearch/libs").is_dir() else "NO"))
    return ", ".join(parts)


def private_cache(work: Path) -> Path:
    """A cache folder sharing every build cache of .cache except build/ (layer and function zips)."""
    cache = work / "cache"
    cache.mkdir()
    for entry in CACHE.iterdir():
        if entry.name != "build":
            (cache / entry.name).symlink_to(entry.resolve())
    (cache / "build").mkdir()
    return cache


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", default="embedded,full")
    parser.add_argument("--cold-build", action="store_true", help="also a first run with the layer zip rebuilt")
    args = parser.parse_args()
    profiles = [p for p in args.profiles.split(",") if p]

    work = Path(tempfile.mkdtemp(prefix="bench-ready-"))
    runs: list[Run] = []
    mems: dict[str, list[Mem]] = {}
    disks: dict[str, tuple[float, float, int]] = {}
    live: list[tuple[Path, Path | None]] = []  # clouds that may be up: (state dir, cache)
    caches_before = cache_state()
    started = time.monotonic()
    errors: list[str] = []
    try:
        for profile in profiles:
            state_dir = work / f"state-{profile}"
            first = Run(profile, "first run")
            runs.append(first)
            live.append((state_dir, None))
            if not up(first, state_dir):
                continue
            if err := down(state_dir):
                errors.append(err)
            warm = Run(profile, "warm")
            runs.append(warm)
            if not up(warm, state_dir):
                continue
            time.sleep(2)  # let the last warm-up invocations settle
            state = CloudState.load(state_dir)
            assert state is not None
            mems[profile] = memory(state)
            tmp = state_dir / "ministack" / "tmp"
            folders = len([p for p in tmp.glob("ministack-lambda-*") if p.is_dir()])
            disks[profile] = (disk_mb(state_dir), disk_mb(tmp), folders)
            if err := down(state_dir):
                errors.append(err)
            live.remove((state_dir, None))
        if args.cold_build:
            cache = private_cache(work)
            state_dir = work / "state-cold-build"
            cold = Run("embedded", "cold build")
            runs.append(cold)
            live.append((state_dir, cache))
            if up(cold, state_dir, cache=cache):
                if err := down(state_dir, cache=cache):
                    errors.append(err)
                live.remove((state_dir, cache))
    finally:
        for live_dir, live_cache in live:
            if err := down(live_dir, cache=live_cache):
                errors.append(err)
        if not errors:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started

    print()
    print("`algoarts local up` time to ready (wall time of the CLI process; 'ready in' is the CLI's own figure)")
    print(f"caches in .cache before the first run: {caches_before}")
    print("first run = empty state folder (caches warm); warm = second up after down, data kept; sample data seeded")
    if args.cold_build:
        print("cold build = first run with the layer zip rebuilt (private ALGOARTS_CACHE without build/)")
    print(f"machine: {os.cpu_count()} cores, shared with other work; {elapsed:.0f} s in all")
    print()
    step_names: list[str] = []
    for r in runs:
        for s in r.steps:
            if s not in step_names:
                step_names.append(s)
    head = f"{'profile':<9} {'run':<10} | {'wall s':>6} {'ready s':>7} | {'seed':>5} | " + " ".join(
        f"{s:>14}" for s in step_names
    )
    print(head)
    print("-" * len(head))
    for r in runs:
        if r.error:
            print(f"{r.profile:<9} {r.kind:<10} | FAILED {r.error}")
            continue
        ready = f"{r.ready:.1f}" if r.ready is not None else "-"
        steps = " ".join(f"{r.steps[s]:>14.1f}" if s in r.steps else f"{'-':>14}" for s in step_names)
        print(f"{r.profile:<9} {r.kind:<10} | {r.wall:>6.1f} {ready:>7} | {r.seeded:>5} | {steps}")
    print("(phase columns: seconds between the lines `up` prints, each phase ending at its line: cli start =")
    print(" interpreter + imports; servers+migr = Postgres initdb/start/migrations, Redis, ClickHouse (+Kafka,")
    print(" OpenSearch, index); keys+deploy = JWT keys + package/upload/CloudFormation/routes; warm+acct+seed =")
    print(" one cold invocation per function, demo accounts, sample data through the API; status = health probes)")
    print()
    for profile, rows in mems.items():
        print(f"Resident memory, {profile} profile, after the warm start (every function warmed by `up`):")
        print(f"  {'part':<20} {'procs':>5} {'RSS MB':>8} {'PSS MB':>8}")
        for m in rows:
            print(f"  {m.name:<20} {m.processes:>5} {m.rss_mb:>8.0f} {m.pss_mb:>8.0f}")
        print(
            f"  {'TOTAL':<20} {sum(m.processes for m in rows):>5} {sum(m.rss_mb for m in rows):>8.0f} "
            f"{sum(m.pss_mb for m in rows):>8.0f}"
        )
        if profile in disks:
            total, workers, folders = disks[profile]
            live_workers = sum(m.processes for m in rows if m.name.strip() == "lambda workers")
            print(
                f"  state folder on disk: {total:.0f} MB, of which MiniStack's worker folders {workers:.0f} MB "
                f"({folders} folders for {live_workers} live workers: first run's + warm start's)"
            )
        print()
    for err in errors:
        print(f"WARNING: {err}")
    failed = [r for r in runs if r.error]
    return 1 if failed or errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
