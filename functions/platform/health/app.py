"""GET /v1/health: each dependency's state (200 when all enabled ones are up, else 503)."""

from aws_lambda_powertools.event_handler import Response

from shared.health import HealthReport, check_all
from shared.http import entrypoint, resolver
from shared.settings import get_settings

app = resolver()


@app.get("/v1/health")
def health() -> Response[HealthReport]:
    report = check_all(get_settings())
    return Response(status_code=200 if report.status == "ok" else 503, content_type="application/json", body=report)


handler = entrypoint(app, warm=get_settings)
