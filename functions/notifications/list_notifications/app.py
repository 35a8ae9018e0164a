"""GET /v1/notifications: the caller's inbox (what the bell icon shows), newest first, a cursor to the next
page, and the unread count of the whole inbox."""

from typing import Annotated

from shared.http import api, entrypoint
from shared.http.deps import SignedIn
from shared.http.params import Query
from shared.notifications.inbox import list_inbox
from shared.notifications.model import InboxQuery, NotificationPage

app = api()


@app.get("/v1/notifications")
def list_notifications(query: Annotated[InboxQuery, Query()], caller: SignedIn) -> NotificationPage:
    """`limit` 1..100 (20), `unread_only`, `cursor` (the previous page's `next_cursor`)."""
    return list_inbox(caller.settings, caller.principal.user_id, query)


handler = entrypoint(app)
