"""Discovery step FindCandidates: the company's partner candidates (partnerships service), recorded on the run."""

from shared.discovery import steps
from shared.discovery.step_handler import step_handler
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings

handler = step_handler(steps.find_candidates)
