"""The port to the state register of legal entities (ЕГРЮЛ/ЕГРИП): what verification needs, nothing more.

`LegalRegistry.find` answers one question — what does the register say about this INN or OGRN — with a
`LegalRecord`, or `None` when the register does not know the number. Failures are split by what the caller
should do about them:

* `RegistryUnavailable`: the register could not be asked right now (timeout, connection refused or reset,
  HTTP 429, 5xx, a garbled answer). Worth retrying later; `retry_after` carries the provider's hint if any.
* `RegistryRejected`: the register refused the request itself (HTTP 400/401/403/404/413...). A bad or
  exhausted API key, or a bug in the request: retrying the same call will not help, an operator must look.

Adapters (DaData today) live next to this module and are imported only by the worker that verifies
companies; this module has no third-party or cloud imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal, Protocol, runtime_checkable


class LegalStatus(StrEnum):
    """The register's status of an organisation or sole trader (DaData's ``state.status``, lower-cased)."""

    active = "active"
    liquidating = "liquidating"
    liquidated = "liquidated"
    bankrupt = "bankrupt"
    reorganizing = "reorganizing"


LegalKind = Literal["legal", "individual"]


@dataclass(frozen=True, slots=True)
class LegalRecord:
    """One register entry as verification sees it.

    ``legal_name`` is the full name with its legal form (ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ЯНДЕКС"),
    ``short_name`` the short one (ООО "ЯНДЕКС"), ``legal_address`` the registered address as one line.
    ``kpp`` is None for sole traders; ``source`` names the provider the record came from.
    """

    inn: str
    ogrn: str
    kpp: str | None
    legal_name: str
    short_name: str
    legal_address: str | None
    status: LegalStatus
    kind: LegalKind
    registration_date: date | None
    liquidation_date: date | None
    source: str

    @property
    def is_operating(self) -> bool:
        """True while the entity may enter into contracts: active or reorganizing (it still exists)."""
        return self.status in (LegalStatus.active, LegalStatus.reorganizing)


class RegistryError(Exception):
    """Base of the register's failures; ``status`` is the provider's HTTP status when there was one."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RegistryUnavailable(RegistryError):
    """Transient: timeout, connection error, HTTP 429 or 5xx. Retry later (after ``retry_after`` s if set)."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class RegistryRejected(RegistryError):
    """Permanent for this configuration: HTTP 400/401/403/404/413. Retrying the same request will not help."""


@runtime_checkable
class LegalRegistry(Protocol):
    def find(self, inn_or_ogrn: str) -> LegalRecord | None:
        """The register's entry for an INN (10/12 digits) or OGRN/OGRNIP (13/15), or None if it has none.

        Raises RegistryUnavailable or RegistryRejected when the register could not answer.
        """
        ...
