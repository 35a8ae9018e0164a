"""The compatibility analyzer agent (the AnalyzeCandidates Map item): scores one candidate against the company."""

from shared.cold_start import cold_start
from shared.discovery import steps
from shared.discovery.step_handler import step_handler

cold_start()

handler = step_handler(steps.analyze_candidate)
