"""The gateway's `$default` route: any unknown path or method answers 404 problem+json."""

from shared.http import api, entrypoint

app = api()  # no routes: every request reaches the API's not-found answer
handler = entrypoint(app)
