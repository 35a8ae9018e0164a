"""GET /v1/admin/users: accounts a caller may manage (platform admin: all; company admin: their company)."""

from typing import Annotated

from shared.http import api, entrypoint
from shared.http.deps import UserManager
from shared.http.params import Query
from shared.identity.model import UserPage
from shared.identity.service import list_users

app = api()


@app.get("/v1/admin/users")
def get(
    caller: UserManager,
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9a-f-]{36}$", description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> UserPage:
    return list_users(caller.settings, caller.principal, cursor, limit)


handler = entrypoint(app)
