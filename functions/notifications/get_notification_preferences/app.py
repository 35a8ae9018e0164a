"""GET /v1/notifications/preferences: the caller's whole picture: language, time zone, quiet hours, digest,
the channels (email address, Telegram linked or not, push subscriptions) and every kind x channel on/off,
the defaults filled in."""

from shared.http import api, entrypoint
from shared.http.deps import SignedIn
from shared.notifications.model import Preferences
from shared.notifications.preferences import get_preferences

app = api()


@app.get("/v1/notifications/preferences")
def get_notification_preferences(caller: SignedIn) -> Preferences:
    return get_preferences(caller.settings, caller.principal.user_id)


handler = entrypoint(app)
