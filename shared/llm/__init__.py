"""Language models behind one port: YandexGPT (primary), GigaChat (fallback), Claude (complex tasks),
and an offline provider that answers deterministically from the catalog's data when no key is set.

Callers use the task functions in `shared.llm.tasks` only: each renders a versioned Russian prompt,
fences company text, asks the provider chain for JSON that matches the task's schema, validates it and
says which provider and model made it (`offline=True` when no model was asked).

Modules: `core` (the provider port and errors), `yandexgpt` / `gigachat` / `claude` (HTTP clients, one
attempt per call), `chain` (order, retries, circuit breakers, validation, fallback), `prompting` (jinja2
prompts in ``prompts/``, fencing), `output` (schemas and parsing), `offline`, `records` (call records:
log line and ``llm_calls`` row), `runtime` (what the settings configure at cold start).
"""
