"""DELETE /v1/notifications/push/subscriptions with {"endpoint"}: the caller's browser unsubscribed (204);
404 when the caller has no subscription with that endpoint."""

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint, no_content
from shared.http.deps import SignedIn
from shared.notifications.model import PushUnsubscribe
from shared.notifications.push_subscriptions import unsubscribe

app = api()


@app.delete("/v1/notifications/push/subscriptions", status_code=204)
def unsubscribe_push(request: PushUnsubscribe, caller: SignedIn) -> Response[str]:
    unsubscribe(caller.settings, caller.principal.user_id, request.endpoint)
    return no_content()


handler = entrypoint(app)
