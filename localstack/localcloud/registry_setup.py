"""The local stand-in for DaData (ЕГРЮЛ lookups): its records, its API key, its process.

The records are a few real companies (servers/dadata_registry.json) plus the sample catalog's
legal entities, so that `make dev` verifies both a real INN a user types and the seeded catalog.
The key is generated per checkout, kept in secrets.json and in the emulator's Secrets Manager,
where the verification function reads it exactly as it reads DaData's key on AWS.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from localcloud import process
from localcloud.paths import STATE_DIR
from localcloud.runtime import CloudState, PartState, boto_session, load_secrets, save_secrets
from localcloud.servers import dadata

SECRET_ID = "algoarts/dadata-token"  # noqa: S105 - a secret's name, not its value
CATALOG = Path(__file__).resolve().parent / "catalog" / "companies.json"


def token() -> str:
    stored = load_secrets()
    if "dadata" not in stored:
        stored["dadata"] = secrets.token_urlsafe(24)
        save_secrets(stored)
    return stored["dadata"]


def catalog_records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The register's entries for the catalog's Russian companies, as DaData would return them."""
    records = []
    for row in rows:
        if not (row.get("inn") and row.get("ogrn") and row.get("legal_name")):
            continue
        short = str(row["legal_name"])
        full = short.replace("ООО ", "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ ", 1).replace(
            "АО ", "АКЦИОНЕРНОЕ ОБЩЕСТВО ", 1
        )
        founded = int(row.get("founded_year") or 2015)
        records.append(
            dadata.suggestion(
                row["inn"],
                row["ogrn"],
                row.get("kpp"),
                full,
                short,
                row.get("legal_address") or "",
                registration_date=date(founded, 3, 1),
            )
        )
    return records


def start(state: CloudState) -> PartState:
    """The stand-in on a free loopback port, with its key in the emulator's Secrets Manager."""
    folder = STATE_DIR / "dadata"
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "token"
    key_file.touch(mode=0o600)
    key_file.write_text(token(), "utf-8")
    catalog = json.loads(CATALOG.read_text("utf-8")) if CATALOG.exists() else []
    records_file = folder / "records.json"
    records_file.write_text(json.dumps(dadata.load_records() + catalog_records(catalog), ensure_ascii=False), "utf-8")
    port = process.free_port()
    log = STATE_DIR / "logs" / "dadata.log"
    argv = [sys.executable, "-m", "localcloud.servers.dadata", "--port", str(port), "--token-file", str(key_file)]
    pid = process.spawn([*argv, "--records", str(records_file)], log)
    part = PartState(name="dadata", pid=pid, port=port, url=f"127.0.0.1:{port}", log=str(log))
    state.parts["dadata"] = part
    state.save()
    started = time.monotonic()
    process.wait_ready("dadata", pid, log, lambda: dadata.is_ready(port), 30.0)
    print(f"  {'dadata':<11} 127.0.0.1:{port}  ({time.monotonic() - started:.1f} s, ЕГРЮЛ stand-in)", flush=True)
    return part


def provision_secret(state: CloudState) -> None:
    client = boto_session(state.endpoint).client("secretsmanager")
    try:
        client.create_secret(Name=SECRET_ID, SecretString=token())
    except client.exceptions.ResourceExistsException:
        client.put_secret_value(SecretId=SECRET_ID, SecretString=token())
