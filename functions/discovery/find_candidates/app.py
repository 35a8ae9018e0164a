"""Discovery step FindCandidates: the company's partner candidates (partnerships service), recorded on the run."""

from shared.cold_start import cold_start
from shared.discovery import steps
from shared.discovery.step_handler import step_handler

cold_start()

handler = step_handler(steps.find_candidates)
