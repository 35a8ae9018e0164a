"""Discovery end states NoMatch, Rejected, Expired and RecordFailure (step, error, cause) on the run's row."""

from shared.cold_start import cold_start
from shared.discovery import steps
from shared.discovery.step_handler import step_handler

cold_start()

handler = step_handler(steps.record_outcome)
