"""The outreach writer agent (WriteOutreach): a first message to the best match above the threshold."""

from shared.cold_start import cold_start
from shared.discovery import steps
from shared.discovery.step_handler import step_handler

cold_start()

handler = step_handler(steps.write_outreach)
