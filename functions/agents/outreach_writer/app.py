"""The outreach writer agent (WriteOutreach): a first message to the best match above the threshold."""

from shared.discovery import steps
from shared.discovery.step_handler import step_handler
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings

handler = step_handler(steps.write_outreach)
