"""POST /v1/partnerships/analyze: how well two companies fit, with the AI explanation; writes nothing."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from shared.http import api, entrypoint
from shared.http.deps import Caller, requires
from shared.identity.roles import Permission
from shared.partnerships.model import AnalyzeRequest, PairAnalysis
from shared.partnerships.service import analyze

app = api()


@app.post("/v1/partnerships/analyze")
def analyze_pair(
    request: AnalyzeRequest, caller: Annotated[Caller, Depends(requires(Permission.PARTNERSHIP_READ))]
) -> PairAnalysis:
    return analyze(caller.settings, str(request.company_a_id), str(request.company_b_id))


handler = entrypoint(app)
