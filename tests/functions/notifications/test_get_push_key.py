"""GET /v1/notifications/push/key (GetPushKeyFunction, public): the VAPID applicationServerKey, i.e. the
base64url uncompressed P-256 point of the deployment's VAPID private key in the secret store."""

from __future__ import annotations

import base64
import uuid
from types import ModuleType

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from functions.calls import call, cold_start, request

SECRET = f"test/vapid-private-key-{uuid.uuid4().hex[:8]}"
PRIVATE = ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def vapid_key(aws_endpoint: str) -> str:
    """A VAPID private key (PKCS#8 PEM, as `vapid --gen` writes it) in the emulator's Secrets Manager."""
    from localcloud.runtime import boto_session

    pem = PRIVATE.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    boto_session(aws_endpoint).client("secretsmanager").create_secret(Name=SECRET, SecretString=pem)
    return pem


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, vapid_key: str
) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "get_push_key", aws=aws_endpoint, database_url=postgres_url,
        redis_url=redis_url, vapid_private_key_secret=SECRET,
    )  # fmt: skip


def test_the_public_key_of_the_stored_private_key_without_a_caller(fn: ModuleType) -> None:
    answer = call(fn, request("get_push_key"))
    assert answer.status == 200, answer.body
    key = answer.body["application_server_key"]
    assert "=" not in key
    point = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert point == PRIVATE.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    assert answer.headers["Cache-Control"].startswith("public")
