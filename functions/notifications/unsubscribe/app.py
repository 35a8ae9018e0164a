"""GET|POST /v1/notifications/unsubscribe?token=... (public: the link of every email, no login).

GET answers a page saying what the link turns off, with a button; POST turns it off (RFC 8058 one-click:
a mail client POSTs `List-Unsubscribe=One-Click`; the page's button POSTs the same). GET changes nothing,
because mail scanners fetch every link (shared/notifications/unsubscribe.py says why). A token tampered
with, expired or made up is 400 problem+json naming `token`.
"""

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint
from shared.http.answers import ok
from shared.http.deps import SettingsDep
from shared.http.messages import preferred_language
from shared.http.params import Header, Query
from shared.notifications.model import Unsubscribed
from shared.notifications.unsubscribe import apply, confirmation_page, done_page, target

app = api()

Token = Annotated[str | None, Query(max_length=4000)]
AcceptLanguage = Annotated[str | None, Header(alias="accept-language")]
Accept = Annotated[str | None, Header(alias="accept")]
HTML = "text/html; charset=utf-8"


def _html(page: str, language: str) -> Response[str]:
    headers = {"Content-Language": language, "Vary": "Accept-Language", "Cache-Control": "no-store"}
    return Response(status_code=200, content_type=HTML, body=page, headers=headers)


@app.get("/v1/notifications/unsubscribe")
def show(settings: SettingsDep, token: Token = None, accept_language: AcceptLanguage = None) -> Response[str]:
    """The confirmation page (ru by Accept-Language, en otherwise); nothing changes until its button."""
    found = target(settings, token)
    language = preferred_language(accept_language)
    return _html(confirmation_page(found, token or "", language), language)


@app.post("/v1/notifications/unsubscribe")
def unsubscribe(
    settings: SettingsDep, token: Token = None, accept_language: AcceptLanguage = None, accept: Accept = None
) -> Response[Unsubscribed]:
    """Turned off. A browser (the page's button, Accept: text/html) gets a page; a mail client JSON."""
    found, done = apply(settings, token)
    if "text/html" in (accept or ""):
        language = preferred_language(accept_language)
        # The page is for a person; the OpenAPI document describes the JSON a mail client gets.
        return cast("Response[Unsubscribed]", _html(done_page(found, language, settings.public_app_url), language))
    return ok(done, headers={"Cache-Control": "no-store"})


handler = entrypoint(app)
