"""Discovery step HumanReview (lambda:invoke.waitForTaskToken): stores the task token with the draft and
notifies the company's BD managers; the state machine waits for POST /v1/outreach/{id}/approve|reject."""

from shared.discovery import steps
from shared.discovery.step_handler import step_handler
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings

handler = step_handler(steps.request_review)
