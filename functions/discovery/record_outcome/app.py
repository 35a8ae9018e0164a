"""Discovery end states NoMatch, Rejected, Expired and RecordFailure (step, error, cause) on the run's row."""

from shared.discovery import steps
from shared.discovery.step_handler import step_handler
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings

handler = step_handler(steps.record_outcome)
