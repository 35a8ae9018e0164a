"""POST /v1/partnerships/analyze: how well two companies fit, with the AI explanation; writes nothing."""

from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.partnerships.model import AnalyzeRequest, PairAnalysis
from shared.partnerships.service import analyze
from shared.settings import get_settings

app = resolver()


@app.post("/v1/partnerships/analyze")
def analyze_pair(request: AnalyzeRequest) -> PairAnalysis:
    settings = get_settings()
    require(settings, app.current_event.raw_event, Permission.PARTNERSHIP_READ)
    return analyze(settings, str(request.company_a_id), str(request.company_b_id))


handler = entrypoint(app, warm=get_settings)
