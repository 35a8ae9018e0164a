"""What the CRM hub asks of a CRM, whichever it is: the one interface `amocrm.AmoCrm` and `bitrix24.Bitrix24`
implement, the cards it sends and reads, and the errors it raises.

Why one port: the sync saga (push a partnership as a company, a contact, a deal and a note), the webhook
worker and the reconciliation (pull a deal's fate) are written once against `CrmClient`; what differs
between amoCRM (REST v4 over OAuth 2.0, 7 requests/s) and Bitrix24 (REST methods over a webhook or OAuth,
2 requests/s with a burst of 50) stays inside each adapter.

Amounts are whole roubles (`int`): both CRMs keep a deal's `price`/`OPPORTUNITY` as a number of the
account's currency, and the partnerships schema keeps `deal_value`/`revenue_generated` in roubles.

Errors: an adapter maps its CRM's failures onto these classes, so the saga and the workers decide retry,
refresh or give up without knowing which CRM answered:

* `CrmRateLimited` (amoCRM 429, Bitrix24 `QUERY_LIMIT_EXCEEDED` / 503): transient, wait ``retry_after``;
* `CrmUnavailable` (5xx, timeouts, refused connections): transient, back off;
* `CrmUnauthorized` (amoCRM 401, Bitrix24 `expired_token`): the access token expired: refresh once, retry;
* `CrmRevoked` (a refused refresh token, `invalid_grant`, a deleted webhook key, 403 on the account):
  permanent, the connection is marked revoked and its sync stops;
* `CrmRejected` (a 400 with validation errors): permanent for this request, with the CRM's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

DealStatus = Literal["open", "won", "lost"]


class CrmError(Exception):
    """A CRM call failed; ``transient`` says whether trying again later may succeed."""

    transient: bool = False

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class CrmRateLimited(CrmError):
    transient = True

    def __init__(self, reason: str, *, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(reason, status=status)
        self.retry_after = retry_after


class CrmUnavailable(CrmError):
    transient = True


class CrmUnauthorized(CrmError):
    """The access token is no longer accepted; one refresh and one retry, then `CrmRevoked`."""

    transient = True


class CrmRevoked(CrmError):
    """The CRM no longer accepts this connection at all (refresh refused, key deleted, account blocked)."""


class CrmRejected(CrmError):
    """The CRM refused the request itself (validation); the reason is the CRM's."""


@dataclass(frozen=True)
class OAuthTokens:
    """One access/refresh pair. amoCRM's refresh token is single use: every refresh gives a new pair, and
    the caller stores the pair atomically before using it (a lost write strands the connection)."""

    access_token: str
    refresh_token: str
    expires_at: datetime  # when the access token stops working (amoCRM: 24 h after issue)


class TokenSource(Protocol):
    """How an OAuth adapter gets a valid access token: the connection service implements it over the
    encrypted store (refresh ahead of expiry, one refresh on 401, each new pair saved before it is used)."""

    def access_token(self) -> str:
        """A token valid for at least a minute, refreshing first if it is not."""
        ...

    def refreshed(self, rejected: str) -> str:
        """The CRM refused ``rejected`` (401): a new access token (another instance may already have
        refreshed: then its pair is used, not a second refresh). Raises `CrmRevoked` if refresh fails."""
        ...


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    kind: DealStatus  # open, or the pipeline's won / lost stage (amoCRM 142 / 143; Bitrix24 SEMANTICS S / F)


@dataclass(frozen=True)
class Pipeline:
    id: str
    name: str
    is_main: bool
    stages: tuple[Stage, ...]


@dataclass(frozen=True)
class CrmUser:
    id: str
    name: str
    email: str | None = None


@dataclass(frozen=True)
class CompanyCard:
    """The partner company as the CRM should know it; ``inn`` is matched first, then name or website."""

    name: str
    inn: str | None = None
    website: str | None = None
    responsible_user_id: str | None = None


@dataclass(frozen=True)
class ContactCard:
    name: str
    email: str | None = None
    phone: str | None = None
    position: str | None = None
    responsible_user_id: str | None = None


@dataclass(frozen=True)
class DealCard:
    """A partnership as a deal. ``marker`` (the partnership id) is stored in the deal so that a re-run finds
    the deal it created even if our own record of it was lost (Bitrix24 ORIGIN_ID; amoCRM a tag and the
    name's suffix, searchable with ``query``)."""

    marker: str
    title: str
    pipeline_id: str | None
    stage_id: str | None
    company_id: str | None
    contact_id: str | None
    amount: int | None = None
    responsible_user_id: str | None = None
    link: str | None = None  # the partnership in our API
    score: float | None = None  # the compatibility score, 0..1
    synergy: str | None = None


@dataclass(frozen=True)
class DealState:
    """A deal as the CRM has it now: what the pull side reads (webhook worker and reconciliation)."""

    id: str
    pipeline_id: str | None
    stage_id: str
    status: DealStatus
    amount: int | None
    updated_at: datetime
    closed_at: datetime | None = None
    marker: str | None = None  # the partnership id when we created it


@dataclass(frozen=True)
class Page:
    deals: list[DealState] = field(default_factory=list)
    next_cursor: str | None = None


class CrmClient(Protocol):
    """One connection's view of its CRM. Every call blocks for the shared rate limiter's slot first."""

    crm: Literal["amocrm", "bitrix24"]

    def pipelines(self) -> list[Pipeline]: ...

    def users(self) -> list[CrmUser]: ...

    def find_company(self, card: CompanyCard) -> str | None:
        """The id of a company with the card's INN, else with its exact name or website host; None."""
        ...

    def create_company(self, card: CompanyCard) -> str: ...

    def delete_company(self, company_id: str) -> None:
        """Delete (a compensation); an id the CRM no longer knows is not an error."""
        ...

    def find_contact(self, company_id: str, card: ContactCard) -> str | None: ...

    def create_contact(self, company_id: str, card: ContactCard) -> str: ...

    def delete_contact(self, contact_id: str) -> None: ...

    def find_deal(self, marker: str) -> str | None: ...

    def create_deal(self, card: DealCard) -> str: ...

    def delete_deal(self, deal_id: str) -> None: ...

    def add_note(self, deal_id: str, text: str) -> str: ...

    def get_deal(self, deal_id: str) -> DealState | None: ...

    def deals_changed_since(self, since: datetime, cursor: str | None = None) -> Page:
        """Deals updated at or after ``since``, oldest first, one page (≤ 50 / ≤ 250) at a time."""
        ...

    def close(self) -> None: ...


Limiter = Callable[[], None]
"""Called before each request: blocks until the connection's shared (Redis) rate limit allows one more."""
