"""PUT /v1/notifications/preferences: the same shape as GET, any part of it; the fields given change and the
answer is the new whole picture. An unknown time zone, kind or channel is 422 naming it."""

from shared.http import api, entrypoint
from shared.http.deps import SignedIn
from shared.notifications.model import Preferences, PreferencesPatch
from shared.notifications.preferences import put_preferences

app = api()


@app.put("/v1/notifications/preferences")
def put_notification_preferences(patch: PreferencesPatch, caller: SignedIn) -> Preferences:
    return put_preferences(caller.settings, caller.principal.user_id, patch)


handler = entrypoint(app)
