"""Discovery step MarkContacted: the approved partnership moves to `contacted` and a CRM sync is requested."""

from shared.cold_start import cold_start
from shared.discovery import steps
from shared.discovery.step_handler import step_handler

cold_start()

handler = step_handler(steps.mark_contacted)
