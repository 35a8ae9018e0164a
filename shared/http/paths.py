"""Path parameters every context shares, declared once (the route's `<name>` must match the argument)."""

from typing import Annotated

from shared.http.params import Path

# A company by UUID or by slug (current or former: former slugs redirect).
CompanyKey = Annotated[str, Path(min_length=1, max_length=500, description="the company's id or slug")]
# Another company as the partner of `company_id` (e.g. a suggestion dismissed), by UUID or slug as well.
PartnerKey = Annotated[str, Path(min_length=1, max_length=500, description="the partner company's id or slug")]
PartnershipId = Annotated[str, Path(min_length=1, max_length=100)]
DiscoveryId = Annotated[str, Path(min_length=1, max_length=100)]
UserId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
