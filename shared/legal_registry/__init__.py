"""Verification of Russian organisations and sole traders against the state register (ЕГРЮЛ/ЕГРИП).

The port and its types are importable from here; the DaData adapter (`shared.legal_registry.dadata`, needs
httpx) is imported explicitly by the one worker that uses it, so nothing else pays for the HTTP client.
"""

from shared.legal_registry.port import (
    LegalKind,
    LegalRecord,
    LegalRegistry,
    LegalStatus,
    RegistryError,
    RegistryRejected,
    RegistryUnavailable,
)

__all__ = [
    "LegalKind",
    "LegalRecord",
    "LegalRegistry",
    "LegalStatus",
    "RegistryError",
    "RegistryRejected",
    "RegistryUnavailable",
]
