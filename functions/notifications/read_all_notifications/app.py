"""POST /v1/notifications/read-all: every unread item of the caller's inbox marked read; answers how many."""

from shared.http import api, entrypoint
from shared.http.deps import SignedIn
from shared.notifications.inbox import mark_all_read
from shared.notifications.model import ReadAll

app = api()


@app.post("/v1/notifications/read-all")
def read_all_notifications(caller: SignedIn) -> ReadAll:
    return mark_all_read(caller.settings, caller.principal.user_id)


handler = entrypoint(app)
