"""The gateway's `$default` route: any unknown path or method answers 404 problem+json."""

from shared.http import entrypoint, resolver

app = resolver()  # no routes: every request reaches the resolver's not-found handler
handler = entrypoint(app)
