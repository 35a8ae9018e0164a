"""AI agents and the partner-discovery chain (seed "AI Agents Architecture", "Agent Orchestration").

The chain is the `partner_discovery` state machine (statemachines/partner_discovery.asl.json): find
candidates -> analyse each (Map) -> write an outreach draft for the best one above the threshold ->
wait for the BD manager's review (task token) -> mark the partnership contacted and request a CRM sync.
Each step is its own function calling `steps`; the HTTP functions call `service`. The run's state lives
in the `discoveries` row (migration 0009) that every step updates, so readers never need Step
Functions' history. The partnerships service is reached only through `partners` (one adapter).
"""

from __future__ import annotations


class ProviderUnavailable(RuntimeError):
    """A model or an external provider failed in a way worth retrying. The state machine retries the
    step on this error name with backoff, then records the failure (its Catch)."""
