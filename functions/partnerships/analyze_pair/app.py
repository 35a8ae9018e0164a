"""POST /v1/partnerships/analyze: how well two companies fit, with the AI explanation; writes nothing."""

from shared.http import api, entrypoint
from shared.http.deps import PartnershipReader
from shared.partnerships.model import AnalyzeRequest, PairAnalysis
from shared.partnerships.service import analyze

app = api()


@app.post("/v1/partnerships/analyze")
def analyze_pair(request: AnalyzeRequest, caller: PartnershipReader) -> PairAnalysis:
    return analyze(caller.settings, str(request.company_a_id), str(request.company_b_id))


handler = entrypoint(app)
