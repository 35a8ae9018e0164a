"""GET /v1/health: each dependency's state (200 when all enabled ones are up, else 503)."""

from aws_lambda_powertools.event_handler import Response

from shared.health import HealthReport, check_all
from shared.http import api, entrypoint
from shared.http.answers import ok
from shared.http.deps import SettingsDep

app = api()


@app.get("/v1/health")
def health(settings: SettingsDep) -> Response[HealthReport]:
    report = check_all(settings)
    return ok(report, status=200 if report.status == "ok" else 503)


handler = entrypoint(app)
