"""Everything the operator commands take from the local cloud (`localcloud`), and only from here.

An operator command given its endpoints (`--database-url`, `--stack-name`, `--secret-id`, the
ALGOARTS_* variables) touches nothing local. Without them it defaults to the cloud `make dev` runs on
this machine: its state file (endpoints, queues, functions, stack parameters), its passwords, its
JWT key file. The dead-letter commands also read template.yaml with the same reader the local deploy
uses, because the template is the one description of which queue is whose dead-letter queue.

Each function imports localcloud when it is called, so the dependency is one way and visible in one
file: algoarts_ops -> localcloud here; localcloud imports algoarts_ops only to dispatch the operator
subcommands of `algoarts` (localcloud/cli.py) and to seed its sample data through the bulk import
(localcloud/seed.py). tests/unit/test_ops_layout.py holds both sides to that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localcloud.runtime import CloudState, EmulatorSession
    from localcloud.template import KafkaSource
    from shared.identity.keys import KeySet


def state() -> CloudState | None:
    """The running (or last started) local cloud's description; None when there has been none."""
    from localcloud.runtime import CloudState

    return CloudState.load()


def database_url() -> str | None:
    """The local cloud's Postgres, with its password; None without a local cloud."""
    from localcloud.runtime import load_secrets
    from localcloud.servers import postgres

    found = state()
    if found is None or "postgres" not in found.parts:
        return None
    return postgres.url(found.parts["postgres"].port or 0, load_secrets()["postgres"])


def redis_url() -> str | None:
    """The local cloud's Redis, with its password; None without a local cloud."""
    from localcloud.runtime import load_secrets
    from localcloud.servers import redis

    found = state()
    if found is None or "redis" not in found.parts:
        return None
    return redis.url(found.parts["redis"].port or 0, load_secrets()["redis"])


def stack_parameters() -> dict[str, str]:
    """The local stack's plain parameters (SearchBackend, OpenSearchUrl, ...); empty without a local cloud."""
    found = state()
    return found.parameters if found is not None else {}


def emulator_session(endpoint: str) -> EmulatorSession:
    """boto3 clients aimed at the local emulator, with its fixed local credentials."""
    from localcloud.runtime import boto_session

    return boto_session(endpoint)


def template() -> dict[str, Any]:
    """template.yaml, read as the local deploy reads it (CloudFormation tags kept as dicts)."""
    from localcloud import template as tpl
    from localcloud.paths import TEMPLATE

    return tpl.load(TEMPLATE)


def kafka_sources(loaded: dict[str, Any]) -> list[KafkaSource]:
    """The template's Kafka event sources: each function, its topic and its on-failure queue."""
    from localcloud import template as tpl

    return tpl.kafka_sources(loaded)


def local_keys() -> KeySet:
    """The local cloud's JWT key set (kept in the state folder so it survives the emulator's restarts)."""
    from localcloud.identity_setup import local_keys as load

    return load()


def save_local_keys(keys: KeySet) -> None:
    from localcloud.identity_setup import save_local_keys as save

    save(keys)


def push_keys(running: CloudState) -> str:
    """Put the local key set into the running emulator's Secrets Manager; returns the secret's name."""
    from localcloud.identity_setup import SECRET_ID, provision_keys

    provision_keys(running)
    return SECRET_ID
