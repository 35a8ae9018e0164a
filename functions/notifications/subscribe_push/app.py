"""POST /v1/notifications/push/subscriptions: the caller's browser subscribes to web push with its
`PushSubscription.toJSON()`. 201 with the subscription's id; the same endpoint again updates its keys (200)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint
from shared.http.answers import ok
from shared.http.deps import SignedIn
from shared.http.params import Header
from shared.notifications.model import PushSubscriptionIn, PushSubscriptionOut
from shared.notifications.push_subscriptions import subscribe

app = api()


@app.post("/v1/notifications/push/subscriptions", status_code=201)
def subscribe_push(
    subscription: PushSubscriptionIn,
    caller: SignedIn,
    user_agent: Annotated[str | None, Header(alias="user-agent")] = None,
) -> Response[PushSubscriptionOut]:
    stored, created = subscribe(caller.settings, caller.principal.user_id, subscription, user_agent=user_agent)
    return ok(stored, status=201 if created else 200)


handler = entrypoint(app)
