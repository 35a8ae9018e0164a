"""Discovery step MarkContacted: the approved partnership moves to `contacted` and a CRM sync is requested."""

from shared.discovery import steps
from shared.discovery.step_handler import step_handler
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings

handler = step_handler(steps.mark_contacted)
