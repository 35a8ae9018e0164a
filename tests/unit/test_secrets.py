"""The one secrets reader (powertools parameters), and the JWT key store reading through it."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from shared.identity.keys import KeySet, SecretsManagerKeyStore
from shared.secrets import read_secret
from support import ROOT


class FakeSecretsManager:
    """The two calls powertools and the key store make, on one secret kept in memory."""

    class exceptions:
        class ResourceNotFoundException(Exception):
            pass

    def __init__(self, value: str | None = None) -> None:
        self.value = value
        self.reads = 0

    def get_secret_value(self, **kwargs: Any) -> dict[str, Any]:
        self.reads += 1
        return {"Name": kwargs["SecretId"], "SecretString": self.value}

    def put_secret_value(self, SecretId: str, SecretString: str) -> None:
        if self.value is None:
            raise self.exceptions.ResourceNotFoundException
        self.value = SecretString

    def create_secret(self, Name: str, SecretString: str) -> None:
        self.value = SecretString


def test_a_read_returns_the_secret_string() -> None:
    client = FakeSecretsManager("token-1")
    assert read_secret("algoarts/test-token", client=client) == "token-1"
    client.value = "token-2"
    assert read_secret("algoarts/test-token", client=client, fresh=True) == "token-2"
    assert client.reads == 2


def test_the_key_store_creates_rotates_and_reads_back_fresh() -> None:
    client = FakeSecretsManager()
    store = SecretsManagerKeyStore("algoarts/test-jwt-keys", client=client)
    keys = KeySet()
    first = keys.rotate()
    store.save(keys)  # the secret does not exist yet: created
    assert [k.kid for k in store.load().keys] == [first.kid]
    second = keys.rotate()
    store.save(keys)
    assert [k.kid for k in store.load().keys] == [first.kid, second.kid]  # a rotation is seen at once


def test_reading_nothing_imports_neither_boto3_nor_cryptography() -> None:
    code = (
        "import sys, shared.secrets, shared.identity.keys, shared.embeddings;"
        "print(sorted(m for m in ('boto3', 'botocore', 'cryptography') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
