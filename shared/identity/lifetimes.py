"""Token lifetimes, in a module of their own: the guard needs them without importing the JWT and
cryptography libraries (~30 ms of every protected function's cold start)."""

ACCESS_TOKEN_SECONDS = 3600  # the seed's one hour; never longer
REFRESH_TOKEN_DAYS = 30
