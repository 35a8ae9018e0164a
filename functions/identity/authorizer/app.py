"""The API gateway's Lambda authorizer (HTTP API, payload 2.0, simple responses).

Verifies the bearer token's RS256 signature, `kid`, issuer, audience and lifetime, and passes the
claims on as the request's authorizer context; the gateway caches the answer per token. Anything
wrong with the token is a plain deny (403 from the gateway), never an error (which would be 500).
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start
from shared.identity.authorizer import authorize
from shared.logs import logger

cold_start()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return authorize(event)
