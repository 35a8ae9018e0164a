"""GET /v1/admin/users: accounts a caller may manage (platform admin: all; company admin: their company)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.model import UserPage
from shared.identity.roles import Permission
from shared.identity.service import list_users
from shared.settings import get_settings

app = resolver()


@app.get("/v1/admin/users")
def get(
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9a-f-]{36}$", description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> UserPage:
    settings = get_settings()
    principal = require(settings, app.current_event.raw_event, Permission.USER_MANAGE)
    return list_users(settings, principal, cursor, limit)


handler = entrypoint(app, warm=get_settings)
