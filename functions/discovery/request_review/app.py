"""Discovery step HumanReview (lambda:invoke.waitForTaskToken): stores the task token with the draft and
notifies the company's BD managers; the state machine waits for POST /v1/outreach/{id}/approve|reject."""

from shared.cold_start import cold_start
from shared.discovery import steps
from shared.discovery.step_handler import step_handler

cold_start()

handler = step_handler(steps.request_review)
