"""POST /v1/notifications/{notification_id}/read: one inbox item marked read. Idempotent (the first read
time stays); another user's item or an unknown id is 404."""

from typing import Annotated

from shared.http import api, entrypoint
from shared.http.deps import SignedIn
from shared.http.params import Path
from shared.notifications.inbox import mark_read
from shared.notifications.model import Notification

app = api()


@app.post("/v1/notifications/<notification_id>/read")
def read_notification(
    notification_id: Annotated[str, Path(min_length=1, max_length=100)], caller: SignedIn
) -> Notification:
    return mark_read(caller.settings, caller.principal.user_id, notification_id)


handler = entrypoint(app)
