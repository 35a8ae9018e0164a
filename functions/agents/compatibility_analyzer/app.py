"""The compatibility analyzer agent (the AnalyzeCandidates Map item): scores one candidate against the company."""

from shared.discovery import steps
from shared.discovery.step_handler import step_handler
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings

handler = step_handler(steps.analyze_candidate)
