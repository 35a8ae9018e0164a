"""JWT signing keys: a key set kept in the secrets store, rotated without downtime.

The newest active key signs; every key not yet retired still verifies, so tokens issued before a
rotation stay valid until they expire. The key set lives in one secret (Secrets Manager on AWS and
in the emulator, Lockbox on Yandex); functions cache it for a few minutes so a rotation reaches
them without a redeploy. It is read through `shared.secrets` (powertools parameters) and written
(rotation, `algoarts keys`) with boto3; cryptography is imported only where a key is made or parsed.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from shared.secrets import read_secret

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 2048
CACHE_SECONDS = 300


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str
    created_at: str
    retired: bool = False

    def private_key(self) -> rsa.RSAPrivateKey:
        return _load_private_key(self.private_pem)

    def public_jwk(self) -> dict[str, Any]:
        from jwt.algorithms import RSAAlgorithm

        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key().public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


@lru_cache(maxsize=16)
def _load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Parsing a PEM costs milliseconds; a warm function verifies many tokens with few keys."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@dataclass
class KeySet:
    keys: list[SigningKey] = field(default_factory=list)

    @property
    def active(self) -> SigningKey:
        live = [k for k in self.keys if not k.retired]
        if not live:
            raise RuntimeError("no active signing key: run `algoarts keys rotate`")
        return max(live, key=lambda k: k.created_at)

    def verifying(self, kid: str) -> SigningKey | None:
        return next((k for k in self.keys if k.kid == kid and not k.retired), None)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.keys if not k.retired]}

    def rotate(self) -> SigningKey:
        """Add a new signing key; older keys keep verifying until retired."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        now = datetime.now(UTC)
        key = SigningKey(
            kid=f"key-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}", private_pem=pem, created_at=now.isoformat()
        )
        self.keys.append(key)
        return key

    def retire(self, kid: str) -> None:
        if kid == self.active.kid and len([k for k in self.keys if not k.retired]) == 1:
            raise ValueError("cannot retire the only active key: rotate first")
        self.keys = [
            SigningKey(k.kid, k.private_pem, k.created_at, retired=k.retired or k.kid == kid) for k in self.keys
        ]

    def to_json(self) -> str:
        return json.dumps({"keys": [k.__dict__ for k in self.keys]})

    @classmethod
    def from_json(cls, text: str) -> KeySet:
        return cls([SigningKey(**k) for k in json.loads(text)["keys"]])


class KeyStore(Protocol):
    def load(self) -> KeySet: ...

    def save(self, keys: KeySet) -> None: ...


class SecretsManagerKeyStore:
    """The key set as one Secrets Manager secret (the emulator's or AWS's: the endpoint comes from
    AWS_ENDPOINT_URL when set). `load` reads it afresh through `shared.secrets` (`CachedKeys` does the
    caching); `save` writes it with boto3, creating the secret the first time. `client`, when given,
    is used for both."""

    def __init__(self, secret_id: str, client: Any = None) -> None:
        self._client = client
        self._secret_id = secret_id

    def load(self) -> KeySet:
        return KeySet.from_json(read_secret(self._secret_id, fresh=True, client=self._client))

    def save(self, keys: KeySet) -> None:
        client = self._writer()
        try:
            client.put_secret_value(SecretId=self._secret_id, SecretString=keys.to_json())
        except client.exceptions.ResourceNotFoundException:
            client.create_secret(Name=self._secret_id, SecretString=keys.to_json())

    def _writer(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("secretsmanager")
        return self._client


class CachedKeys:
    """The key set, re-read from the store at most every CACHE_SECONDS."""

    def __init__(self, store: KeyStore, ttl: float = CACHE_SECONDS) -> None:
        self._store = store
        self._ttl = ttl
        self._keys: KeySet | None = None
        self._loaded_at = 0.0

    def get(self, *, refresh: bool = False) -> KeySet:
        if refresh or self._keys is None or time.monotonic() - self._loaded_at > self._ttl:
            self._keys = self._store.load()
            self._loaded_at = time.monotonic()
        return self._keys


_cached: dict[str, CachedKeys] = {}


def key_set(secret_id: str, *, refresh: bool = False) -> KeySet:
    """The deployment's key set, cached per function instance for CACHE_SECONDS."""
    cached = _cached.get(secret_id)
    if cached is None:
        cached = _cached[secret_id] = CachedKeys(SecretsManagerKeyStore(secret_id))
    return cached.get(refresh=refresh)
